"""The health of the delivery pipeline: queue, outbox, beat and workers, for admins and monitors."""
