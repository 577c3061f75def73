"""Benchmarks: `python -m bench [index|search]`. Not tests; each prints ratios to a same-run baseline."""
