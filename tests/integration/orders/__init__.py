"""Orders: the dispatch suggestion."""
