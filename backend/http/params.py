"""Path and query parameters with their limits (Litestar applies these, not msgspec's Meta)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.params import QueryParameter

from backend.core.errors import NotFound, Unsupported
from backend.core.i18n import N_
from backend.core.types import CraftCode, Id

MAX_ID = 2**31 - 1

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
    refuse_impossible_ids(request)
    refuse_unknown_body_types(request)


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
