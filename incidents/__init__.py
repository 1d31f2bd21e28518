"""Protection incidents and the escalation alerts they raise."""
