"""Camps and sites where displaced people live, and their population."""
