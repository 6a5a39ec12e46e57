"""Benchmarks of the aligner against Vecalign, Gale-Church and a diagonal baseline (``python -m benchmarks.<name>``)."""
