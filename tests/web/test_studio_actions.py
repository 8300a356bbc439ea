"""Upload from a URL (good and bad), and every action on a clip: each fills the form with the right task
type, parent and fields; a variation of the upload runs for real and lands under it in the tree."""

from __future__ import annotations

import pytest

from tests.web.conftest import use_key

pytest.importorskip("playwright", reason="the playwright package is not installed (test extra)")
from playwright.sync_api import expect  # noqa: E402

TASK_TIMEOUT_MS = 120_000


def test_upload_from_a_url_and_every_action(server, open_page, shots):
    key = server.new_key(credits=100)
    with server.client(key) as client:  # a song on this server, whose files serve as "your own audio"
        task_id = client.post("/producer/create", json={
            "sound": "warm acoustic folk ballad with gentle guitar", "length": 10, "seed": 4,
            "lyrics": "[Verse]\nWalking down the empty road tonight\nCounting every star that fades from view\n"
                      "[Chorus]\nHold on to the morning light\nEvery mile brings me home to you"}).json()["task_id"]
        song = server.wait(client, task_id)["data"][0]
    page = open_page(server.base_url + "/studio")
    use_key(page, key, 90)
    url = page.locator("#f-audio_url")
    error = page.locator("#upload-error-audio_url")

    # Refused at once: not an http(s) URL; nothing charged.
    url.fill("ftp://example.com/song.mp3")
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(error).to_contain_text("http")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#credit-balance")).to_have_text("90")

    # Accepted, then failed by the server: a picture is not audio; the reason shows beside the field.
    url.fill(song["image_url"])
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#task-list .task.failed")).to_have_count(1, timeout=TASK_TIMEOUT_MS)
    expect(error).to_contain_text("audio")
    expect(page.locator("#credit-balance")).to_have_text("90")  # refunded
    shots(page, "upload-refused")

    url.fill(song["wav_url"])
    page.get_by_role("button", name="Upload", exact=True).click()
    node = page.locator("#tree > li")
    expect(node).to_have_count(1, timeout=TASK_TIMEOUT_MS)
    expect(node).to_contain_text("uploaded")
    expect(error).to_be_hidden()
    upload = page.evaluate("studio.player.clip")
    assert upload["metadata"]["source"] == "upload"
    assert upload["duration"] == pytest.approx(song["duration"], abs=0.1)
    expect(page.locator("#credit-balance")).to_have_text("88")
    page.wait_for_function("studio.player.waveform.peaks !== null")
    shots(page, "uploaded")

    def act(name: str, task_type: str) -> None:
        page.get_by_role("button", name=name, exact=True).click()
        expect(page.locator("#f-task_type")).to_have_value(task_type)
        expect(page.locator("#f-clip_id")).to_have_value(upload["clip_id"])

    act("Extend from the point", "extend_upload_music")
    expect(page.locator("#f-starts_at")).to_have_value(f"{upload['duration']:.1f}")  # no point: from the end
    expect(page.locator("#f-extend_s")).to_be_visible()
    # Replace needs a region first: the page says so and puts the focus on the waveform.
    page.get_by_role("button", name="Replace the region", exact=True).click()
    expect(page.locator("#extras-status")).to_contain_text("Drag across the waveform")
    expect(page.locator("#wave")).to_be_focused()
    expect(page.locator("#f-task_type")).to_have_value("extend_upload_music")
    act("Cover", "cover_music")
    expect(page.locator("#f-sound")).to_be_focused()
    expect(page.locator("#f-cover_strength")).to_be_visible()
    expect(page.locator("label[for=f-sound] .req")).to_be_visible()  # a cover needs a style
    act("Swap vocals", "swap_music_vocals")
    act("Swap sound", "swap_music_sound")
    expect(page.locator("#f-starts_at")).to_be_hidden()
    act("Variation", "music_variation")
    expect(page.locator("#f-cover_strength")).to_be_hidden()
    expect(page.locator("#f-weirdness")).to_be_focused()  # "More settings" opened for it
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#o-weirdness")).to_have_text("0.8")
    shots(page, "variation-form")

    page.locator("#submit").click()
    child = page.locator(f'#tree li[data-clip-id="{upload["clip_id"]}"] > ul > li')
    expect(child).to_have_count(1, timeout=TASK_TIMEOUT_MS)
    expect(child).to_contain_text("variation")
    made = page.evaluate("studio.player.clip")
    assert made["metadata"]["parent_clip_id"] == upload["clip_id"]
    assert '"weirdness": 0.8' in page.locator("#curl").text_content()
    expect(page.locator("#credit-balance")).to_have_text("78")
    shots(page, "variation-done")
