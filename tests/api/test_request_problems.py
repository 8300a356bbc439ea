"""A request with several mistakes hears of all of them; unknown fields are named, not dropped unseen."""

from __future__ import annotations

GOOD_SOUND = "upbeat pop song with electronic synths and catchy melody"


def test_every_mistake_in_one_400(fake_server):
    live = fake_server()
    with live.client(live.new_key(credits=50)) as client:
        response = client.post("/producer/create", json={"sound": "rock song", "weirdness": 3, "length": 0,
                                                         "title": "x" * 81})
        assert response.status_code == 400
        body = response.json()
        fields = [p["field"] for p in body["errors"]]
        assert set(fields) == {"weirdness", "length", "title"}, body
        for field in fields:
            assert field in body["error"]
        # Types right, rules broken: every rule is reported too.
        response = client.post("/producer/create", json={"sound": "rock song", "lyrics": "la la la", "bpm": "fast",
                                                         "mv": "FUZZ-9", "cover_url": "ftp://x/y.png"})
        body = response.json()
        assert response.status_code == 400
        assert {p["field"] for p in body["errors"]} == {"sound", "lyrics", "bpm", "mv", "cover_url"}, body
        assert len(body["errors"]) == 5 and all(p["field"] in body["error"] for p in body["errors"])
        assert client.get("/get-credits").json()["credits"] == 50


def test_unknown_fields_are_named_in_the_warning(fake_server):
    live = fake_server()
    with live.client(live.new_key(credits=50)) as client:
        response = client.post("/producer/create", json={"sound": GOOD_SOUND, "make_instrumental": True,
                                                         "lenght": 30, "favourite_colour": "blue"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"message", "task_id", "warning"}
        assert "lenght (did you mean length?)" in body["warning"] and "favourite_colour" in body["warning"]
        clean = client.post("/producer/create", json={"sound": GOOD_SOUND, "make_instrumental": True, "length": 3})
        assert set(clean.json()) == {"message", "task_id"}  # no warning key when nothing was ignored
