"""The fictional demo mission: only the seed_demo command (and the tests and benchmarks) import it.

plan: the agencies, sites and staff; organisation: creates them; people and households: the
registered population, drawn from a seeded generator; work: eight weeks of their casework,
incidents and alerts; seed: runs it all, safe to run again.
"""
