"""Photos of finished work: ``processing`` verifies and cleans them (Pillow), ``storage`` keeps
the files behind a port, ``service`` decides who may upload and see them, ``routes``: HTTP."""

__all__ = ["processing", "routes", "schemas", "service", "storage", "tables"]
