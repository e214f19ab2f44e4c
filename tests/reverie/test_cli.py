"""The CLI contracts of DESIGN.md, run as a user runs them: a real process on the embedded model."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest


def run(home, *args, stdin: bytes | None = None, env: dict | None = None):
    full_env = {**os.environ, "REVERIE_HOME": str(home), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "reverie", *args], input=stdin, capture_output=True,
                          env=full_env, timeout=600)
    return proc


def run_json(home, *args, **kwargs) -> dict:
    proc = run(home, *args, "--json", **kwargs)
    lines = proc.stdout.decode().strip().splitlines()
    assert len(lines) == 1, f"expected one JSON line, got {proc.stdout!r} (stderr {proc.stderr[-2000:]!r})"
    return {"rc": proc.returncode, **json.loads(lines[0])}


def test_importing_the_cli_loads_no_model_library():
    code = "import reverie.cli, cognition.config, sys; print(sorted({'torch','transformers','chromadb'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_the_commands(home):
    proc = run(home, "--help")
    assert proc.returncode == 0
    for command in ("say", "ask", "chat", "status", "memory"):
        assert command in proc.stdout.decode()


@pytest.mark.embedded
def test_say_remember_search_reindex_and_ask(home):
    said = run_json(home, "say", "My sister Ilse lives in Ghent.")
    assert said["rc"] == 0
    assert set(said) >= {"answer", "system1", "verdict", "memories", "timings"}
    assert said["answer"] and said["system1"] and said["verdict"] in ("accept", "refine", "discard")
    assert set(said["timings"]) >= {"perceive", "recall", "intuit", "deliberate", "remember"}

    diary = list((home / "users" / "default" / "memory").glob("*.md"))
    assert len(diary) == 1 and "My sister Ilse lives in Ghent." in diary[0].read_text()

    found = run_json(home, "memory", "search", "Ilse")
    assert found["hits"][0]["id"] == said["entry"]

    shutil.rmtree(home / "users" / "default" / "index")
    assert run_json(home, "memory", "search", "Ilse")["hits"] == []
    assert run_json(home, "memory", "reindex")["indexed"] == 1
    assert run_json(home, "memory", "search", "Ilse")["hits"][0]["id"] == said["entry"]

    closed = run_json(home, "ask", "Where does my sister live?", "--closed-book")
    assert closed["answer"] and closed["adapter"] is None

    ablated = run_json(home, "say", "Where does my sister live?", "--no-system1")
    assert ablated["system1"] is None and ablated["verdict"] is None
    assert said["entry"] in ablated["memories"]

    status = run_json(home, "status")
    assert status["diary"]["exchange"] == 2 and status["chemistry"]["adenosine"] > 0


@pytest.mark.embedded
def test_bad_input_is_reported_and_nothing_is_lost(home):
    empty = run_json(home, "say", "   ")
    assert empty["rc"] != 0 and "empty" in empty["error"]

    broken = run_json(home, "say", "-", stdin="Caf\xe9 in Ghent".encode("latin-1"))
    assert broken["rc"] != 0 and "UTF-8" in broken["error"] and "byte 3" in broken["error"]
    assert not list((home / "users" / "default" / "memory").glob("*.md"))

    huge = ("Notes on the ferry engines. " * 40000)[:1_000_000]
    result = run_json(home, "say", "-", "--no-system1", stdin=huge.encode(), env={"REVERIE_SYSTEM2__ANSWER_TOKENS": "16"})
    assert result["rc"] == 0 and any("cut" in n for n in result["notes"])
    day = next((home / "users" / "default" / "memory").glob("*.md"))
    from cognition.diary import Diary

    assert Diary(day.parent).get(result["entry"]).text == huge


def test_a_missing_model_says_how_to_repair_it(home, tmp_path):
    result = run_json(home, "ask", "Hello?", "--closed-book",
                      env={"REVERIE_MODELS_DIR": str(tmp_path / "empty"), "REVERIE_MODEL__ID": "no-such-model"})
    assert result["rc"] != 0 and "make setup" in result["error"]


@pytest.mark.embedded
def test_corrections_stress_the_agent_its_rumination_and_its_night_show_it(home):
    """Issue 4's scripted session: three corrections → stressed rumination → boosted examples."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        "[sleep]\nrem_cycles_min = 1\nrem_cycles_max = 1\niterations_per_cycle = 4\n"
        "self_test_threshold = 0.0\ndrift_bound = 1000.0\nanchor_weight = 0.0\n", encoding="utf-8")
    session = "\n".join(["I live in Leeds and my cat is called Toppen.",
                         "No, that's wrong: I live in York, not Leeds.",
                         "No, my cat is called Tuppen, not Toppen.",
                         "That's not right either. My sister is Ilse, not Ilsa.", "/quit"]) + "\n"
    assert run(home, "chat", "--no-system1", stdin=session.encode()).returncode == 0
    status = run_json(home, "status")
    assert status["chemistry"]["stressed"] and status["chemistry"]["cortisol"] > 0.6

    thought = run_json(home, "ruminate")
    assert thought["rc"] == 0 and thought["written"] and thought["variant"] == "stressed" and thought["text"]
    diary = "".join(p.read_text(encoding="utf-8") for p in (home / "users/default/memory").glob("*.md"))
    assert f"· thought · `{thought['entry']}`" in diary

    night = run_json(home, "sleep")
    assert night["rc"] == 0, night
    boosted = night["examples"]["boosted_by_kind"]
    assert boosted.get("correction", 0) >= 3 and boosted.get("thought", 0) >= 1
