"""Public share pages of clips, and ``/suno/get-song`` that resolves their links.

A clip is private until its owner shares it (``POST /api/v1/clips/{id}/share``): that makes an
unguessable token, and ``/share/{token}`` shows the song to anyone with the link, its files served
under the same path (``/share/{token}/audio.mp3``) only while the share lasts. Revoking
(``DELETE``) ends the page and those files at once; the clip's own ``/media`` URLs, which only its
owner has been given, are not affected. Sharing again makes a new link.
"""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from openproducer.core.clips import MEDIA_FILES
from openproducer.core.errors import InvalidParameter, NotFound
from openproducer.core.services import Services
from openproducer.media.base import BlobNotFound
from openproducer.store.clock import as_utc, utcnow
from openproducer.store.tables import Clip, Share

__all__ = ["active_share", "page_html", "resolve_link", "revoke", "share", "share_file", "share_view"]

SHARE_PREFIX = "/share/"
_SHARED_FILES = ("audio.mp3", "audio.wav", "cover.png", "video.mp4")


def _owned(session: Any, api_key_id: int, clip_id: str) -> Clip:
    clip = session.get(Clip, clip_id) if len(clip_id) <= 64 else None
    if clip is None or clip.api_key_id != api_key_id:
        raise NotFound(f"Clip {clip_id[:64]} not found.")
    return clip


def _view(share: Share, origin: str) -> dict[str, Any]:
    return {"clip_id": share.clip_id, "share_url": f"{origin}{SHARE_PREFIX}{share.token}", "token": share.token,
            "author": share.author, "created_at": as_utc(share.created_at).strftime("%Y-%m-%dT%H:%M:%SZ")}


def share(services: Services, api_key_id: int, clip_id: str, author: str, origin: str) -> dict[str, Any]:
    """Opt the clip in (or return its current share): its share link."""
    with services.db.session() as session:
        _owned(session, api_key_id, clip_id)
        current = session.scalar(select(Share).where(Share.clip_id == clip_id, Share.revoked_at.is_(None)))
        if current is None:
            current = Share(token=secrets.token_urlsafe(18), clip_id=clip_id, api_key_id=api_key_id,
                            author=author.strip()[:80], created_at=utcnow())
            session.add(current)
        elif author.strip() and author.strip()[:80] != current.author:
            current.author = author.strip()[:80]
        session.flush()
        return _view(current, origin)


def active_share(services: Services, api_key_id: int, clip_id: str, origin: str) -> dict[str, Any]:
    with services.db.session(write=False) as session:
        _owned(session, api_key_id, clip_id)
        current = session.scalar(select(Share).where(Share.clip_id == clip_id, Share.revoked_at.is_(None)))
        if current is None:
            raise NotFound(f"Clip {clip_id} is not shared.")
        return _view(current, origin)


def revoke(services: Services, api_key_id: int, clip_id: str) -> dict[str, Any]:
    """End every share of the clip: its page and shared files answer 404 from now on."""
    with services.db.session() as session:
        _owned(session, api_key_id, clip_id)
        shares = session.scalars(select(Share).where(Share.clip_id == clip_id, Share.revoked_at.is_(None))).all()
        now = utcnow()
        for found in shares:
            found.revoked_at = now
        return {"clip_id": clip_id, "revoked": len(shares)}


def _live(session: Any, token: str) -> tuple[Share, Clip]:
    found = session.get(Share, token) if 0 < len(token) <= 64 else None
    clip = session.get(Clip, found.clip_id) if found is not None and found.revoked_at is None else None
    if clip is None:
        raise NotFound("This share link does not exist or was revoked.")
    return found, clip


def share_view(services: Services, token: str, origin: str) -> dict[str, Any]:
    """What a share page shows, as get-song answers it (URLs under the share's own path)."""
    with services.db.session(write=False) as session:
        found, clip = _live(session, token)
        base = f"{origin}{SHARE_PREFIX}{token}/"
        files = clip.files or {}
        return {
            "audio_url": base + "audio.mp3" if "mp3" in files else None,
            "video_url": base + "video.mp4" if "video" in files else None,
            "cover_image": base + "cover.png" if "image" in files else None,
            "song_title": clip.title or "Untitled",
            "song_author": found.author or "OpenProducer",
            "music_styles": clip.sound or None,
        }


def share_file(services: Services, token: str, name: str) -> tuple[str, str | None]:
    """(blob key, local path) of a shared clip's file, while the share lasts."""
    role = MEDIA_FILES.get(name)
    if name not in _SHARED_FILES or role is None:
        raise NotFound("No such file.")
    with services.db.session(write=False) as session:
        _, clip = _live(session, token)
        key = (clip.files or {}).get(role)
    if key is None:
        raise NotFound("No such file.")
    try:
        local = services.blobs.local_path(key)
    except BlobNotFound:
        raise NotFound("No such file.") from None
    return key, str(local) if local is not None else None


def resolve_link(services: Services, link: str, origin: str) -> dict[str, Any]:
    """``/suno/get-song``: a share link of this server -> its song; another host's link is a 400."""
    parts = urlsplit(link.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidParameter("share_link", "must be an absolute http(s) URL of a share page")
    here = urlsplit(origin)
    if (parts.hostname or "").lower() != (here.hostname or "").lower() or (parts.port or _port(parts.scheme)) != (
            here.port or _port(here.scheme)):
        raise InvalidParameter(
            "share_link", f"is a link to {parts.netloc}; this server resolves only its own share links "
                          f"({here.netloc}{SHARE_PREFIX}…), it fetches nothing from other hosts")
    path = parts.path.rstrip("/")
    if not path.startswith(SHARE_PREFIX) or "/" in path[len(SHARE_PREFIX):]:
        raise InvalidParameter("share_link", f"must be a share page of this server ({here.netloc}{SHARE_PREFIX}…)")
    return share_view(services, path[len(SHARE_PREFIX):], origin)


def _port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def page_html(view: dict[str, Any]) -> str:
    """The public page: title, author, style, cover and a player, with Open Graph tags."""
    e = {k: html.escape(str(v or ""), quote=True) for k, v in view.items()}
    video = f'<meta property="og:video" content="{e["video_url"]}">' if view.get("video_url") else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e['song_title']} by {e['song_author']}</title>
<meta property="og:type" content="music.song"><meta property="og:title" content="{e['song_title']}">
<meta property="og:description" content="{e['music_styles']}"><meta property="og:image" content="{e['cover_image']}">
<meta property="og:audio" content="{e['audio_url']}">{video}
<style>body{{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}}
img{{width:100%;border-radius:8px}}audio{{width:100%;margin-top:1rem}}.styles{{color:#666}}</style></head>
<body><img src="{e['cover_image']}" alt="cover of {e['song_title']}"><h1>{e['song_title']}</h1>
<p>by {e['song_author']}</p><p class="styles">{e['music_styles']}</p>
<audio controls preload="none" src="{e['audio_url']}"></audio></body></html>
"""
