"""Benchmarks: quality, robustness and speed of the aligner against its baselines."""
