"""Escalation policies: their tiers and recipients, how they are configured and matched."""
