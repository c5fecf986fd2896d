"""`initlab resources` as text: each container's own requests and limits, the init steps, the
effective values, the QoS class and the node fit (the numbers come from `initlab.api.resources`)."""

from __future__ import annotations

from initlab.api.printers import TabWriter, escape_terminal
from initlab.api.resources import CPU, MEMORY, ResourcesReport


def _cell(rl: dict[str, str], name: str) -> str:
    return rl.get(name, "-")


def _pair(rl: dict[str, str]) -> str:
    if not rl:
        return "<none>"
    return ", ".join(f"{k}={v}" for k, v in sorted(rl.items()))


def render_resources(result: ResourcesReport) -> str:
    """Plain-text view of `resources_report` for people: containers, init steps, effective values."""
    report = result.to_json()
    phase = report.get("initPhase", {})
    rows = [("CONTAINER", "KIND", "CPU REQ", "CPU LIM", "MEM REQ", "MEM LIM")]
    for s in phase.get("steps", []):
        own = s.get("container", {})
        req, lim = own.get("requests", {}), own.get("limits", {})
        rows.append(
            (
                s["name"],
                "sidecar" if s.get("sidecar") else "init",
                _cell(req, CPU),
                _cell(lim, CPU),
                _cell(req, MEMORY),
                _cell(lim, MEMORY),
            )
        )
    for c in phase.get("appPhase", {}).get("containers", []):
        req, lim = c.get("requests", {}), c.get("limits", {})
        rows.append(
            (
                c["name"],
                "app",
                _cell(req, CPU),
                _cell(lim, CPU),
                _cell(req, MEMORY),
                _cell(lim, MEMORY),
            )
        )
    table = TabWriter(0, 8, 3)
    table.write("".join("\t".join(r) + "\n" for r in rows))
    lines = table.flush().splitlines()
    lines.append("")
    steps = phase.get("steps", [])
    if steps:
        lines.append("Init phase (each step reserves itself plus the sidecars started before it):")
        for i, s in enumerate(steps):
            below = s.get("sidecarsBelow", [])
            what = "sidecar, keeps running" if s.get("sidecar") else "init"
            extra = f" + sidecars [{', '.join(below)}]" if below else ""
            lines.append(
                f"  {i + 1}. {s['name']} ({what}){extra}: requests {_pair(s['requests'])}"
                f"; limits {_pair(s['limits'])}"
            )
        mx = phase.get("max", {})
        lines.append(
            f"  max over init steps: requests {_pair(mx.get('requests', {}))}"
            f"; limits {_pair(mx.get('limits', {}))}"
        )
    app = phase.get("appPhase", {})
    who = "containers" + (" + sidecars" if app.get("sidecars") else "")
    lines.append(
        f"App phase ({who}): requests {_pair(app.get('requests', {}))}"
        f"; limits {_pair(app.get('limits', {}))}"
    )
    if "podLevel" in phase:
        pl = phase["podLevel"]
        lines.append(
            f"Pod-level resources (replace the container sum): requests {_pair(pl['requests'])}"
            f"; limits {_pair(pl['limits'])}"
        )
    if "overhead" in phase:
        lines.append(f"Pod overhead (added on top): {_pair(phase['overhead'])}")
    lines.append("")
    lines.append(f"Effective requests: {_pair(report.get('requests', {}))}")
    lines.append(f"Effective limits:   {_pair(report.get('limits', {}))}")
    how = "max(max over init steps, app phase), per resource"
    if "podLevel" in phase:
        how += "; pod-level resources replace it"
    if "overhead" in phase:
        how += "; plus pod overhead"
    lines.append(f"  (effective = {how})")
    lines.append(f"QoS Class:          {report.get('qosClass', '')}")
    if "fits" in report:
        fit, node = result.fit, result.node
        where = f" (allocatable {_pair(node)})" if node else ""
        if report["fits"]:
            lines.append(f"Node fit:           fits{where}")
        else:
            why = ", ".join(fit.insufficient) if fit else "Insufficient resources"
            lines.append(f"Node fit:           does not fit: {why}{where}")
    return escape_terminal("\n".join(lines) + "\n")
