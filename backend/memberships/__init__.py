"""A person and the brands she works with: a brand adds her (someone new is registered at
once; someone who works with another brand is asked first), she answers, she leaves.

``invitations``: asking her and her answer (in the app; by SMS through the ``invitation``
flow, asked by ``asking`` when she needs SMS). ``service``: adding an artisan by phone,
leaving a brand. ``queries``: invitations and brands as an SMS names them (Q1, 退出 王家).
``routes``: the HTTP adapter. Above the jobs (leaving settles her offers) and the outbox
(asking is a question by SMS).
"""

__all__ = ["asking", "invitations", "queries", "routes", "service"]
