"""The page on a phone-sized touch screen (390×844): one column, nothing wider than the screen, touch
targets of at least 24×24 px, and a whole round trip by touch: create an instrumental, tap a point on
the waveform, extend from it, and find the child under its parent."""

from __future__ import annotations

import pytest

from tests.web.conftest import PHONE, use_key

pytest.importorskip("playwright", reason="the playwright package is not installed (test extra)")
from playwright.sync_api import expect  # noqa: E402

TASK_TIMEOUT_MS = 120_000

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
SMALL_TARGETS = """() => [...document.querySelectorAll('button, a[href], input, select, textarea, summary, canvas')]
  .filter((el) => el.checkVisibility() && !el.closest('p, #activity'))
  .map((el) => [el.id || el.name || el.textContent.trim().slice(0, 30), el.getBoundingClientRect()])
  .filter(([, box]) => box.width < 24 || box.height < 24)
  .map(([name, box]) => `${name} ${Math.round(box.width)}x${Math.round(box.height)}`)"""


def test_phone_create_tap_a_point_and_extend(server, open_page, shots):
    key = server.new_key(credits=100)
    page = open_page(server.base_url + "/studio", viewport=PHONE, is_mobile=True, has_touch=True,
                     device_scale_factor=2)
    shots(page, "page")
    assert page.evaluate(OVERFLOW) <= 0, "the page scrolls sideways on a phone"
    columns = page.evaluate("getComputedStyle(document.querySelector('.layout')).gridTemplateColumns")
    assert len(columns.split()) == 1, f"one column on a phone, got {columns}"

    use_key(page, key, 100)
    page.get_by_role("button", name="Ambient piano").tap()
    page.locator("#f-make_instrumental").tap()
    page.locator("#f-length").fill("12")
    page.locator("#submit").tap()
    expect(page.locator("#player-body")).to_be_visible(timeout=TASK_TIMEOUT_MS)
    page.wait_for_function("studio.player.waveform.peaks !== null")
    parent = page.evaluate("studio.player.clip")
    expect(page.locator("#karaoke")).to_contain_text("No sung words")
    page.locator("#player").scroll_into_view_if_needed()
    shots(page, "song", full_page=False)
    assert page.evaluate(OVERFLOW) <= 0, "the player fits the screen"
    assert page.evaluate(SMALL_TARGETS) == [], "touch targets under 24×24 px"

    # Tap the middle of the waveform: the point (and the player) go there.
    wave = page.locator("#wave")
    box = wave.bounding_box()
    wave.tap(position={"x": box["width"] / 2, "y": box["height"] / 2})
    point = float(page.locator("#pick-point").input_value())
    assert point == pytest.approx(parent["duration"] / 2, abs=0.3)
    assert page.evaluate("document.getElementById('audio').currentTime") == pytest.approx(point, abs=0.3)
    shots(page, "point", full_page=False)

    page.get_by_role("button", name="Extend from the point").tap()
    expect(page.locator("#f-task_type")).to_have_value("extend_music")
    expect(page.locator("#f-starts_at")).to_have_value(f"{point:.1f}")
    page.locator("#f-extend_s").fill("10")
    shots(page, "extend-form", full_page=False)
    page.locator("#submit").tap()
    child_row = page.locator(f'#tree li[data-clip-id="{parent["clip_id"]}"] > ul > li')
    expect(child_row).to_have_count(1, timeout=TASK_TIMEOUT_MS)
    expect(child_row).to_contain_text(f"extended from {point:.1f} s")
    child = page.evaluate("studio.player.clip")
    assert child["metadata"]["parent_clip_id"] == parent["clip_id"]
    assert child["duration"] > point + 5, (point, child["duration"])
    page.locator("#library").scroll_into_view_if_needed()
    shots(page, "tree", full_page=False)
    shots(page, "whole-page")
    assert page.evaluate(OVERFLOW) <= 0
