"""The daemon on a fake clock and the tiny real model: days of schedule in seconds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from filelock import FileLock

from cognition.chemistry import Chemistry
from cognition.config import load_settings
from cognition.notices import Notices
from graphs.agent import Agent
from reverie.daemon import Daemon, DaemonBusy, UserLoop, nightly_slot, weekly_slot


class FakeClock:
    """Time that moves only when the daemon sleeps: a tick of 60 s takes no time at all."""

    def __init__(self, start: datetime):
        self.t = start

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


def _settings(tiny_model_dir, **groups):
    base = {"model": {"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
            "system1": {"associate_tokens": 6, "answer_tokens": 8}, "system2": {"answer_tokens": 8},
            "idle": {"thought_tokens": 16},
            "sleep": {"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
                      "self_test_threshold": 0.0, "drift_bound": 1000.0, "anchor_weight": 0.0}}
    for group, values in groups.items():
        base[group] = {**base.get(group, {}), **values}
    return load_settings(**base)


@pytest.fixture()
def make(home, tiny_model_dir):
    made = []

    def build(**groups):
        settings = _settings(tiny_model_dir, **groups)
        agent = Agent(settings)
        made.append(agent)
        return agent

    yield build
    for agent in made:
        agent.close()


def far_hour() -> int:
    """A nightly hour twelve hours from now: a test that runs its clock for a few hours from
    now never meets it, whatever the time of day it runs at."""
    return (datetime.now().astimezone().hour + 12) % 24


def _daemon(agent, clock, events=None):
    return Daemon(agent.home.root, [agent.settings.user], lambda user: agent, clock=clock, tick_s=60,
                  on_event=(events.append if events is not None else (lambda e: None)))


def test_slots():
    sat = datetime(2026, 11, 21, 10, 0).astimezone()  # a Saturday
    assert nightly_slot(sat, 3) == sat.replace(hour=3)
    assert nightly_slot(sat.replace(hour=2), 3) == sat.replace(hour=3) - timedelta(days=1)
    assert weekly_slot(sat, "Sat", 4) == sat.replace(hour=4)
    assert weekly_slot(sat.replace(hour=3), "Sat", 4) == sat.replace(hour=4) - timedelta(days=7)
    assert weekly_slot(sat, "Mon", 4) == sat.replace(hour=4) - timedelta(days=5)


def test_adenosine_reaching_one_starts_exactly_one_sleep(make):
    # Every exchange adds 0.34: the third one brings sleep pressure to 1.0.
    agent = make(chemistry={"adenosine_per_exchange": 0.34}, sleep={"nightly_hour": far_hour()})
    for text in ["My sister Ilse lives in Ghent.", "I keep bees.", "My cat is called Tuppen."]:
        agent.say(text, system1=False)
    clock = FakeClock(datetime.now().astimezone())
    assert agent.chemistry.sleep_due(agent.chemistry.load())
    (agent.user_home.root / ".talking").unlink()  # the conversation is over
    events = []
    _daemon(agent, clock, events).run(ticks=6, priority=False)
    sleeps = [e for e in events if e.get("event") == "slept"]
    assert len(sleeps) == 1 and sleeps[0]["reason"] == "adenosine" and sleeps[0]["promoted"]
    assert agent.adapters.versions() == ["v0001"] and agent.chemistry.load().adenosine == 0.0
    assert UserLoop.load(agent.user_home.root / "daemon.json").sleeps == 1


def test_daydreams_stop_before_ruminations_as_adenosine_rises(make):
    agent = make(idle={"rumination_every_s": 120, "daydream_every_s": 180}, sleep={"nightly_hour": far_hour()})
    for i, text in enumerate(["I keep bees.", "My brother sails boats.", "We grow leeks.", "I fear thunder."]):
        agent.diary.write("exchange", text, reply="Noted.")
    start = datetime.now().astimezone() + timedelta(minutes=1)
    counts = {}
    for level in (0.2, 0.8, 0.95):
        clock = FakeClock(start)
        agent.chemistry.save(Chemistry(adenosine=level, updated=start.isoformat()))
        loop = UserLoop.load(agent.user_home.root / "daemon.json")
        loop.last_rumination = loop.last_daydream = None
        loop.save()
        events = []
        _daemon(agent, clock, events).run(ticks=12, priority=False)  # twelve minutes
        counts[level] = {k: sum(e.get("event") == k for e in events) for k in ("rumination", "daydream")}
        start += timedelta(hours=1)
    assert counts[0.2]["rumination"] >= 3 and counts[0.2]["daydream"] >= 2
    assert counts[0.8]["daydream"] == 0 and counts[0.8]["rumination"] >= 3
    assert counts[0.95] == {"rumination": 0, "daydream": 0}
    kinds = [e.kind for e in agent.diary.entries()]
    assert kinds.count("daydream") == counts[0.2]["daydream"]
    assert kinds.count("thought") == counts[0.2]["rumination"] + counts[0.8]["rumination"]


def test_the_weekly_cycle_runs_once_on_its_day_and_writes_a_report(make):
    agent = make(sleep={"nightly_hour": 3, "weekly_day": "Sat", "weekly_hour": 4})
    now = datetime.now().astimezone()
    friday = (now + timedelta(days=(4 - now.weekday()) % 7 or 7)).replace(hour=23, minute=0)  # next Friday 23:00
    # Said early that Friday, before its nightly hour, whatever day the test runs on: said today, it
    # would fall out of the week the weekly pass reads back (to Saturday 04:00) when today is Friday.
    agent.diary.write("exchange", "My sister Ilse lives in Ghent.", reply="Noted.", when=friday.replace(hour=2))
    clock = FakeClock(friday)
    events = []
    daemon = _daemon(agent, clock, events)
    daemon.tick_s = 1800  # half-hour ticks through Saturday
    daemon.run(ticks=20, priority=False)
    weekly = [e for e in events if e.get("event") == "weekly"]
    assert len(weekly) == 1 and weekly[0]["recuration"]["items"] >= 1
    report = open(weekly[0]["report"], encoding="utf-8").read()
    assert "Weekly report" in report and "v0001" in report  # the night before it trained v0001
    # Friday 23:00 slept on the day's talk (its nightly slot had passed); Saturday 03:00 on the
    # thoughts of the night between: one night per slot, never two.
    assert [e["reason"] for e in events if e.get("event") == "slept"] == ["nightly", "nightly"]
    assert any(e.kind == "thought" and e.meta.get("variant") == "weekly" for e in agent.diary.entries())


def test_a_failed_night_becomes_a_notice_and_is_not_retried_at_once(make):
    agent = make(chemistry={"adenosine_per_exchange": 1.0}, sleep={"nightly_hour": far_hour()})
    agent.say("My dog is called Biscuit.", system1=False)
    (agent.user_home.root / ".talking").unlink()
    (agent.user_home.root / "sleep.sqlite").mkdir()  # a directory where the checkpoint file must go
    events = []
    _daemon(agent, FakeClock(datetime.now().astimezone()), events).run(ticks=5, priority=False)
    failed = [e for e in events if e.get("event") == "sleep_failed"]
    assert len(failed) == 1  # five ticks, one attempt: the retry waits an hour
    pending = Notices(agent.user_home.root).pending()
    assert pending["failures"][0]["what"] == "sleep"
    assert agent.status()["notices"]["failures"]


def test_one_daemon_per_home(make):
    agent = make()
    lock = FileLock(str(agent.home.root / ".daemon.lock"))
    with lock:
        with pytest.raises(DaemonBusy, match="another reverie daemon"):
            _daemon(agent, FakeClock(datetime.now().astimezone())).run(ticks=1, priority=False)


def test_sigterm_stops_the_daemon_cleanly(home, tiny_model_dir):
    (home / "config.toml").parent.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(f'[model]\nid = "{tiny_model_dir}"\ndtype = "float32"\n', encoding="utf-8")
    env = {**os.environ, "REVERIE_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "reverie", "daemon", "--tick", "0.2", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    first = json.loads(proc.stdout.readline())
    assert first["event"] == "started"
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events[-1]["event"] == "stopped" and any(e["event"] == "stopping" for e in events)
    with FileLock(str(home / ".daemon.lock")).acquire(timeout=1):
        pass  # the lock was released


def test_idle_slots_run_the_wiki_worker_then_the_heartbeat(make):
    from wiki.proposals import Queue
    from wiki.store import init_wiki

    agent = make(sleep={"nightly_hour": far_hour()}, wiki={"work_every_s": 600, "review_every_s": 600,
                                                            "dreams": False})
    notes = agent.home.root / "notes"
    notes.mkdir()
    (notes / "Heron.md").write_text("A heron is a long-legged wading bird that stalks fish in shallow water. "
                                    "Herons are related to the egret.\n")
    (notes / "Egret.md").write_text("An egret is a white heron of warm marshes, hunting fish and frogs.\n")
    init_wiki(agent.home.root, notes)
    start = datetime.now().astimezone() + timedelta(minutes=1)
    agent.chemistry.save(Chemistry(adenosine=0.95, updated=start.isoformat()))   # too tired to think, not to sleep
    events = []
    _daemon(agent, FakeClock(start), events).run(ticks=3, priority=False)
    events = [e for e in events if e["event"].startswith("wiki")]
    assert [e["event"] for e in events][:2] == ["wiki_work", "wiki_review"]
    assert events[0]["visited"] == 2 and sum(events[0]["proposed"].values()) >= 1
    decided = Queue(agent.home.root / "proposals").list()
    assert decided and all(s.review.state in ("merged", "rejected") for s in decided)
    assert events[1]["merged"] + events[1]["rejected"] == len(decided)
