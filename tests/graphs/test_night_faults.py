"""A night killed at any phase, two nights at once: the next `sleep` finishes the killed night as
if nothing had happened, CURRENT always names a whole adapter, and nothing is lost or doubled."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from graphs.agent import Agent
from graphs.night import Night, NightInProgress, summary
from tests.graphs.test_sleep import DAY, _play, _settings

PHASES = ("collect", "curate", "unlearn", "dataset", "train", "self_test", "promote", "merge", "dreams",
          "briefing")
LATER = ["My dog is called Biscuit and she is afraid of thunder.", "I moved to Tromsø last spring."]

# The night as `reverie sleep` runs it, in a process that kills itself with SIGKILL the moment
# the phase has done its work, before the night's checkpoint records it.
KILLER = """
import os, signal, sys
from cognition.config import load_settings
from graphs.agent import Agent
from graphs.night import Night

phase = sys.argv[1]

def event(e):
    if e.get("phase") == phase and e.get("done") is True:
        os.kill(os.getpid(), signal.SIGKILL)

Night(Agent(load_settings()), on_event=event).run(priority=False)
sys.exit("the night ended without reaching " + phase)
"""


def _env(home: Path, tiny_model_dir: Path) -> dict:
    s = _settings(tiny_model_dir)
    return {**os.environ, "REVERIE_HOME": str(home), "REVERIE_MODEL__ID": str(tiny_model_dir),
            "REVERIE_MODEL__DTYPE": "float32", "REVERIE_MODEL__CONTEXT_TOKENS": str(s.model.context_tokens),
            "REVERIE_SYSTEM1__ASSOCIATE_TOKENS": "6", "REVERIE_SYSTEM1__ANSWER_TOKENS": "8",
            "REVERIE_SYSTEM2__ANSWER_TOKENS": "8",
            **{f"REVERIE_SLEEP__{k.upper()}": str(v) for k, v in s.sleep.model_dump().items()
               if k in ("rem_cycles_min", "rem_cycles_max", "iterations_per_cycle", "batch_size",
                        "self_test_threshold", "drift_bound")}}


def _files(root: Path, pattern: str) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.glob(pattern)) if p.is_file()}


def _whole(agent: Agent) -> str | None:
    """The version CURRENT names, after checking its weights against their checksums (or None)."""
    current = agent.adapters.current()
    if current is not None:
        agent.adapters.verify(current)
    return current


@pytest.fixture(scope="module")
def slept_once(tmp_path_factory, tiny_model_dir, models_dir):
    """A home after one night (v0001) and the next day's talk: the night the tests kill is the second."""
    home = tmp_path_factory.mktemp("night-faults") / "home"
    old = {k: os.environ.get(k) for k in ("REVERIE_HOME", "REVERIE_MODELS_DIR")}
    os.environ.update(REVERIE_HOME=str(home), REVERIE_MODELS_DIR=str(models_dir))
    try:
        agent = Agent(_settings(tiny_model_dir))
        _play(agent, DAY)
        Night(agent).run(priority=False)
        _play(agent, LATER)
        agent.close()
    finally:
        for k, v in old.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    return home


@pytest.fixture()
def second_night(slept_once, home):
    shutil.copytree(slept_once, home)
    return home


def test_a_night_killed_at_every_phase_is_finished_by_the_next_sleep(second_night, tiny_model_dir):
    """One night, killed in each phase in turn, at the worst moment: its work done and not yet
    checkpointed, so the next run does it again. Every run resumes from the last checkpoint and is
    killed in the next phase; the last run finishes the night. (A kill in the middle of training:
    `test_sleep.py`.)"""
    user = second_night / "users" / "default"
    diary = _files(user, "memory/*")
    for phase in PHASES:
        killed = subprocess.run([sys.executable, "-c", KILLER, phase], capture_output=True, text=True,
                                env=_env(second_night, tiny_model_dir))
        assert killed.returncode == -9, f"{phase}: {killed.stderr[-3000:]}"
        agent = Agent(_settings(tiny_model_dir))
        try:
            assert _whole(agent) in ("v0001", "v0002"), phase   # the old adapter or the new one, never half
            assert set(agent.adapters.versions()) <= {"v0001", "v0002"}, phase
        finally:
            agent.close()
        assert json.loads((user / "sleep.json").read_text())["status"] == "running", phase
        assert _files(user, "memory/*") == diary, phase
    agent = Agent(_settings(tiny_model_dir))
    try:
        out = summary(Night(agent).run(priority=False))
        assert out["promoted"] and out["version"] == "v0002" and _whole(agent) == "v0002"
        assert agent.adapters.versions() == ["v0001", "v0002"]   # no second candidate beside the first
        assert json.loads((user / "sleep.json").read_text())["status"] == "done"
        assert not list((user / "adapters").glob(".staging-*"))
        replay = [json.loads(line) for line in (user / "replay.jsonl").read_text().splitlines()]
        assert len({r["id"] for r in replay}) == len(replay)
        retired = (user / "retired.jsonl").read_text().splitlines() if (user / "retired.jsonl").exists() else []
        assert len(set(retired)) == len(retired)
        assert _files(user, "memory/*") == diary                 # no diary record lost, changed or doubled
        assert summary(Night(agent).run(priority=False))["train"]["tokens"] is None   # and the night is over
    finally:
        agent.close()


