"""Accessibility, measured in the browser: every control has a name (Chromium's own accessibility tree),
text and controls meet WCAG AA contrast in the light and the dark scheme, the focus order follows the
page and the focus is always visible, progress is announced, and a song can be made, found and played
with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import use_key

pytest.importorskip("playwright", reason="the playwright package is not installed (test extra)")
from playwright.sync_api import expect  # noqa: E402

TASK_TIMEOUT_MS = 120_000
INTERACTIVE = {"button", "textbox", "combobox", "checkbox", "slider", "link", "spinbutton", "searchbox",
               "listbox", "radio", "switch", "tab", "menuitem", "DisclosureTriangle"}

CONTRAST_JS = (Path(__file__).parent / "contrast.js").read_text()

FOCUS_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    id: el.id, tag: el.tagName.toLowerCase(), text: (el.textContent || '').trim().slice(0, 40),
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    onScreen: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
  };
}"""


@pytest.fixture(scope="module")
def made(server):
    """A key and a finished sung song, made through the API."""
    key = server.new_key(credits=1000)
    with server.client(key) as client:
        task_id = client.post("/producer/create", json={
            "sound": "Calm ambient meditation music with soft piano and gentle strings", "length": 15, "seed": 5,
            "lyrics": "[Verse]\nWalking through the city lights\nFeeling the rhythm of the night\n"
                      "Every step a new surprise\nUnder these electric skies\n"
                      "[Chorus]\nWe're alive, we're free tonight",
        }).json()["task_id"]
        body = server.wait(client, task_id)
    return key, task_id, body["data"][0]


def open_with_clip(open_page, server, made, **options):
    key, task_id, clip = made
    page = open_page(server.base_url + "/studio", **options)
    use_key(page, key, 990)
    page.locator("#f-load-task").fill(task_id)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#clip-id")).to_have_text(clip["clip_id"], timeout=TASK_TIMEOUT_MS)
    page.wait_for_function("studio.player.waveform.peaks !== null")
    return page


def test_every_control_has_a_name_and_the_page_has_landmarks(server, open_page, made):
    page = open_with_clip(open_page, server, made)
    page.locator("details.more > summary").click()
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    controls = [n for n in nodes if not n.get("ignored") and n.get("role", {}).get("value") in INTERACTIVE]
    assert len(controls) > 40, "the tree lists the page's controls"
    unnamed = [(n["role"]["value"], n.get("backendDOMNodeId")) for n in controls
               if not str(n.get("name", {}).get("value", "")).strip()]
    assert unnamed == [], f"controls without an accessible name: {unnamed}"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").count() == 1
    for landmark in ("banner", "main"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    # Every visible form field is labelled by a <label> (not only a placeholder).
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => el.checkVisibility() && el.labels.length === 0).map((el) => el.id)""")
    assert unlabelled == []
    # Progress is announced politely; errors are alerts.
    expect(page.locator("#announce")).to_have_attribute("aria-live", "polite")
    expect(page.locator("#form-error")).to_have_attribute("role", "alert")
    slider = page.get_by_role("slider", name="Waveform: point and region")
    expect(slider).to_have_attribute("aria-valuemax", str(round(made[2]["duration"], 1)).removesuffix(".0"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_contrast_meets_wcag_aa(server, open_page, made, shots, scheme):
    page = open_with_clip(open_page, server, made, color_scheme=scheme)
    # Show the states that have their own colours: a lit word, sung words, a field's error, a region.
    page.locator("#karaoke .word").nth(3).click()
    page.evaluate("studio.player.karaoke.update(studio.player.audio.currentTime + 0.05)")
    expect(page.locator("#karaoke .word.current")).to_have_count(1)
    page.locator("#pick-start").fill("2")
    page.keyboard.press("Tab")  # a start alone: the region runs to the end
    expect(page.locator("#pick-end")).to_have_value(f"{made[2]['duration']:.1f}")
    page.locator("#pick-end").fill("6")
    page.keyboard.press("Tab")
    assert page.evaluate("studio.player.waveform.region") == {"start": 2, "end": 6}
    page.locator("#f-sound").fill("test")
    page.locator("#submit").click()
    expect(page.locator("#error-sound")).to_be_visible()
    page.locator("details.more > summary").click()
    result = page.evaluate(CONTRAST_JS)
    shots(page, scheme)
    assert result["checked"]["text"] > 80 and result["checked"]["controls"] > 30, result["checked"]
    assert result["failures"] == [], result["failures"]


def tab_to(page, selector: str, limit: int = 120) -> list[dict]:
    """Press Tab until `selector` has the focus; every stop's focus must be visible and on screen."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_JS)
        stops.append(stop)
        assert stop["ring"], f"no visible focus on {stop}"
        assert stop["onScreen"], f"the focused element is off screen: {stop}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return stops
    raise AssertionError(f"Tab never reached {selector}: {[s['id'] or s['text'] for s in stops]}")


def test_keyboard_alone_makes_finds_and_plays_a_song(server, open_page, shots):
    key = server.new_key(credits=100)
    page = open_page(server.base_url + "/studio")
    stops = tab_to(page, "#api-key")
    assert [s["text"] for s in stops[:3]] == ["Skip to the form", "Skip to the player", "Skip to your clips"]
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.locator("#credit-balance")).to_have_text("100")

    # The form's order is the page's order; fields of other task types are not in it.
    stops = tab_to(page, "#f-make_instrumental")
    order = [s["id"] or s["text"] for s in stops]
    expected = ["Use key", "key-forget", "f-task_type", "f-sound", "Rock anthem", "Ambient piano", "90s hip-hop",
                "f-lyrics", "example-lyrics", "clear-lyrics", "f-make_instrumental"]
    assert [o for o in order if o in expected] == expected, order
    assert "f-clip_id" not in order and "f-starts_at" not in order
    page.keyboard.press("Space")
    expect(page.locator("#f-make_instrumental")).to_be_checked()
    tab_to(page, "#f-length")
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    stops = tab_to(page, "#submit")
    assert [s["id"] or s["text"] for s in stops][-1] == "submit"
    page.keyboard.press("Enter")
    expect(page.locator("#announce")).not_to_be_empty()
    link = page.get_by_role("link", name="Go to the player")
    expect(link).to_be_visible(timeout=TASK_TIMEOUT_MS)
    shots(page, "done")

    # From the finished task to the player, then play and pick a point, all by keyboard.
    tab_to(page, ".task-open")
    page.keyboard.press("Enter")
    expect(page.locator("#player")).to_be_focused()
    tab_to(page, "#play")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('audio').currentTime > 0.5")
    tab_to(page, "#wave")
    page.keyboard.press("Space")  # Space on the waveform pauses
    page.wait_for_function("document.getElementById('audio').paused")
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#pick-point")).to_have_value("3.1")
    page.keyboard.press("Enter")  # jump there
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(3.1, abs=0.05)
    shots(page, "waveform-focus", full_page=False)
