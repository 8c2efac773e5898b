"""Performance targets (绩效目标): typed target values and target tables as data, with their checks.

Pure: no Django, no I/O. Readers live in ``fundflow.io.performance_text``.
"""
