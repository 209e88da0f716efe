"""Simulation wing: the demo city, QC-vs-truth scoring, MQTT traffic and a local broker.

Used by the demo, tests and benchmarks; the core never imports it.
"""
