"""Benchmarks: each `bench_*.py` has `main() -> dict` and prints ratios against a
baseline measured in the same run (so the figures travel between machines)."""
