"""Path and query parameters with their limits (Litestar applies these, not msgspec's Meta),
and the checks every API request passes before its handler runs.

Numbers (path and query parameters typed int, numeric headers) take ASCII digits only, at
most 18 of them: Litestar reads a path int with Python's ``int()`` (``٣``, ``３``, ``+5``,
`` 5`` and ``1_000`` all pass) and a query int leniently (``-0``, ``1e3``, ``1.0``), so
``/jobs/٣`` would be job 3. A path id in any other form names nothing (404, as ``abc`` and
``-1`` do); a query parameter or a header in any other form is malformed (400).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from litestar import Request
from litestar.enums import ParamType
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg, QueryParameter
from litestar.typing import FieldDefinition

from backend.core.errors import NotFound, Unsupported
from backend.core.i18n import N_
from backend.core.types import CraftCode, Id

MAX_ID = 2**31 - 1
MAX_DIGITS = 18  # any number of 18 digits fits a BIGINT

QueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
Since = Annotated[int, QueryParameter(ge=0, le=2**62, description="The cursor of the previous answer.")]
CraftQuery = Annotated[str | None, QueryParameter(pattern=r"^[a-z][a-z0-9-]{0,31}$", description="A craft's code.")]
PhoneQuery = Annotated[
    str, QueryParameter(min_length=3, max_length=32, description="A phone number, E.164 or a local Chinese one.")
]
PageCursor = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="The cursor of the previous page.")]
# Repeated parameters (?village_id=3&village_id=5): each item is checked by its own type.
VillageIds = Annotated[list[Id] | None, QueryParameter(max_items=100, description="Villages; repeat for several.")]
ArtisanIds = Annotated[list[Id] | None, QueryParameter(max_items=500, description="Artisans; repeat for several.")]
CraftCodes = Annotated[list[CraftCode] | None, QueryParameter(max_items=20, description="Crafts; repeat for several.")]
QuantityQuery = Annotated[int | None, QueryParameter(ge=1, le=1_000_000, description="A number of pieces.")]
Months = Annotated[int, QueryParameter(ge=1, le=36, description="How many months back, this one included.")]
Days = Annotated[int, QueryParameter(ge=1, le=366, description="How many days back, today included.")]


BODY_TYPES = ("application/json", "multipart/form-data", "application/offset+octet-stream")


async def check_request(request: Request[Any, Any, Any]) -> None:
    """Checks every API request passes before its handler runs (async: a sync hook would
    be sent to a thread on every request)."""
    refuse_numbers_not_in_ascii_digits(request)
    refuse_impossible_ids(request)
    refuse_unknown_body_types(request)


def number_problem(text: str) -> str | None:
    """Why ``text`` is not a number we take (``not_ascii_digits``, ``too_many_digits``), or None."""
    if not (text.isascii() and text.isdigit()):
        return "not_ascii_digits"
    return "too_many_digits" if len(text) > MAX_DIGITS else None


def _malformed(name: str, problem: str) -> ValidationException:
    return ValidationException(f"{name}: {problem}", extra=[{"key": name, "message": problem}])


def ascii_number(request: Request[Any, Any, Any], header: str) -> int:
    """The value of a numeric header (``Upload-Length``): ASCII digits, else 400."""
    value = request.headers.get(header)
    if value is None:
        raise _malformed(header, "missing")
    if problem := number_problem(value):
        raise _malformed(header, problem)
    return int(value)


def refuse_numbers_not_in_ascii_digits(request: Request[Any, Any, Any]) -> None:
    """Every int the handler takes from the path (404) or the query string (400), and the
    Content-Length (400), as ASCII digits; checked on the text as sent, before Litestar's
    reading of it reaches a handler."""
    if request.path_params:
        # The template and the path as routed have the same segments: /api/v1/jobs/{job_id}/accept.
        template = request.scope.get("path_template", "").split("/")
        for segment, sent in zip(template, request.scope["path"].split("/"), strict=False):
            name = segment[1:-1] if segment.startswith("{") else None
            if name and isinstance(request.path_params.get(name), int) and number_problem(sent):
                raise NotFound()
    for name in integer_query_parameters(request.route_handler):
        for sent in request.query_params.getall(name, ()):
            if problem := number_problem(sent):
                raise _malformed(name, problem)
    length = request.headers.get("content-length")
    if length is not None and (problem := number_problem(length)):
        raise _malformed("Content-Length", problem)


@cache
def integer_query_parameters(handler: HTTPRouteHandler) -> tuple[str, ...]:
    """The names of the query parameters a handler declares as int (or a list of ints)."""
    names = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg) and kwarg.param_type is ParamType.QUERY and _holds_int(field):
            names.append(kwarg.name or name)
    return tuple(names)


def _holds_int(field: FieldDefinition) -> bool:
    if field.inner_types and (field.is_union or field.is_non_string_sequence):
        return any(_holds_int(inner) for inner in field.inner_types)
    return field.is_subclass_of(int) and not field.is_subclass_of(bool)


def refuse_unknown_body_types(request: Request[Any, Any, Any]) -> None:
    """A body must say what it is: JSON, a photo as multipart form data, or a part of a
    resumable upload (tus)."""
    if request.method not in ("POST", "PATCH", "PUT") or request.headers.get("content-length", "0") == "0":
        return
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in BODY_TYPES and not kind.endswith("+json"):
        raise Unsupported(N_("Send JSON (application/json), or a photo as multipart/form-data."))


def refuse_impossible_ids(request: Request[Any, Any, Any]) -> None:
    """An id in the path that no row can have does not exist: 404, without a query."""
    for name, value in request.path_params.items():
        if name.endswith("_id") and isinstance(value, int) and not 1 <= value <= MAX_ID:
            raise NotFound()
