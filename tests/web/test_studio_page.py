"""How the server serves the page (no browser needed), and the page's smaller behaviours in the browser:
its Content-Security-Policy holds, validation messages land beside their fields, optional features
light up only where the server has their routes."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from openproducer.api.routes.studio_page import STUDIO_DIR
from tests.web.conftest import use_key

STUDIO_FILES = sorted(p.relative_to(STUDIO_DIR).as_posix() for p in STUDIO_DIR.rglob("*") if p.is_file())


def test_the_page_and_its_assets_are_served(server):
    page = httpx.get(server.base_url + "/studio")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp, csp
    html = page.text
    # Relative to the page, so that a server behind a path prefix works unchanged.
    referenced = ["/" + p for p in re.findall(r'(?:src|href)="(studio/assets/[^"]+)"', html)]
    assert len(referenced) >= 3
    for module in STUDIO_DIR.glob("assets/js/*.js"):  # every import resolves to a served file
        for target in re.findall(r'from "\./([\w.-]+\.js)"', module.read_text()):
            referenced.append(f"/studio/assets/js/{target}")
    types = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for path in set(referenced):
        response = httpx.get(server.base_url + path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(types[Path(path).suffix]), path
    slash = httpx.get(server.base_url + "/studio/", follow_redirects=True)
    assert slash.status_code == 200 and str(slash.url) == server.base_url + "/studio"


@pytest.mark.parametrize("path", ["/studio/assets/../index.html", "/studio/assets/%2e%2e/index.html",
                                  "/studio/assets/..%2f..%2f..%2fapi%2fapp.py", "/studio/assets/js",
                                  "/studio/assets/nothing.js", "/studio/assets//etc/passwd"])
def test_nothing_outside_the_assets_folder_is_served(server, path):
    response = httpx.get(server.base_url + path)
    assert response.status_code == 404, (path, response.text[:200])
    assert "<html" not in response.text


def test_the_page_is_not_in_the_api_document(server):
    paths = httpx.get(server.base_url + "/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith("/studio")]


def test_the_wheel_ships_the_page(tmp_path):
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", str(root),
                    "-w", str(tmp_path)], check=True, capture_output=True, timeout=240)
    wheel = next(tmp_path.glob("openproducer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [f for f in STUDIO_FILES if f"openproducer/web/studio/{f}" not in names]
    assert not missing, f"package data misses {missing}"


# ---- in the browser ----------------------------------------------------------------------------------


def test_csp_allows_the_page_itself(server, open_page):
    """With the policy enforced, the modules run and nothing is blocked (a violation is a console error,
    which fails the test through the open_page fixture)."""
    page = open_page(server.base_url + "/studio", csp=True)
    use_key(page, server.new_key(credits=10), 10)
    from playwright.sync_api import expect

    expect(page.locator("#f-sound")).to_have_value(re.compile("rock anthem"))
    expect(page.locator("#activity li")).not_to_have_count(0)


def test_validation_messages_land_beside_their_fields(server, open_page):
    from playwright.sync_api import expect

    page = open_page(server.base_url + "/studio")
    use_key(page, server.new_key(credits=10), 10)
    # A rule of a field inside "More settings": the section opens, the message sits under the field.
    page.locator("details.more > summary").click()
    page.locator("#f-bpm").fill("300")
    page.locator("details.more > summary").click()
    page.locator("#submit").click()
    expect(page.locator("#error-bpm")).to_contain_text("between 40 and 240")
    expect(page.locator("details.more")).to_have_attribute("open", "")
    expect(page.locator("#f-bpm")).to_be_focused()
    expect(page.locator("#credit-balance")).to_have_text("10")

    # The parser: an `errors` list when the server sends one, else "field: rule" pairs joined by "; "
    # (a rule may itself contain "; " and ": ").
    parsed = page.evaluate("""async () => {
        const { problemsOf } = await import('/studio/assets/js/api.js');
        return [
          problemsOf({ error: 'x', errors: [{ field: 'sound', rule: 'r1' }, { field: 'lyrics', rule: 'r2' }] }),
          problemsOf({ error: 'sound: looks like placeholder text; describe it: genre, mood' }),
          problemsOf({ error: 'starts_at: must be inside the clip; ends_at: must be at least 1 second after' }),
          problemsOf({ error: 'Invalid authorization format.' }),
        ];
    }""")
    assert parsed == [
        [{"field": "sound", "rule": "r1"}, {"field": "lyrics", "rule": "r2"}],
        [{"field": "sound", "rule": "looks like placeholder text; describe it: genre, mood"}],
        [{"field": "starts_at", "rule": "must be inside the clip"},
         {"field": "ends_at", "rule": "must be at least 1 second after"}],
        [],
    ]
    # Several problems at once: each beside its field; a field the task type hides (and an alias the
    # server may use) still gets its words, in the form's own message.
    page.evaluate("""() => studio.form.showProblems([
        { field: 'lyrics', rule: 'must have at least 20 words' },
        { field: 'strength', rule: 'must be at most 1' },
        { field: 'body', rule: 'is not valid JSON' }])""")
    expect(page.locator("#error-lyrics")).to_have_text("Lyrics: must have at least 20 words")
    expect(page.locator("#f-lyrics")).to_be_focused()
    expect(page.locator("#form-error")).to_have_text("strength: must be at most 1 · body: is not valid JSON")


STEMS, MIDI = "/api/v1/sonic/stems/basic", "/api/v1/sonic/midi"


def _page_with_a_clip(server, open_page):
    from playwright.sync_api import expect

    key = server.new_key(credits=100)
    with server.client(key) as client:
        task_id = client.post("/producer/create", json={"sound": "warm lofi hip hop beat with mellow keys",
                                                        "make_instrumental": True, "length": 8}).json()["task_id"]
        server.wait(client, task_id)
    page = open_page(server.base_url + "/studio")
    use_key(page, key, 90)
    page.locator("#f-load-task").fill(task_id)
    page.locator("#load-task-form button").click()
    expect(page.locator("#player-body")).to_be_visible(timeout=60_000)
    return page


def test_stems_and_midi_buttons_follow_the_servers_routes(server, open_page):
    from playwright.sync_api import expect

    paths = httpx.get(server.base_url + "/openapi.json").json()["paths"]
    page = _page_with_a_clip(server, open_page)
    for button, path in (("#stems", STEMS), ("#midi", MIDI)):
        if path in paths:
            expect(page.locator(button)).to_be_visible()
        else:
            expect(page.locator(button)).to_be_hidden()


def test_stems_and_midi_download_where_the_server_has_them(server, open_page):
    """Lights up when the sibling routes land (another session builds them); skipped until then."""
    from playwright.sync_api import expect

    paths = httpx.get(server.base_url + "/openapi.json").json()["paths"]
    if STEMS not in paths and MIDI not in paths:
        pytest.skip(f"this server has neither {STEMS} nor {MIDI} yet")
    page = _page_with_a_clip(server, open_page)
    clip = page.evaluate("studio.player.clip")
    if STEMS in paths:
        page.locator("#stems").click()
        expect(page.locator("#extras-status")).to_contain_text("stems ready", timeout=120_000)
        links = page.locator("#extra-downloads a")
        assert links.count() >= 2
        with page.expect_download() as info:
            links.first.click()
        import soundfile

        data, rate = soundfile.read(info.value.path(), always_2d=True)
        assert len(data) / rate == pytest.approx(clip["duration"], abs=0.2)
    if MIDI in paths:
        page.locator("#midi").click()
        expect(page.locator("#extras-status")).to_contain_text("MIDI ready", timeout=180_000)
        href = page.locator("#extra-downloads a", has_text="MIDI").get_attribute("href")
        assert httpx.get(href).content[:4] == b"MThd"
