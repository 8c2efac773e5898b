"""Pure rules of the budget-indicator ledger (指标账): 文号, balances, the chain, monitoring progress and warning
conditions. No Django, no I/O; every check returns problems (``fundflow.core.errors.Problem``), never raises.
Names and rule ids: docs/ledger.md and docs/rules.md.
"""
