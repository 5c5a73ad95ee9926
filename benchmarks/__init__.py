"""Speed benchmarks: `make bench` (python -m benchmarks) prints every figure."""
