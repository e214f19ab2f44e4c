"""`reverie serve` over a real socket: the OpenAI client, keys, bad input, streaming and the diary."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from cognition.config import load_settings
from cognition.diary import Diary
from cognition.keys import KeyStore
from reverie.server import ServeOptions, check_binding, create_app


@pytest.fixture()
def settings(home, tiny_model_dir):
    return load_settings(model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
                         system2={"answer_tokens": 12, "temperature": 0.0}, system1={"associate_tokens": 8})


@pytest.fixture()
def served(settings, live_server):
    return live_server(create_app(settings, ServeOptions(max_body_bytes=64 * 1024)))


def client(served, key="not-needed"):
    from openai import OpenAI

    return OpenAI(base_url=served.url + "/v1", api_key=key, max_retries=0, timeout=120)


def diary(settings, user="default"):
    return list(Diary(settings.home / "users" / user / "memory").entries())


def test_the_openai_client_lists_the_models_and_streams_a_turn_with_the_extension(served, settings):
    api = client(served)
    assert sorted(m.id for m in api.models.list()) == ["reverie", "reverie-no-system1", "reverie-system1"]
    chunks = list(api.chat.completions.create(
        model="reverie", stream=True, stream_options={"include_usage": True},
        messages=[{"role": "user", "content": "My sister Ilse lives in Ghent."}]))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] in ("stop", "length")
    last = chunks[-1].model_dump()
    assert last["choices"] == [] and last["usage"]["completion_tokens"] > 0
    extension = last["reverie"]
    assert extension["system1"] and extension["verdict"] in ("accept", "refine", "discard")
    [entry] = diary(settings)
    assert entry.id == extension["entry"]
    assert entry.text == "My sister Ilse lives in Ghent." and entry.reply == text.strip()


def test_a_plain_completion_carries_usage_history_and_recall(served, settings):
    api = client(served)
    first = api.chat.completions.create(model="reverie-no-system1",
                                        messages=[{"role": "user", "content": "My dog is called Biscuit."}])
    reply = first.choices[0].message.content
    assert reply and first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    assert first.model_dump()["reverie"]["system1"] is None
    second = api.chat.completions.create(model="reverie", messages=[
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "My dog is called Biscuit."},
        {"role": "assistant", "content": reply}, {"role": "user", "content": "What is my dog called?"}])
    extension = second.model_dump()["reverie"]
    assert extension["memories"][0] == first.model_dump()["reverie"]["entry"]
    assert [e.text for e in diary(settings)] == ["My dog is called Biscuit.", "What is my dog called?"]


def test_system1_alone_and_unrecorded_turns_write_nothing(served, settings):
    api = client(served)
    provocation = api.chat.completions.create(model="reverie-system1",
                                              messages=[{"role": "user", "content": "Rain on the tin roof"}])
    assert provocation.model_dump()["reverie"]["mode"] == "provocation"
    closed = api.chat.completions.create(model="reverie-system1", extra_body={"reverie": {"mode": "closed_book"}},
                                         messages=[{"role": "user", "content": "Where do I live?"}])
    assert closed.model_dump()["reverie"]["mode"] == "closed_book" and closed.choices[0].message.content is not None
    quiet = api.chat.completions.create(model="reverie", extra_body={"reverie": {"record": False}},
                                        messages=[{"role": "user", "content": "My PIN is nobody's business."}])
    assert quiet.choices[0].message.content and quiet.model_dump()["reverie"]["entry"] is None
    assert diary(settings) == []


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 400, "not valid JSON"),
    (json.dumps({"model": "reverie", "messages": []}).encode(), 400, "messages"),
    (json.dumps({"model": "reverie", "messages": [{"role": "user", "content": "  "}]}).encode(), 400, "empty"),
    (json.dumps({"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}).encode(), 404, "reverie-system1"),
    (json.dumps({"model": "reverie", "temperature": 7, "messages": [{"role": "user", "content": "hi"}]}).encode(),
     400, "temperature"),
    (json.dumps({"model": "reverie", "max_tokens": 0, "messages": [{"role": "user", "content": "hi"}]}).encode(),
     400, "max_tokens"),
    (json.dumps({"model": "reverie", "messages": [{"role": "assistant", "content": "hi"}]}).encode(), 400, "user"),
    (json.dumps({"model": "reverie", "messages": [{"role": "user", "content": "x" * 70_000}]}).encode(), 413, "limit"),
])
def test_bad_requests_get_openai_shaped_errors_and_write_nothing(served, settings, body, status, words):
    reply = httpx.post(served.url + "/v1/chat/completions", content=body,
                       headers={"Content-Type": "application/json"}, timeout=60)
    assert reply.status_code == status
    error = reply.json()["error"]
    assert words in error["message"] and error["type"]
    assert diary(settings) == []


def test_a_chunked_body_past_the_limit_is_refused(served):
    def parts():
        for _ in range(20):
            yield b"x" * 8192

    reply = httpx.post(served.url + "/v1/chat/completions", content=parts(), timeout=60)
    assert reply.status_code == 413


def test_keys_keep_each_user_to_their_own_memory(settings, live_server):
    keys = KeyStore(settings.home)
    _, alice = keys.add("alice")
    record_b, bob = keys.add("bob")
    server = live_server(create_app(settings))
    api_a, api_b = client(server, alice), client(server, bob)
    api_a.chat.completions.create(model="reverie-no-system1",
                                  messages=[{"role": "user", "content": "My locker code is 4471."}])
    note = httpx.post(server.url + "/v1/reverie/memories", json={"text": "Alice's bike is red."},
                      headers={"Authorization": f"Bearer {alice}"}, timeout=60)
    assert note.status_code == 201
    found = httpx.get(server.url + "/v1/reverie/memories", params={"q": "locker code bike"},
                      headers={"Authorization": f"Bearer {bob}"}, timeout=60)
    assert found.status_code == 200 and found.json() == {"memories": []}
    answer = api_b.chat.completions.create(model="reverie",
                                           messages=[{"role": "user", "content": "What is my locker code?"}])
    assert answer.model_dump()["reverie"]["memories"] == []
    status_b = httpx.get(server.url + "/v1/reverie/status", headers={"Authorization": f"Bearer {bob}"}).json()
    assert status_b["user"] == "bob" and status_b["diary"]["exchange"] == 1 and status_b["diary"]["note"] == 0
    assert [e.text for e in diary(settings, "alice")] == ["My locker code is 4471.", "Alice's bike is red."]

    for headers in ({}, {"Authorization": "Bearer rv-forged"}, {"Authorization": f"Basic {alice}"}):
        refused = httpx.get(server.url + "/v1/models", headers=headers, timeout=60)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_api_key"
    keys.revoke(record_b.id)
    assert httpx.get(server.url + "/v1/models", headers={"Authorization": f"Bearer {bob}"}).status_code == 401
    assert httpx.get(server.url + "/healthz").json()["status"] == "ok"


def test_without_keys_only_loopback_is_allowed(settings):
    keys = KeyStore(settings.home)
    with pytest.raises(ValueError, match="reverie keys add"):
        check_binding("0.0.0.0", keys)
    check_binding("127.0.0.1", keys)
    keys.add("carol")
    check_binding("0.0.0.0", keys)


def test_concurrent_turns_each_land_in_the_diary_once(served, settings):
    api = client(served)
    said = [f"Note number {i}: the heron came back." for i in range(6)]
    errors: list[BaseException] = []

    def turn(text):
        try:
            api.chat.completions.create(model="reverie", messages=[{"role": "user", "content": text}])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=turn, args=(t,)) for t in said]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    entries = diary(settings)
    assert sorted(e.text for e in entries) == sorted(said) and all(e.reply for e in entries)


def test_a_client_that_leaves_mid_stream_leaves_a_whole_exchange(served, settings):
    with httpx.stream("POST", served.url + "/v1/chat/completions", timeout=60, json={
            "model": "reverie", "stream": True, "messages": [{"role": "user", "content": "I moved to Leuven."}]}) as r:
        next(r.iter_lines())   # the first event, then hang up
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        entries = diary(settings)
        if entries and entries[0].reply is not None:
            break
        time.sleep(0.2)
    [entry] = diary(settings)
    assert entry.text == "I moved to Leuven." and entry.reply is not None


def test_sleep_starts_one_night_per_user_and_reports_it(served, settings):
    started = httpx.post(served.url + "/v1/reverie/sleep", timeout=60)
    assert started.status_code == 202
    job = started.json()["job"]
    again = httpx.post(served.url + "/v1/reverie/sleep", timeout=60)
    follow = httpx.get(served.url + f"/v1/reverie/sleep/{job}", timeout=60).json()
    assert again.status_code == 409 or follow["status"] != "running"
    assert httpx.get(served.url + "/v1/reverie/sleep/sleep-nope", timeout=60).status_code == 404


def test_the_published_schema_names_every_route(served):
    schema = httpx.get(served.url + "/openapi.json", timeout=60).json()
    assert {"/v1/chat/completions", "/v1/models", "/v1/reverie/memories", "/v1/reverie/status",
            "/v1/reverie/sleep", "/healthz"} <= set(schema["paths"])


def test_without_keys_a_name_other_than_loopback_is_refused(served, settings):
    rebound = httpx.get(served.url + "/v1/reverie/status", headers={"Host": "evil.example"}, timeout=60)
    assert rebound.status_code == 403 and rebound.json()["error"]["code"] == "host_refused"
    assert httpx.get(served.url + "/v1/reverie/status", headers={"Host": "localhost"}, timeout=60).status_code == 200
