"""GridLedger benchmarks: ``python -m bench`` brings up a network, runs workloads, prints a table.

Run from the repository root (``make bench``); ``python -m bench --smoke`` is the few-second run
the test suite uses. Results and the machine they came from are recorded in ``bench/RESULTS.md``.
"""
