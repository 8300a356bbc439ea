"""/media/{token}/{name}: a clip's files. The token is the capability: unguessable, per clip."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from openproducer.api.deps import ServicesDep, call_db
from openproducer.api.schemas import ErrorPublic
from openproducer.core import queries
from openproducer.core.outputs import ensure_media

router = APIRouter(tags=["media"])


@router.head("/media/{token}/{name}", include_in_schema=False)
@router.get(
    "/media/{token}/{name}",
    response_class=FileResponse,
    responses={
        307: {"description": "object storage: a redirect to a short-lived presigned URL"},
        404: {"model": ErrorPublic, "description": "unknown token, or a name other than the four files"},
    },
)
async def media(token: str, name: str, services: ServicesDep) -> Response:
    """Serves audio.mp3, audio.wav, cover.png and video.mp4, with HTTP Range support.

    The video is made on its first request (a second or two for a 3-minute song), then stored; an
    MP3 asked for in the moment after its task answered waits for its encode to be stored."""
    if name in ("video.mp4", "audio.mp3"):
        await run_in_threadpool(ensure_media, services, token, name)
    key, local = await call_db(services, queries.media_file, services, token, name)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if local is not None:
        return FileResponse(local, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})
    presign = getattr(services.blobs, "presigned_url", None)
    if presign is not None:  # object storage serves the bytes (and Range) itself
        return RedirectResponse(presign(key, media_type), status_code=307)
    return Response(services.blobs.get_bytes(key), media_type=media_type)
