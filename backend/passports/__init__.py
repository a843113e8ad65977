"""Piece passports: one per approved submission, made with the approval (``service``); the
public page (``page``), its facts as the maker consented and its scans (``public``), signed
with the brand's Ed25519 key (``signing``); ``routes`` (the staff API and ``/p/…``), ``tables``."""

__all__ = ["page", "public", "routes", "schemas", "service", "signing", "tables"]
