"""Drills: simulated incidents sent through the real alert chain, measured, never live."""
