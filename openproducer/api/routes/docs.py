"""/docs (Swagger UI) and /redoc (ReDoc) with their assets served from here, never from a CDN.

The JavaScript and CSS come from the ``fastapi-offline`` distribution, which ships Swagger UI
(Apache-2.0) and ReDoc (MIT) builds as package data; the pages load no external font, and
Swagger UI's online validator (a request to validator.swagger.io) is switched off, so the API
page works on a machine without internet.
"""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from openproducer.core.errors import NotFound

__all__ = ["ASSETS", "ASSET_PREFIX", "router"]

ASSET_PREFIX = "/docs/assets/"
# Served name -> media type; the files are read once, on first request.
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
_TITLE = "OpenProducer API"
_cache: dict[str, bytes] = {}

router = APIRouter(include_in_schema=False)


def _asset(name: str) -> bytes:
    data = _cache.get(name)
    if data is None:
        data = _cache[name] = (resources.files("fastapi_offline") / "static" / name).read_bytes()
    return data


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title=f"{_TITLE} - Swagger UI",
        swagger_js_url=ASSET_PREFIX + "swagger-ui-bundle.js", swagger_css_url=ASSET_PREFIX + "swagger-ui.css",
        swagger_favicon_url=ASSET_PREFIX + "favicon.png",
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/openapi.json", title=f"{_TITLE} - ReDoc", redoc_js_url=ASSET_PREFIX + "redoc.standalone.js",
        redoc_favicon_url=ASSET_PREFIX + "favicon.png", with_google_fonts=False,
    )


@router.get(ASSET_PREFIX + "{name}")
def asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise NotFound("No such file.")
    return Response(_asset(name), media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
