"""Forgetting, as a person asks for it: the CLI, the server's route and what it removes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx

from cognition.config import load_settings
from consolidation.dataset import ReplayBuffer
from consolidation.examples import Example
from graphs.agent import Agent
from reverie.server import create_app


def _settings(tiny_model_dir):
    return load_settings(model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
                         system2={"answer_tokens": 8, "temperature": 0.0}, system1={"associate_tokens": 6})


def test_forgetting_removes_an_entry_from_the_diary_the_index_and_the_replay_buffer(home, tiny_model_dir):
    agent = Agent(_settings(tiny_model_dir))
    try:
        keep = agent.say("My sister Ilse lives in Ghent.", system1=False)
        drop = agent.say("My locker code at the gym is 4471.", system1=False)
        replay = ReplayBuffer(agent.user_home.replay)
        replay.add([Example("What is my locker code?", "Your locker code is 4471.", "fact", (drop.entry,)),
                    Example("Where does Ilse live?", "Ilse lives in Ghent.", "fact", (keep.entry,))])
        result = agent.forget([drop.entry])
        assert result == {"forgotten": [drop.entry], "examples_removed": 1}
        assert [e.prompt for e in replay.examples()] == ["Where does Ilse live?"]
        assert drop.entry not in [h.id for h in agent.index.search("locker code 4471", k=5)]
        assert [e.id for e in agent.diary.entries()] == [keep.entry]
        log = [json.loads(l) for l in (agent.user_home.root / "forgotten.jsonl").read_text().splitlines()]
        assert [r["id"] for r in log] == [drop.entry] and "4471" not in json.dumps(log)
    finally:
        agent.close()


def test_the_cli_lists_then_forgets_and_the_server_forgets_by_id(home, tiny_model_dir, models_dir, live_server):
    settings = _settings(tiny_model_dir)
    agent = Agent(settings)
    first = agent.say("I used to live at 12 Elm Street.", system1=False)
    second = agent.say("My bike is a green Gazelle.", system1=False)
    agent.close()
    env = {**os.environ, "REVERIE_HOME": str(home), "REVERIE_MODEL__ID": str(tiny_model_dir),
           "REVERIE_MODELS_DIR": str(models_dir), "HF_HUB_OFFLINE": "1"}

    def forget(*args):
        done = subprocess.run([sys.executable, "-m", "reverie", "forget", *args, "--json"], capture_output=True,
                              text=True, env=env, timeout=600)
        return done.returncode, json.loads(done.stdout)

    rc, listed = forget("Elm Street address")
    assert rc == 0 and listed["forgotten"] == [] and listed["matches"][0]["id"] == first.entry
    rc, done = forget("--entry", first.entry)
    assert rc == 0 and done["forgotten"] == [first.entry]
    rc, bad = forget("--entry", "20260101-000000-nosuch")
    assert rc != 0 and "no diary entry" in bad["error"]

    server = live_server(create_app(settings))
    gone = httpx.delete(f"{server.url}/v1/reverie/memories/{second.entry}", timeout=60)
    assert gone.status_code == 200 and gone.json()["forgotten"] == [second.entry]
    again = httpx.delete(f"{server.url}/v1/reverie/memories/{second.entry}", timeout=60)
    assert again.status_code == 404
    left = httpx.get(f"{server.url}/v1/reverie/memories", params={"q": "bike Gazelle Elm"}, timeout=60).json()
    assert left == {"memories": []}


def test_the_next_night_rebuilds_the_adapter_without_what_was_forgotten(home, tiny_model_dir):
    from graphs.night import Night

    settings = load_settings(
        model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system1={"associate_tokens": 6, "answer_tokens": 8}, system2={"answer_tokens": 8},
        sleep={"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
               "self_test_threshold": 0.0, "drift_bound": 1000.0, "quiz_drop_bound": 1.0, "anchor_weight": 0.0})
    agent = Agent(settings)
    try:
        secret = agent.diary.write("exchange", "My locker code at the gym is 4471.", reply="Noted.")
        first = Night(agent).run(priority=False)
        kept = agent.diary.write("exchange", "My sister Ilse lives in Ghent.", reply="Noted.")
        second = Night(agent).run(priority=False)
        assert first["promoted"] and second["promoted"]
        v1, v2 = first["version"], second["version"]
        assert secret.id in agent.adapters.sources(v1) and agent.adapters.manifest(v2)["parent"] == v1

        agent.forget([secret.id])
        third = Night(agent).run(priority=False)
        assert third["promoted"] and third["rebuild"]["discarded"] == [v2, v1]
        v3 = third["version"]
        manifest = agent.adapters.manifest(v3)
        assert manifest["parent"] is None and manifest["forgotten"] == [secret.id]
        assert secret.id not in agent.adapters.sources(v3) and kept.id in agent.adapters.sources(v3)
        for gone in (v1, v2):   # the weights that learned it are gone; what they were stays on record
            assert agent.adapters.manifest(gone)["status"] == "erased"
            assert [p.name for p in agent.adapters.path(gone).iterdir()] == ["manifest.json"]
        assert "4471" not in json.dumps(manifest)
        fourth = Night(agent).run(priority=False)   # done once: the next night has nothing to unlearn
        assert fourth.get("rebuild") is None
    finally:
        agent.close()
