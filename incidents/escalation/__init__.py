"""Escalation of alerts nobody acknowledged in time, tier after tier, then to the admins."""
