"""Domain errors: a stable machine code and a translatable message, no HTTP in sight.

Adapters map the families below to their own vocabulary (HTTP status, SMS help text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from backend.core.i18n import N_, Label, translate


class DomainError(Exception):
    code: ClassVar[str] = "error"
    message: ClassVar[str] = N_("Something went wrong.")

    def __init__(self, message: str | None = None, /, **params: Any) -> None:
        self.msgid = message or self.message
        self.params = params
        super().__init__(f"{self.code}: {self.msgid}")


def explain(error: DomainError, locale: str | None = None) -> str:
    """The error in words for a person, in ``locale`` (default: the current one).

    The one place every channel (HTTP, the command line, SMS) turns an error into words.
    Only parameters marked as labels (a job status) are translated: a person's own text
    is shown as typed, even when it happens to equal a msgid.
    """
    params = {
        key: translate(value, locale) if isinstance(value, Label) else value for key, value in error.params.items()
    }
    return translate(error.msgid, locale, **params)


class Invalid(DomainError):
    """The request is well-formed but its values break a rule (HTTP 422)."""

    code = "invalid"
    message = N_("The request is not valid.")

    def __init__(self, message: str | None = None, /, fields: dict[str, str] | None = None, **params: Any):
        super().__init__(message, **params)
        self.fields = fields or {}


class Unauthorized(DomainError):
    code = "unauthorized"
    message = N_("Please sign in.")


class Forbidden(DomainError):
    code = "forbidden"
    message = N_("You are not allowed to do this.")


class NotFound(DomainError):
    code = "not_found"
    message = N_("Not found.")


class Conflict(DomainError):
    code = "conflict"
    message = N_("This conflicts with the current state.")


class TooMany(DomainError):
    code = "rate_limited"
    message = N_("Too many attempts. Please wait a while and try again.")


class TooLarge(DomainError):
    code = "too_large"
    message = N_("The file is too large.")


class Unavailable(DomainError):
    """Something we depend on (the photo store) is down: nothing was done, try again (HTTP 503)."""

    code = "unavailable"
    message = N_("This is not possible just now. Please try again in a few minutes.")


class ChecksumMismatch(DomainError):
    """The bytes received are not the bytes sent (tus's checksum extension: HTTP 460)."""

    code = "checksum_mismatch"
    message = N_("The uploaded part did not arrive intact. Please send it again.")


class Unsupported(DomainError):
    code = "unsupported_media_type"
    message = N_("This kind of file is not supported.")


# Conflicts of the core loop, one code each so that apps and SMS can explain them.
class OrderFull(Conflict):
    code = "order_full"
    message = N_("The order cannot take {quantity} more pieces; {remaining} remain.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    message = N_("This job is {status} and cannot be changed this way.")

    def __init__(self, *, status: str) -> None:
        super().__init__(status=Label(status))  # the status word is translated (core.labels)


class OfferExpired(Conflict):
    code = "offer_expired"
    message = N_("This offer has expired.")


class OrderClosed(Conflict):
    code = "order_closed"
    message = N_("This order is no longer open.")


class OrderDispatched(Conflict):
    code = "order_dispatched"
    message = N_("This order has been offered to artisans already; cancel it and make a new one instead.")


class PayoutExists(Conflict):
    code = "payout_exists"
    message = N_("A payout has already been recorded for this job.")


class AdvanceOpen(Conflict):
    code = "advance_open"
    message = N_("This job already has an advance request waiting.")


class KitSettled(Conflict):
    code = "kit_settled"
    message = N_("This kit has been accounted for already.")


class PhoneTaken(Conflict):
    code = "phone_taken"
    message = N_("Another person already uses this phone number.")


class CraftExists(Conflict):
    code = "craft_exists"
    message = N_("The brand already has a craft with this code.")


class IdempotencyMismatch(Conflict):
    code = "idempotency_key_reused"
    message = N_("This Idempotency-Key was already used with a different request.")


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    message = N_("The first request with this Idempotency-Key is still being processed.")


class InvalidCode(Unauthorized):
    code = "invalid_code"
    message = N_("The code is wrong or has expired.")


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one cell of a file a person sent (rows numbered as their spreadsheet shows them)."""

    row: int
    column: str
    error: DomainError

    @property
    def code(self) -> str:
        """The reason's code: an Invalid's field code (``invalid_phone``), else the error's (``phone_taken``)."""
        fields: dict[str, str] = getattr(self.error, "fields", None) or {}
        return fields.get(self.column) or next(iter(fields.values()), self.error.code)


class ImportInvalid(Invalid):
    """Some rows of a file break the rules: nothing of it was written. ``problems`` says which."""

    code = "import_invalid"
    message = N_("Rows with problems: {count}. Nothing was imported; correct them and send the file again.")

    def __init__(self, problems: list[RowProblem], *, count: int) -> None:
        super().__init__(count=count)
        self.problems = problems


class AlreadyAnswered(Conflict):
    code = "already_answered"
    message = N_("This invitation was answered already.")


class OpenWork(Conflict):
    code = "open_work"
    message = N_("You still have {count} jobs with this brand in hand: finish them first.")

    def __init__(self, *, count: int) -> None:
        super().__init__(count=count)


class InAlliance(Conflict):
    code = "in_alliance"
    message = N_("This brand is in an alliance already.")


# Her own words (backend/memberships/story.py).
class StoryNotPending(Conflict):
    code = "story_not_pending"
    message = N_("No story is waiting for an answer.")


class StoryChanged(Conflict):
    code = "story_changed"
    message = N_("The story was changed meanwhile. Please read the new one first.")
