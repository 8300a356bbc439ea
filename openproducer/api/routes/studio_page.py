"""/studio: the browser page for making music with the API (static files in ``openproducer/web/studio``).

The page is plain HTML, CSS and JavaScript modules shipped inside the package: nothing is built and
nothing is fetched from the internet. Every call it makes goes through the public API with the key the
user types, which stays in the browser. Not part of the OpenAPI document (it is not API).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from openproducer.core.errors import NotFound

router = APIRouter(tags=["studio page"], include_in_schema=False)

STUDIO_DIR = Path(__file__).resolve().parents[2] / "web" / "studio"
ASSETS_DIR = STUDIO_DIR / "assets"

# The page runs only its own scripts and styles: an injected <script> could read the key from localStorage.
# Media and images may come from the server's public_base_url, which need not be the page's origin.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: http: https:; "
        "media-src 'self' blob: http: https:; connect-src 'self' http: https:; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # revalidate: a new server version serves new files at once
}
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".html": "text/html"}


def _file(path: Path) -> FileResponse:
    media_type = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type, headers=_HEADERS)


@router.get("/studio")
def studio_page() -> FileResponse:
    """The page itself."""
    return _file(STUDIO_DIR / "index.html")


@router.get("/studio/")
def studio_slash() -> RedirectResponse:
    return RedirectResponse("../studio", status_code=308)  # relative: right behind a path prefix too


@router.get("/studio/assets/{name:path}")
def studio_asset(name: str) -> FileResponse:
    """A file under ``assets/``; anything outside it (``..``, absolute paths, folders) is 404."""
    path = (ASSETS_DIR / name).resolve()
    if not path.is_relative_to(ASSETS_DIR) or not path.is_file():
        raise NotFound("No such file.")
    return _file(path)
