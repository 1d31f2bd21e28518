"""Every write of the notification machinery, by concern: outbox (queue and enqueue), sending
(send once, retry), dead_letters, sweeper, inbox, subscriptions (webhooks).

A caller (an incident report, an escalation, an overdue referral) calls `deliveries_queue` inside
its own transaction: the rows are written with the event, and the tasks that send them are
enqueued only once that transaction commits. If the broker is down then, the rows stay pending
and the sweeper sends them later. Sending claims a row with SELECT ... FOR UPDATE SKIP LOCKED
and keeps the lock while it sends, so two workers never send the same row, and a worker that
dies mid-send leaves the row pending for the sweeper.
"""
