"""Reports of one event: suggestions, linking and the event view (incidents.models.events)."""
