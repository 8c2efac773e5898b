"""fundflow — 财政转移支付资金分配与直达资金监控系统.

The package is layered (see docs/architecture.md):

* ``fundflow.core`` — pure, typed rules of public money (no Django, no I/O);
* ``fundflow.io`` — readers and writers for YAML plans, CSV/XLSX and published text tables;
* ``fundflow.cli`` — the ``fundflow`` command.
"""

__version__ = "0.1.0"
