"""The API of the registry: households and people."""
