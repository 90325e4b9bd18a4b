"""Benchmarks of the platform: the data generator, the scenarios and `make bench`."""
