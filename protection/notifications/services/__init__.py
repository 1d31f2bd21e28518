"""Every write of the notification machinery, by concern: outbox (queue and enqueue), sending
(claim, send once, record, retry), channels (in-app, e-mail, webhook), dead_letters, sweeper,
inbox, subscriptions (webhooks).

A caller (an incident report, an escalation, an overdue referral) calls `deliveries_queue` inside
its own transaction: the rows are written with the event, and the tasks that send them are
enqueued only once that transaction commits. If the broker is down then, the rows stay pending
and the sweeper sends them later. Sending claims a row (SELECT ... FOR UPDATE SKIP LOCKED, then
"sending" under a lease, the attempt counted) and commits before it calls anyone, so no lock is
held across the network; two workers never send the same row, and the row of a worker that dies
mid-send is claimed again by way of the sweeper once its lease runs out.
"""
