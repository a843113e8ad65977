"""Jobs: the work an order offers to each artisan, and everything done with it.

``machine``: the one state machine (statuses, actions, transitions, feed positions).
``dispatch``: offering an order's work, withdrawing offers, cancelling an order.
``service``: accepting and declining offers, the job feed, expiry. ``submissions``: finished
work and its review. ``progress``: where orders stand. ``queries``: how jobs are read.
``messages``: the SMS an offer sends. ``routes``: HTTP.
"""

__all__ = [
    "dispatch",
    "machine",
    "messages",
    "progress",
    "queries",
    "routes",
    "schemas",
    "service",
    "submissions",
    "tables",
]
