"""Bad input: a clear 400 naming the field and the rule, no charge, nothing created."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from openproducer.store.keys import find_key
from openproducer.store.tables import Task

GOOD_SOUND = "upbeat pop song with electronic synths and catchy melody"
GOOD_LYRICS = " ".join(["[Verse 1]", "walking through the city lights feeling the rhythm of the night",
                        "every step a new surprise under these electric skies we are alive"])


@pytest.fixture()
def key(server):
    return server.new_key(credits=50)


@pytest.fixture()
def client(server, key):
    with server.client(key) as c:
        yield c


def assert_rejected(client, body_or_content, field: str, status: int = 400, **kwargs):
    if isinstance(body_or_content, bytes):
        response = client.post("/producer/create", content=body_or_content,
                               headers={"Content-Type": "application/json"}, **kwargs)
    else:
        response = client.post("/producer/create", json=body_or_content, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] and field in body["error"], body
    assert "x-request-id" in response.headers
    assert client.get("/get-credits").json()["credits"] == 50, "a rejected request costs nothing"
    return body


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "sound"),
        ({"sound": "music"}, "sound"),
        ({"sound": "test"}, "sound"),
        ({"sound": "rock song"}, "sound"),
        ({"lyrics": "la la la"}, "lyrics"),
        ({"lyrics": "test lyrics here"}, "lyrics"),
        ({"sound": GOOD_SOUND, "lyrics": " ".join(["la"] * 30)}, "lyrics"),
        ({"sound": GOOD_SOUND, "title": "x" * 81}, "title"),
        ({"sound": GOOD_SOUND, "length": 0}, "length"),
        ({"sound": GOOD_SOUND, "length": 241}, "length"),
        ({"sound": GOOD_SOUND, "weirdness": 1.5}, "weirdness"),
        ({"sound": GOOD_SOUND, "sound_strength": 0.1}, "sound_strength"),
        ({"sound": GOOD_SOUND, "lyrics_strength": -0.1}, "lyrics_strength"),
        ({"sound": GOOD_SOUND, "cover_strength": 1.2}, "cover_strength"),
        ({"sound": GOOD_SOUND, "bpm": "fast"}, "bpm"),
        ({"sound": GOOD_SOUND, "bpm": 500}, "bpm"),
        ({"sound": GOOD_SOUND, "mv": "FUZZ-9"}, "mv"),
        ({"sound": GOOD_SOUND, "task_type": "make_coffee"}, "task_type"),
        ({"sound": GOOD_SOUND, "task_type": "extend_music"}, "clip_id"),
        ({"sound": GOOD_SOUND, "cover_url": "ftp://example.com/a.png"}, "cover_url"),
        ({"sound": GOOD_SOUND, "webhook_url": "not a url"}, "webhook_url"),
        ({"sound": GOOD_SOUND, "make_instrumental": "perhaps"}, "make_instrumental"),
        ({"lyrics": GOOD_LYRICS, "make_instrumental": True}, "sound"),
    ],
)
def test_rule_breaks_are_400_naming_the_field(client, body, field):
    assert_rejected(client, body, field)


def test_malformed_json_and_non_objects(client):
    assert_rejected(client, b'{"sound": ', "body")
    assert_rejected(client, b"[1, 2, 3]", "body")
    assert_rejected(client, b'"just a string"', "body")
    assert_rejected(client, b"", "body")


def test_oversized_body_is_413(client):
    big = b'{"sound": "' + b"a" * 1_100_000 + b'"}'
    assert_rejected(client, big, "body", status=413)


def test_unknown_fields_ignored_and_legacy_spellings_accepted(server, client):
    response = client.post("/producer/create", json={"sound": GOOD_SOUND, "make_instrumental": True, "length": 5,
                                                     "favourite_colour": "blue"})
    assert response.status_code == 200, response.text
    parent = server.wait(client, response.json()["task_id"])["data"][0]
    response = client.post("/producer/create", json={"task_type": "replace_music", "clip_id": parent["clip_id"],
                                                     "starts": 1, "ends": 3, "lyrics_text": GOOD_LYRICS})
    assert response.status_code == 200, response.text
    assert server.wait(client, response.json()["task_id"])["status"] == "SUCCESS"


def test_window_must_be_inside_parent(server, client):
    response = client.post("/producer/create", json={"sound": GOOD_SOUND, "make_instrumental": True, "length": 6})
    parent = server.wait(client, response.json()["task_id"])["data"][0]
    before = client.get("/get-credits").json()["credits"]
    for body, field in (
        ({"task_type": "extend_music", "starts_at": 60}, "starts_at"),
        ({"task_type": "replace_music", "starts_at": 2, "ends_at": 60}, "ends_at"),
        ({"task_type": "replace_music", "starts_at": 7}, "starts_at"),
        ({"task_type": "replace_music", "starts_at": 3, "ends_at": 3.5}, "ends_at"),
    ):
        response = client.post("/producer/create", json={"clip_id": parent["clip_id"], **body})
        assert response.status_code == 400 and field in response.json()["error"], response.text
    assert client.get("/get-credits").json()["credits"] == before


def test_auth_errors(server):
    with server.client(None) as anonymous:
        response = anonymous.get("/get-credits")
        assert response.status_code == 401
        assert response.json() == {"code": 401, "type": "unauthorized", "error": "Authorization header is missing."}
        response = anonymous.get("/get-credits", headers={"Authorization": "Token abc"})
        assert response.status_code == 401 and response.json()["error"] == "Invalid authorization format."
    with server.client("op_not-a-real-key") as stranger:
        assert stranger.get("/get-credits").status_code == 401


def test_other_keys_tasks_and_clips_are_404(server, client):
    response = client.post("/producer/create", json={"sound": GOOD_SOUND, "make_instrumental": True, "length": 4})
    task_id = response.json()["task_id"]
    clip = server.wait(client, task_id)["data"][0]
    with server.client(server.new_key(credits=50)) as other:
        assert other.get(f"/producer/task/{task_id}").status_code == 404
        response = other.post("/producer/create", json={"task_type": "extend_music", "clip_id": clip["clip_id"]})
        assert response.status_code == 404
        response = other.post("/producer/download", json={"clip_id": clip["clip_id"]})
        assert response.status_code == 404
        assert other.get("/get-credits").json()["credits"] == 50
    assert client.get("/producer/task/00000000-0000-0000-0000-000000000000").status_code == 404


def test_not_enough_credits_is_403_and_no_task(server):
    key = server.new_key(credits=5)
    with server.client(key) as poor:
        response = poor.post("/producer/create", json={"sound": GOOD_SOUND})
        assert response.status_code == 403
        assert response.json()["error"].startswith("The remaining credits are not enough")
        assert poor.get("/get-credits").json()["credits"] == 5
    with server.runtime.services.db.session(write=False) as session:
        key_id = find_key(session, key).id
        assert session.scalar(select(func.count()).where(Task.api_key_id == key_id)) == 0


def test_idempotency_key_charges_once(server):
    key = server.new_key(credits=100)
    with server.client(key) as c:
        body = {"sound": GOOD_SOUND, "make_instrumental": True, "length": 4}
        headers = {"Idempotency-Key": "abc-123"}
        first = c.post("/producer/create", json=body, headers=headers).json()["task_id"]
        second = c.post("/producer/create", json=body, headers=headers).json()["task_id"]
        assert first == second
        assert c.get("/get-credits").json()["credits"] == 90
        clash = c.post("/producer/create", json={**body, "length": 5}, headers=headers)
        assert clash.status_code == 400 and "Idempotency-Key" in clash.json()["error"]
        server.wait(c, first)
