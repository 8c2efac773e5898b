"""People and roles, each scoped to a region (and, for recipient units, to one budget unit)."""
