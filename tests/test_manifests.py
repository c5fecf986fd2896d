"""Every manifest the project ships is one `kubectl apply` would accept.

Checked against the official OpenAPI schema (kubernetes-validate, strict:
unknown fields fail) and against initlab's own API validation.
"""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from initlab.api.loader import find_pod
from initlab.api.validation import validate_pod

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_VERSION = "1.33"


def _manifest_documents() -> list[tuple[str, int, dict]]:
    """(file, index, object) for every Kubernetes object in shipped YAML."""
    out = []
    for folder in ("examples", "deploy", "book", "notebooks"):
        for path in sorted((ROOT / folder).rglob("*.yaml")):
            if "_build" in path.parts or path.name.endswith(".invalid.yaml"):
                continue
            for i, doc in enumerate(yaml.safe_load_all(path.read_text())):
                if not isinstance(doc, dict):
                    continue
                if "pod" in doc and isinstance(doc["pod"], dict):  # a scenario
                    doc = doc["pod"]
                if "apiVersion" in doc and "kind" in doc:
                    out.append((str(path.relative_to(ROOT)), i, doc))
    return out


DOCS = _manifest_documents()


def test_the_project_ships_manifests():
    """Examples and deploy manifests exist (so the checks below check something)."""
    kinds = {doc["kind"] for _, _, doc in DOCS}
    assert "Pod" in kinds and len(DOCS) >= 10


@pytest.mark.parametrize(("path", "index", "doc"), DOCS, ids=[f"{p}#{i}" for p, i, _ in DOCS])
def test_manifest_matches_the_official_schema(path, index, doc):
    """Strict OpenAPI validation: right types, no unknown fields."""
    kubernetes_validate.validate(doc, SCHEMA_VERSION, strict=True)


@pytest.mark.parametrize(
    ("path", "index", "doc"),
    [d for d in DOCS if d[2]["kind"] in ("Pod", "Deployment", "Job", "StatefulSet", "DaemonSet")],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_pod_manifests_pass_api_validation(path, index, doc):
    """The API server's validation (initlab's port) accepts every shipped pod."""
    manifest = find_pod([doc], path)
    errors = validate_pod(
        manifest.pod, spec_path=manifest.spec_path, require_name=not manifest.is_template
    )
    assert errors == []


INVALID = sorted((ROOT / "notebooks" / "manifests").glob("*.invalid.yaml"))


def test_the_book_ships_a_refused_manifest():
    """At least one manifest shows a refusal (so the check below checks something)."""
    assert INVALID


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_manifest_is_refused_with_the_error_it_announces(path):
    """A `*.invalid.yaml` passes the schema, and API validation gives exactly its `# expect:` line."""
    text = path.read_text()
    expected = [
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("# expect:")
    ]
    doc = yaml.safe_load(text)
    kubernetes_validate.validate(doc, SCHEMA_VERSION, strict=True)
    assert [str(e) for e in validate_pod(doc)] == expected
