"""The API documentation at ``/api/docs``: Swagger UI served from the ``swagger-ui-bundle``
package (no CDN), under a policy that lets exactly its own inline script and style run."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import swagger_ui_bundle
from litestar import Request
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from backend.http.security import policy_for, use_policy

SWAGGER_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
ASSETS_PATH = "/api/docs/assets"


class SwaggerPage(SwaggerRenderPlugin):
    """Swagger UI's page starts it with an inline script that holds the whole schema: the page
    is answered with a policy that allows that script by its hash, and nothing else inline."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        use_policy(request, _policy_of(page))
        return page


@lru_cache(maxsize=4)  # the page is the same until the schema changes (a new release)
def _policy_of(page: bytes) -> str:
    return policy_for(page)


def openapi_config() -> OpenAPIConfig:
    swagger = SwaggerPage(
        path="/",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title="Cunjiang API",
        version="1",
        path="/api/docs",
        render_plugins=[swagger],
        components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
        security=[{"bearer": []}],
    )
