"""`python -m benchmarks [NAME ...]` runs every benchmark (or the named ones)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [a for a in argv if not a.startswith("-")]
    if wanted:
        unknown = [w for w in wanted if f"bench_{w}" not in names and w not in names]
        if unknown:
            print(
                f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(names)}",
                file=sys.stderr,
            )
            return 2
        names = [n for n in names if n in wanted or n.removeprefix("bench_") in wanted]
    results = {}
    for name in names:
        print(f"== {name}", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        results[name] = module.main()
    if "--json" in argv:
        print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
