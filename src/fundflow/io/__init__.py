"""Readers and writers: YAML plans, CSV/XLSX recipient files, published text tables, XLSX output.

Readers validate and return core objects, or raise :class:`fundflow.core.errors.PlanError` carrying every
problem with its file, row and column.
"""
