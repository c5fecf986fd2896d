"""Shared fixtures."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import launch, require_chromium
from helpers import EXAMPLES, ROOT
from scenarios import CRASH_HOUR, MYAPP

import initlab


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture
def examples_dir() -> Path:
    """The folder of example scenarios and their golden outputs."""
    return EXAMPLES


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian chromium for the module."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[str, str]:
    """A throwaway self-signed ECDSA P-256 certificate for 127.0.0.1 (what deploy/ makes)."""
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed to make a test certificate")
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture(scope="module")
def myapp():
    """The docs' myapp-pod, its two Services created at 8 s and 15 s."""
    return initlab.simulate(MYAPP)


@pytest.fixture(scope="module")
def crash_hour():
    """An init container that crash-loops for an hour next to a native sidecar."""
    return initlab.simulate(CRASH_HOUR)
