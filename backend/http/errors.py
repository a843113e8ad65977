"""One body shape for every error, in the caller's language: ``{code, message, fields?}``."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import asyncpg
import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException

from backend.core import errors as domain
from backend.core.i18n import N_, translate

log = logging.getLogger("cunjiang.http")

STATUS: list[tuple[type[domain.DomainError], int]] = [
    (domain.Invalid, 422),
    (domain.Unauthorized, 401),
    (domain.Forbidden, 403),
    (domain.NotFound, 404),
    (domain.Conflict, 409),
    (domain.TooMany, 429),
    (domain.TooLarge, 413),
    (domain.Unsupported, 415),
    (domain.ChecksumMismatch, 460),
    (domain.Unavailable, 503),
]

# Litestar's own refusals (routing, parsing), by status: a code and a message to translate.
HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("invalid_request", N_("Some fields are missing or not valid.")),
    401: ("unauthorized", N_("Please sign in.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("unsupported_media_type", N_("This kind of content is not supported.")),
    429: ("rate_limited", N_("Too many attempts. Please wait a while and try again.")),
}
INTERNAL = ("internal_error", N_("Something went wrong on our side. Please try again later."))


class RowError(msgspec.Struct):
    row: int
    column: str
    code: str
    message: str


class ErrorBody(msgspec.Struct, omit_defaults=True):
    code: str
    message: str
    fields: dict[str, str] | None = None
    rows: list[RowError] | None = None  # the cells at fault in a file that was sent (import_invalid)


def status_of(error: domain.DomainError) -> int:
    return next(status for family, status in STATUS if isinstance(error, family))


def domain_body(error: domain.DomainError) -> ErrorBody:
    fields = getattr(error, "fields", None) or None
    rows = None
    if isinstance(error, domain.ImportInvalid):
        rows = [RowError(p.row, p.column, p.code, domain.explain(p.error)) for p in error.problems]
    return ErrorBody(code=error.code, message=domain.explain(error), fields=fields, rows=rows)


def _response(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


def on_domain_error(_request: Request[Any, Any, Any], error: domain.DomainError) -> Response[Any]:
    return _response(status_of(error), domain_body(error))


def _validation_fields(error: ValidationException) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.extra if isinstance(error.extra, list) else []:
        if isinstance(item, dict):
            fields[str(item.get("key") or item.get("source") or "body")] = str(item.get("message", "invalid"))
    return fields


def on_http_error(_request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    code, message = HTTP_CODES.get(error.status_code, INTERNAL)
    fields = _validation_fields(error) if isinstance(error, ValidationException) else None
    headers = dict(error.headers or {})
    return _response(
        error.status_code, ErrorBody(code=code, message=translate(message), fields=fields or None), headers
    )


def on_undecodable_body(_request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A body nested too deep or not UTF-8 never reaches a handler: the request is malformed."""
    log.info("undecodable request body: %s", type(error).__name__)
    code, message = HTTP_CODES[400]
    return _response(400, ErrorBody(code=code, message=translate(message)))


def on_integrity_error(_request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A unique index refused a concurrent duplicate: a conflict, not a crash."""
    log.info("integrity conflict: %s", error)
    return _response(409, domain_body(domain.Conflict()))


def on_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    code, message = INTERNAL
    return _response(500, ErrorBody(code=code, message=translate(message)))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    domain.DomainError: on_domain_error,
    HTTPException: on_http_error,
    RecursionError: on_undecodable_body,
    UnicodeDecodeError: on_undecodable_body,
    sqlite3.IntegrityError: on_integrity_error,
    asyncpg.exceptions.UniqueViolationError: on_integrity_error,
    Exception: on_unexpected,
}


# What the OpenAPI page shows for failures: our one body shape, not Litestar's.
ERROR_DOCS: dict[int, str] = {
    400: "Malformed request: wrong types, missing or unknown fields, a number in the query string or a header that "
    "is not ASCII digits (code invalid_request).",
    401: "No valid bearer token (code unauthorized).",
    403: "The caller's role may not do this (code forbidden).",
    404: "No such resource for this caller, or another brand's, or an id in the path that is not ASCII digits "
    "(code not_found).",
    409: "Conflicts with the current state: order_full, invalid_transition, offer_expired, order_closed, "
    "payout_exists, idempotency_key_reused, too_many_uploads, too_many_upload_bytes…",
    422: "Values that break a rule (code invalid, with fields); a file with bad rows (code import_invalid, with "
    "rows: [{row, column, code, message}]).",
    429: "Too many attempts (code rate_limited).",
}
