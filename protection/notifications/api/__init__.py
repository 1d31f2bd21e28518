"""The API of the notification machinery: the inbox and webhook subscriptions."""
