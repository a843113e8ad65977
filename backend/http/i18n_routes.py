"""HTTP route of the PWA's message catalogs: JSON made from the `.po` files, cached by ETag."""

from __future__ import annotations

from typing import Any, Literal

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery

from backend.core.errors import NotFound
from backend.core.i18n import catalog_json, normalize_locale
from backend.http.responses import json_with_etag


class I18nController(Controller):
    path = "/i18n"
    tags = ("i18n",)

    @get(
        "/{locale:str}",
        summary="The PWA's messages in one language (msgid → text; part=app: the artisan's app only, "
        "part=on-demand: its views loaded when asked for); public, 304 when unchanged",
    )
    async def catalog(
        self,
        request: Request[Any, Any, Any],
        locale: FromPath[str],
        part: FromQuery[Literal["all", "app", "on-demand"]] = "all",
    ) -> Response[dict[str, str]]:
        found = normalize_locale(locale)
        if found is None:
            raise NotFound()
        return json_with_etag(request, catalog_json(found, part))
