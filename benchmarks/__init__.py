"""Benchmarks (`make bench`): each module's `run()` returns rows written to docs/benchmarks.md."""
