"""`reverie serve` and `reverie keys` as a person runs them: real processes, a real socket, the openai client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def reverie(home, *args, env=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "reverie", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "REVERIE_HOME": str(home), **(env or {})}, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def tiny_env(tiny_model_dir, models_dir):
    return {"REVERIE_MODEL__ID": str(tiny_model_dir), "REVERIE_MODEL__DTYPE": "float32",
            "REVERIE_MODEL__CONTEXT_TOKENS": "512", "REVERIE_SYSTEM2__ANSWER_TOKENS": "12",
            "REVERIE_MODELS_DIR": str(models_dir), "HF_HUB_OFFLINE": "1"}


def test_keys_are_shown_once_listed_without_the_key_and_revoked(home):
    made = reverie(home, "keys", "add", "alice", "--json")
    assert made.returncode == 0, made.stderr
    key = json.loads(made.stdout)
    assert key["user"] == "alice" and key["key"].startswith("rv-")
    listed = json.loads(reverie(home, "keys", "list", "--json").stdout)
    assert [k["user"] for k in listed["keys"]] == ["alice"] and key["key"] not in json.dumps(listed)
    assert key["key"] not in (home / "keys.json").read_text()
    bad = reverie(home, "keys", "add", "../bob", "--json")
    assert bad.returncode != 0 and "user" in json.loads(bad.stdout)["error"]
    gone = json.loads(reverie(home, "keys", "revoke", "alice", "--json").stdout)
    assert gone["revoked"] == [key["id"]]
    assert json.loads(reverie(home, "keys", "list", "--json").stdout)["keys"] == []


def test_serving_beyond_loopback_without_keys_is_refused_and_says_how(home):
    refused = reverie(home, "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert refused.returncode != 0
    assert "without API keys" in refused.stderr and "reverie keys add" in refused.stderr


def test_a_fresh_home_served_to_the_openai_client_streams_a_turn_into_the_diary(home, tiny_env):
    from openai import OpenAI

    from cognition.diary import Diary

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "reverie", "serve", "--port", str(port)],
                              env={**os.environ, "REVERIE_HOME": str(home), **tiny_env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stderr.read()
            assert time.monotonic() < deadline, "the server did not answer /healthz"
            time.sleep(0.2)
        api = OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=300)
        assert {m.id for m in api.models.list()} == {"reverie", "reverie-system1", "reverie-no-system1"}
        chunks = list(api.chat.completions.create(model="reverie", stream=True, messages=[
            {"role": "user", "content": "My sister Ilse lives in Ghent."}]))
        extension = chunks[-1].model_dump()["reverie"]
        assert extension["system1"] is not None and extension["verdict"] in ("accept", "refine", "discard")
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        [entry] = Diary(home / "users" / "default" / "memory").entries()
        assert entry.id == extension["entry"] and entry.reply == text.strip()
    finally:
        server.terminate()
        server.wait(timeout=60)
