"""The whole studio page in a real browser against a real server (the composer engine): enter a key,
see a validation message beside its field, create a song and watch its progress, play it, see the sung
word move, select a region on the waveform and replace it, see the child in the family tree, download
files that decode to audio of the clip's length, and find it all again after a reload."""

from __future__ import annotations

import re

import numpy as np
import pytest
import soundfile

from tests.web.conftest import use_key

pytest.importorskip("playwright", reason="the playwright package is not installed (test extra)")
from playwright.sync_api import expect  # noqa: E402

TASK_TIMEOUT_MS = 120_000


def wave_x(page, seconds: float, duration: float) -> tuple[float, float]:
    box = page.locator("#wave").bounding_box()
    return box["x"] + box["width"] * seconds / duration, box["y"] + box["height"] / 2


def decoded_seconds(path) -> tuple[float, float]:
    """(duration in seconds, RMS) of an audio file, decoded by libsndfile."""
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    return len(data) / rate, float(np.sqrt(np.mean(np.square(data))))


def test_make_play_replace_and_download(server, open_page, shots, artifacts):
    key = server.new_key(credits=1000)
    page = open_page(server.base_url + "/studio")
    expect(page.locator("#f-sound")).to_have_value(re.compile("rock anthem"))  # the vendor's example is the default
    shots(page, "page")

    use_key(page, key, 1000)
    shots(page, "key")

    # A rule the API enforces, shown beside the field it names; nothing is charged.
    page.locator("#f-sound").fill("test")
    page.locator("#submit").click()
    expect(page.locator("#error-sound")).to_be_visible()
    expect(page.locator("#error-sound")).to_contain_text("placeholder")
    expect(page.locator("#f-sound")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-sound")).to_be_focused()
    shots(page, "validation")

    # Create: an example prompt, a title, 20 seconds; the poll's stage and percent show while it runs.
    page.get_by_role("button", name="Rock anthem").click()
    expect(page.locator("#error-sound")).to_be_hidden()
    page.locator("#f-title").fill("City Lights")
    page.locator("#f-length").fill("20")
    page.locator("#submit").click()
    task = page.locator("#task-list .task").first
    expect(task).to_have_attribute("data-saw-progress", "true", timeout=TASK_TIMEOUT_MS)
    expect(task.locator(".task-stage")).to_have_text(re.compile(r"^(\w+ · \d+%|done · 100%)$"))
    shots(page, "progress")
    expect(page.locator("#clip-title")).to_have_text("City Lights", timeout=TASK_TIMEOUT_MS)
    expect(page.locator("#announce")).to_contain_text("ready")
    expect(page.locator("#credit-balance")).to_have_text("990")
    parent = page.evaluate("studio.player.clip")
    duration = parent["duration"]
    assert 15 <= duration <= 30, duration
    assert parent["lyrics_timing_markers"], "a sung song has word timings"
    page.wait_for_function("studio.player.waveform.peaks !== null")
    expect(page.locator("#wave-status")).to_be_hidden()
    expect(page.locator("#cover")).to_have_attribute("src", parent["image_url"])
    assert page.evaluate("document.getElementById('cover').naturalWidth") > 0, "the cover art loads"
    # Phrase-level check of the drawing: the canvas has both the waveform's colour and background.
    drawn = page.evaluate("""() => { const c = document.getElementById('wave');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++; return ink / (d.length / 4); }""")
    assert 0.05 < drawn < 0.95, f"waveform ink covers {drawn:.0%} of the canvas"
    shots(page, "song")

    # Play from the first sung word (clicking a word seeks there): time advances, the lit word moves on.
    page.locator("#karaoke .word").first.click()
    page.get_by_role("button", name="Play").click()
    start = page.evaluate("document.getElementById('audio').currentTime")
    page.wait_for_function(f"document.getElementById('audio').currentTime > {start + 1.0}")
    page.wait_for_function("document.querySelector('#karaoke .word.current') !== null")
    first = page.evaluate("Number(document.querySelector('#karaoke .word.current').dataset.index)")
    page.wait_for_function(
        f"(document.querySelector('#karaoke .word.current')?.dataset.index ?? '{first}') !== '{first}'",
        timeout=15_000,
    )
    later = page.evaluate("Number(document.querySelector('#karaoke .word.current').dataset.index)")
    assert later > first
    now = page.evaluate("document.getElementById('audio').currentTime")
    marker = parent["lyrics_timing_markers"][later]
    assert marker["start_s"] - 0.3 <= now <= marker["end_s"] + 2.0, (now, marker)
    shots(page, "karaoke")
    page.get_by_role("button", name="Pause").click()

    # Select 4 s to 9 s by dragging on the waveform, then move the end to 10 s with the keyboard.
    x0, y = wave_x(page, 4.0, duration)
    x1, _ = wave_x(page, 9.0, duration)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=10)
    page.mouse.up()
    assert float(page.locator("#pick-start").input_value()) == pytest.approx(4.0, abs=0.25)
    assert float(page.locator("#pick-end").input_value()) == pytest.approx(9.0, abs=0.25)
    wave = page.locator("#wave")
    expect(wave).to_be_focused()
    page.keyboard.press("Home")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("]")
    expect(page.locator("#pick-point")).to_have_value("10.0")
    expect(page.locator("#pick-end")).to_have_value("10.0")
    start_at = page.locator("#pick-start").input_value()
    expect(wave).to_have_attribute("aria-valuetext", re.compile(r"region .* to 10 seconds"))
    shots(page, "region")

    # Replace it: the action fills the form, the form's button sends it.
    page.get_by_role("button", name="Replace the region").click()
    expect(page.locator("#f-task_type")).to_have_value("replace_music")
    expect(page.locator("#f-clip_id")).to_have_value(parent["clip_id"])
    expect(page.locator("#f-starts_at")).to_have_value(start_at)
    expect(page.locator("#f-ends_at")).to_have_value("10.0")
    expect(page.locator("#f-length")).to_be_hidden()
    submit = page.locator("#submit")
    expect(submit).to_be_focused()
    expect(submit).to_have_text("Replace the section")
    shots(page, "replace-form")
    submit.click()
    child_row = page.locator(f'#tree li[data-clip-id="{parent["clip_id"]}"] > ul > li')
    expect(child_row).to_have_count(1, timeout=TASK_TIMEOUT_MS)
    expect(child_row).to_contain_text("replaced")
    expect(page.locator("#clip-title")).to_have_text("City Lights")  # the child is open now
    child = page.evaluate("studio.player.clip")
    assert child["clip_id"] != parent["clip_id"]
    assert child["metadata"]["parent_clip_id"] == parent["clip_id"]
    assert child["duration"] == pytest.approx(duration, abs=0.5)
    expect(page.locator("#credit-balance")).to_have_text("980")
    shots(page, "tree")

    # Downloads: the WAV and the MP3 decode to audio of the clip's length.
    for label, suffix, tolerance in (("WAV", "wav", 0.02), ("MP3", "mp3", 0.1)):
        with page.expect_download() as info:
            page.locator("#downloads").get_by_role("link", name=label, exact=True).click()
        download = info.value
        assert download.suggested_filename.endswith(f".{suffix}")
        saved = artifacts / f"downloaded-child.{suffix}"
        download.save_as(saved)
        seconds, rms = decoded_seconds(saved)
        assert seconds == pytest.approx(child["duration"], abs=tolerance), (label, seconds)
        assert rms > 0.01, f"the {label} is not silent"

    # A reload keeps the key, the tree and the open clip.
    page.reload()
    expect(page.locator("#credit-balance")).to_have_text("980")
    expect(page.locator(f'#tree li[data-clip-id="{parent["clip_id"]}"] > ul > li')).to_have_count(1)
    expect(page.locator(f'#tree li[data-clip-id="{child["clip_id"]}"] .node-open')).to_have_attribute(
        "aria-current", "true")
    page.wait_for_function("studio.player.waveform.peaks !== null")
    shots(page, "reloaded")
