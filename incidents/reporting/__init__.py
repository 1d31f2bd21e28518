"""Reporting incidents: the report, its updates, who sees what of it, its timeline, GBV access."""
