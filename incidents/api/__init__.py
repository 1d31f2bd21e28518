"""The incidents and alerts API."""
