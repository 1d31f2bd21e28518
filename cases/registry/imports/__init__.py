"""Bulk import of households and people from a CSV or XLSX file: dry run, then commit."""
