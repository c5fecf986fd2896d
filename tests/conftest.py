"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture
def examples_dir() -> Path:
    """The folder of example scenarios and their golden outputs."""
    return ROOT / "examples"
