"""The messages Cunjiang sends, below every channel that sends them.

``templates``: every message is a template key plus variables, rendered for the reader's
language and proved to fit one SMS segment. ``registered``: the codes a provider that sends
by template (Aliyun) approved for them. ``optout``: the numbers that asked for no more.
``asked``: the question each number was asked last, so that a bare "1" answers it.
"""

__all__ = ["asked", "optout", "registered", "tables", "templates"]