def test_a_second_night_for_the_same_user_is_refused_while_one_runs(second_night, tiny_model_dir):
    first, second = Agent(_settings(tiny_model_dir)), Agent(_settings(tiny_model_dir))
    training, release = threading.Event(), threading.Event()

    def hold(e):
        if e.get("phase") == "train" and "step" in e:
            training.set()
            release.wait(120)

    results: list = []
    runner = threading.Thread(target=lambda: results.append(Night(first, on_event=hold).run(priority=False)))
    runner.start()
    try:
        assert training.wait(300)
        with pytest.raises(NightInProgress, match="already running for user 'default'.*--wait"):
            Night(second).run(priority=False)
        env = _env(second_night, tiny_model_dir)
        refused = subprocess.run([sys.executable, "-m", "reverie", "sleep", "--json"], env=env,
                                 capture_output=True, text=True)
        assert refused.returncode != 0 and "already running" in json.loads(refused.stdout)["error"]
    finally:
        release.set()
        runner.join()
    try:
        assert summary(results[0])["version"] == "v0002" and first.adapters.versions() == ["v0001", "v0002"]
        after = summary(Night(second).run(priority=False, wait=-1))   # waiting: it takes what came after
        assert after["train"]["tokens"] is None and second.adapters.versions() == ["v0001", "v0002"]
    finally:
        first.close()
        second.close()


# A full disk, made real with the kernel's file-size limit (RLIMIT_FSIZE: every write past it
# fails with EFBIG, after writing what fits): set the moment promotion begins.
FULL_AT_PROMOTION = """
import resource, signal, sys
from cognition.config import load_settings
from graphs.agent import Agent
from graphs.night import Night

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # a write past the limit fails instead of killing

def event(e):
    if e.get("phase") == "promote" and e.get("done") is False:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))

try:
    Night(Agent(load_settings()), on_event=event).run(priority=False)
except OSError as exc:
    print(exc)
    sys.exit(3)
"""


def test_a_full_disk_during_promotion_keeps_the_adapter_served_and_the_diary(second_night, tiny_model_dir):
    user = second_night / "users" / "default"
    diary = _files(user, "memory/*")
    full = subprocess.run([sys.executable, "-c", FULL_AT_PROMOTION], env=_env(second_night, tiny_model_dir),
                          capture_output=True, text=True)
    assert full.returncode == 3, full.stderr[-3000:]
    assert "the night stopped: no room to write" in full.stdout and "still serves v0001" in full.stdout
    assert "free some space and run `reverie sleep`" in full.stdout
    agent = Agent(_settings(tiny_model_dir))
    try:
        assert _whole(agent) == "v0001" and _files(user, "memory/*") == diary
        out = summary(Night(agent).run(priority=False))     # space again: the same night finishes
        assert out["promoted"] and out["version"] == "v0002" and agent.adapters.versions() == ["v0001", "v0002"]
    finally:
        agent.close()


def test_a_damaged_adapter_is_refused_by_name_and_the_briefing_says_so(second_night, tiny_model_dir):
    user = second_night / "users" / "default"
    weights = user / "adapters" / "v0001" / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])   # truncated
    agent = Agent(_settings(tiny_model_dir))
    try:
        assert agent.adapters.resolve().version is None     # nothing intact to serve: the base alone
        out = summary(Night(agent).run(priority=False))
        assert out["promoted"] and agent.adapters.manifest(out["version"])["parent"] is None
        briefing = Path(out["briefing"]).read_text(encoding="utf-8")
        assert "adapter v0001: adapter_model.safetensors does not match its sha256" in briefing
        assert "the night builds on the base alone instead" in briefing
    finally:
        agent.close()
