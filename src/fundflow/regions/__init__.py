"""Administrative regions (自治区 → 地州市 → 县市区) and budget units, loaded from reference data."""
