"""Allocation plans in the web system: inputs, computation through fundflow.core, approval and history."""
