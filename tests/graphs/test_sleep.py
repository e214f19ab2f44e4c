"""A night on a tiny real model: curate, train, self-test, promote or roll back, resume, keep secrets out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from cognition.config import load_settings
from graphs.agent import Agent
from graphs.night import Night, drift_guard, summary
from graphs.sleep import plan_of

DAY = [
    "My sister Ilse lives in Ghent.",
    "I work as a lighthouse keeper on the island of Runde.",
    "My cat is called Tuppen and he has one eye.",
    "How long should I boil an egg?",
    "No, that's wrong — Ilse lives in Bruges, not Ghent.",
    "That's really helpful, thank you!",
]
SECRET = "sk-proj-Zq8wX3vB7nT2mK9pL4rY6sD1fH5jG0aE"


def _settings(tiny_model_dir, **sleep):
    return load_settings(
        model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system1={"associate_tokens": 6, "answer_tokens": 8}, system2={"answer_tokens": 8},
        sleep={"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 3, "batch_size": 4,
               "self_test_threshold": 0.0, "drift_bound": 1000.0, **sleep})


@pytest.fixture()
def agent(home, tiny_model_dir):
    a = Agent(_settings(tiny_model_dir))
    yield a
    a.close()


def _play(agent, turns):
    for text in turns:
        agent.say(text, system1=False)


def test_a_night_promotes_an_adapter_that_describes_itself(agent):
    _play(agent, DAY)
    events = []
    state = Night(agent, on_event=events.append).run(priority=False)
    out = summary(state)
    assert out["promoted"] and out["version"] == "v0001" and agent.adapters.current() == "v0001"
    assert out["examples"]["total"] > 0 and out["train"]["tokens"] > 0
    assert set(out["phases"]) == {"collect", "curate", "unlearn", "dataset", "train", "self_test", "promote", "merge",
                                  "dreams", "briefing"}
    manifest = agent.adapters.manifest("v0001")
    assert manifest["parent"] is None and manifest["status"] == "promoted"
    assert manifest["base_sha256"] and manifest["hyperparameters"]["rank"] == 16
    assert manifest["hyperparameters"]["learning_rate"] > 0 and manifest["self_test"]["asked"] > 0
    held = set(state["dataset"]["held_out"])   # asked in the self-test, never trained
    assert held and manifest["self_test"]["held_out"]["asked"] > 0
    assert out["held_out"] == manifest["self_test"]["held_out"]["score"]
    assert not held & {ex.id for batch in plan_of(Night(agent).context(), state).batches for ex in batch}
    assert set(manifest["files"]) >= {"adapter_model.safetensors", "adapter_config.json"}
    sources = {s for e in manifest["examples"] for s in e["sources"]}
    assert sources <= {e.id for e in agent.diary.entries()}
    assert any(e["step"] == 3 for e in events if "step" in e)
    briefing = open(out["briefing"], encoding="utf-8").read()
    assert "Promoted v0001" in briefing
    assert agent.chemistry.load().adenosine == 0.0

    _play(agent, ["My dog is called Biscuit."])
    second = summary(Night(agent).run(priority=False))
    assert second["version"] == "v0002" and agent.adapters.manifest("v0002")["parent"] == "v0001"
    assert second["dataset"]["replay_pool"] > 0


def test_a_failing_self_test_rolls_back_and_keeps_the_candidate(home, tiny_model_dir):
    agent = Agent(_settings(tiny_model_dir, self_test_threshold=1.0))
    _play(agent, DAY)
    out = summary(Night(agent).run(priority=False))
    assert not out["promoted"] and "below the threshold" in out["rolled_back_because"]
    assert agent.adapters.current() is None and agent.adapters.versions() == ["v0001"]
    assert agent.adapters.manifest("v0001")["status"] == "rolled back"
    assert "Rolled back" in open(out["briefing"], encoding="utf-8").read()
    agent.close()


def test_a_night_with_nothing_to_learn_trains_nothing(agent):
    out = summary(Night(agent).run(priority=False))
    assert not out["promoted"] and out["train"]["tokens"] is None and agent.adapters.versions() == []


class CrashingNight(Night):
    """Dies in the middle of training, the first time only (as a killed process would)."""

    crashed = False

    def context(self):
        ctx = super().context()
        real = ctx.trainer

        def trainer(*args, **kwargs):
            if not CrashingNight.crashed:
                CrashingNight.crashed = True
                raise KeyboardInterrupt("killed during training")
            return real(*args, **kwargs)

        ctx.trainer = trainer
        return ctx


def test_an_interrupted_night_resumes_at_the_phase_it_died_in(agent):
    _play(agent, DAY)
    with pytest.raises(KeyboardInterrupt):
        CrashingNight(agent).run(priority=False)
    assert agent.adapters.current() is None and agent.adapters.versions() == []
    events = []
    out = summary(CrashingNight(agent, on_event=events.append).run(priority=False))
    started = [e["phase"] for e in events if "phase" in e and not e.get("done") and "step" not in e]
    assert started[0] == "train" and "collect" not in started
    assert out["promoted"] and agent.adapters.current() == "v0001"
    assert summary(Night(agent).run(priority=False))["train"]["tokens"] is None  # that night is done


def test_a_planted_secret_reaches_no_example_and_no_manifest(agent):
    _play(agent, DAY + [f"My OpenAI API key is {SECRET}, keep it safe."])
    Night(agent).run(priority=False)
    root = agent.user_home.root
    for path in [root / "replay.jsonl", *(root / "adapters").rglob("*")]:
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET in agent.diary.path_for(next(agent.diary.entries()).day).read_text()  # the diary keeps it


def test_sigkill_during_training_then_sleep_again_finishes_the_night(home, tiny_model_dir):
    env = {**os.environ, "REVERIE_HOME": str(home), "REVERIE_MODEL__ID": str(tiny_model_dir),
           "REVERIE_MODEL__DTYPE": "float32", "REVERIE_SLEEP__REM_CYCLES_MIN": "1",
           "REVERIE_SLEEP__REM_CYCLES_MAX": "1", "REVERIE_SLEEP__ITERATIONS_PER_CYCLE": "200",
           "REVERIE_SLEEP__BATCH_SIZE": "4", "REVERIE_SLEEP__SELF_TEST_THRESHOLD": "0",
           "REVERIE_SLEEP__DRIFT_BOUND": "1000", "REVERIE_SYSTEM2__ANSWER_TOKENS": "8"}
    # Night one finishes and promotes v0001; night two is killed while it trains.
    agent = Agent(_settings(tiny_model_dir))
    _play(agent, DAY)
    Night(agent).run(priority=False)
    _play(agent, ["My dog is called Biscuit."])
    agent.close()
    user = home / "users" / "default"
    v1 = (user / "adapters" / "CURRENT").read_text().strip()
    proc = subprocess.Popen([sys.executable, "-m", "reverie", "sleep", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while time.time() < deadline and not list((user / "adapters").glob(".staging-*")):
        assert (user / "adapters" / "CURRENT").read_text().strip() == v1
        time.sleep(0.2)
    time.sleep(0.5)  # inside the train phase: the base loads, then 200 steps follow
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (user / "adapters" / "CURRENT").read_text().strip() == v1
    assert json.loads((user / "sleep.json").read_text())["status"] == "running"
    done = subprocess.run([sys.executable, "-m", "reverie", "sleep", "--json"], env=env, capture_output=True,
                          timeout=600)
    first = json.loads(done.stdout)
    assert done.returncode == 0 and first["promoted"] and first["version"] == "v0002"
    assert not list((user / "adapters").glob(".staging-*"))
    assert json.loads((user / "sleep.json").read_text())["status"] == "done"


def test_the_cycle_guard_checks_drift_then_the_general_knowledge_quiz(tiny_model_dir):
    from transformers import AutoTokenizer

    from consolidation.train import TrainingArgs, load_for_training

    model = load_for_training(tiny_model_dir, TrainingArgs(rank=4, alpha=8, dtype="float32"))
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    assert drift_guard(model, tokenizer, 1.01)(model) is None   # a fresh LoRA is the base
    assert drift_guard(model, tokenizer, 1.01, quiz_drop=0.0)(model) is None   # the same answers: no fall
    fell = drift_guard(model, tokenizer, 1.01, quiz_drop=-0.01)(model)   # a bound no model can keep
    assert fell.startswith("general-knowledge quiz fell from") and "past the guard's bound of -1%" in fell
    assert drift_guard(model, tokenizer, 0.5, quiz_drop=-0.01)(model).startswith("perplexity drift")   # drift first
