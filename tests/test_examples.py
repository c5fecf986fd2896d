"""Golden outputs: every examples/NAME.yaml simulates to exactly examples/NAME.out.

Set UPDATE_GOLDEN=1 to rewrite the .out files after an intended change, and
review the diff of `kubectl get -w` lines like any other change.
"""

from __future__ import annotations

import os

import pytest
from helpers import EXAMPLES

from initlab.kubectl import render_trace
from initlab.sim.simulator import simulate

SCENARIOS = sorted(EXAMPLES.glob("*.yaml"))


def test_every_golden_output_has_its_scenario():
    """No examples/*.out is left behind by a renamed or deleted scenario."""
    goldens = {p.name.split(".", 1)[0] for p in EXAMPLES.glob("*.out")}
    assert goldens == {p.stem for p in SCENARIOS}


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_example_matches_golden_output(path):
    """`initlab simulate NAME.yaml` prints exactly NAME.out."""
    out = render_trace(simulate(path))
    golden = path.with_suffix(".out")
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(out)
    assert golden.exists(), f"no {golden.name}: run with UPDATE_GOLDEN=1 and review it"
    assert out == golden.read_text()


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_example_pod_is_valid_kubernetes(path):
    """Every example's pod passes the API server's validation (kubectl apply would accept it)."""
    from initlab.api.validation import validate_pod
    from initlab.sim.scenario import load_scenario

    sc = load_scenario(path)
    assert validate_pod(sc.pod) == []
