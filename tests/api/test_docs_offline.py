"""/docs and /redoc work without internet: every asset they load is served here, none from another origin."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from openproducer.api.routes.docs import ASSETS


class _Loads(HTMLParser):
    """Every URL a page makes the browser load: script src, link href, img src, inline style url()s."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_script = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href", "spec-url", "data", "poster"):
            if found.get(name):
                self.urls.append(found[name])

    def handle_data(self, data: str) -> None:
        self.inline_script += data


def _same_origin(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_page_loads_only_its_own_assets(server, page):
    response = httpx.get(server.base_url + page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    loads = _Loads()
    loads.feed(response.text)
    assert loads.urls, "the page loads its scripts"
    assert all(_same_origin(url) for url in loads.urls), loads.urls
    assert not re.search(r"https?://", response.text), "no external origin anywhere in the page"
    assert "fonts.googleapis" not in response.text and "@import" not in response.text
    for url in loads.urls:
        asset = httpx.get(server.base_url + url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 100, url
        if url.endswith(".css"):  # a stylesheet may pull fonts or images: only inline data
            refs = re.findall(r"url\(\s*['\"]?([^'\")]+)", asset.text)
            assert all(ref.startswith("data:") for ref in refs), [r for r in refs if not r.startswith("data:")][:5]
            assert "@import" not in asset.text and "@font-face" not in asset.text


def test_swagger_ui_does_not_call_the_online_validator(server):
    html = httpx.get(server.base_url + "/docs").text
    assert '"validatorUrl": null' in html
    assert "url: '/openapi.json'" in html
    assert httpx.get(server.base_url + "/openapi.json").status_code == 200


def test_assets_have_types_and_unknown_names_are_404(server):
    for name, media_type in ASSETS.items():
        response = httpx.get(f"{server.base_url}/docs/assets/{name}")
        assert response.status_code == 200 and response.headers["content-type"] == media_type
        assert "max-age" in response.headers["cache-control"]
    assert httpx.get(server.base_url + "/docs/assets/../../etc/passwd").status_code == 404
    missing = httpx.get(server.base_url + "/docs/assets/missing.js")
    assert missing.status_code == 404 and missing.json()["type"] == "not_found"
