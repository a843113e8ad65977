"""A person and the brands she works with: a brand adds her (someone new is registered at
once; someone who works with another brand is asked first), she answers, she leaves.

``invitations``: asking her and her answer (in the app; by SMS through the ``invitation``
flow). ``service``: adding an artisan by phone, leaving a brand. ``routes``: the HTTP adapter.
Above the jobs (leaving settles her offers) and the outbox (asking is a question by SMS).
"""

__all__ = ["invitations", "routes", "service"]
