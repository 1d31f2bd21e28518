"""The shared notification machinery: an outbox of deliveries by in-app inbox, email and webhook."""
