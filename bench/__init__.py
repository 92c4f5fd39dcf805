"""The benchmark harness behind ``make bench``.

Starts the portal under gunicorn against PostgreSQL on loopback, drives each endpoint with
wrk next to two floor endpoints (a JSON ping and a one-row insert) in the same run, and
writes JSON and a Markdown table to ``bench/results/``. See docs/bench.md.
"""
