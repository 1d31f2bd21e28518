"""Alerts about incidents: raising them, what they tell their recipients, acknowledging them."""
