"""Benchmarks of Pioneros against near-physical references: `make bench`, never pytest."""
