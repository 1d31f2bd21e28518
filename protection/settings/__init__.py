"""Settings split by environment: base, dev (embedded defaults), production and test."""
