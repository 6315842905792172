"""Benchmarks that print figures; run them all with ``python -m bench`` (``make bench``)."""
