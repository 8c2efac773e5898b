"""Budget disclosure (预算公开) in the web system: units' budgets, the generated package, and the checker page."""
