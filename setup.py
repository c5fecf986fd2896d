"""Build step: the repository's `examples/` ship inside the wheel as `initlab/examples/`.

The scenarios and manifests live once, at the repository root (the goldens,
the book and the docs point there); a wheel carries a copy so that
`initlab simulate myapp-pod` works for anyone who pip-installed it. At run
time `initlab.api.loader.examples_dir()` finds whichever is there. Everything
else about the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXAMPLES = Path(__file__).resolve().parent / "examples"
SHIPPED = ("*.yaml", "*.md")


class BuildPyWithExamples(build_py):
    """`build_py`, then copy examples/**/{*.yaml,*.md} into the built package."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "initlab" / "examples"
        for pattern in SHIPPED:
            for source in sorted(EXAMPLES.rglob(pattern)):
                dest = target / source.relative_to(EXAMPLES)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)


setup(cmdclass={"build_py": BuildPyWithExamples})
