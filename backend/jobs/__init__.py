"""Jobs: the work an order offers to each artisan, and everything done with it.

``machine``: the one state machine (statuses, actions, transitions, feed positions).
``dispatch``: offering an order's work, withdrawing an offer. ``order_work``: what orders
need of jobs (their progress, whether offers went out, withdrawing the open ones).
``service``: accepting and declining offers, the job feed, expiry. ``submissions``: finished
work and its review. ``queries``: how jobs are read.
``record``: an artisan's track record (finished, on time, overdue). ``suggestion``: whom
to offer an order's work to, and how many pieces each.
``price_feedback``: an artisan's word that a piece rate is too low (价低).
``messages``: the SMS an offer sends. ``people``: what a person's changes mean for their
jobs. ``routes``: HTTP.
"""

__all__ = [
    "dispatch",
    "machine",
    "messages",
    "order_work",
    "people",
    "photo_access",
    "price_feedback",
    "queries",
    "record",
    "routes",
    "schemas",
    "service",
    "submissions",
    "suggestion",
    "tables",
]
