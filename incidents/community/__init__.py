"""The community reporting line: concerns sent without an account, and their triage."""
