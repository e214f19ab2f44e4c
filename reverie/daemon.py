"""The daemon: reverie's day and night between conversations.

`reverie daemon` runs one loop per home (a lock refuses a second). Every tick, for each
user, in order of precedence:

1. a conversation in progress wins: nothing else runs for that user;
2. sleep, when adenosine has reached 1.0, when the nightly hour has passed since the
   last sleep and the diary has something new, or when a night was interrupted;
3. the weekly cycle, once a week on the configured day and hour: re-curate the week
   into the replay buffer, a weekly rumination, a weekly report in `briefings/`;
4. idle thought: rumination and daydreams, each on its own period, gated by adenosine.

Everything runs at the lowest CPU and I/O priority. A failure is recorded as a notice
(shown at the next `chat` or `status`) and retried after a back-off, never in a tight
loop. SIGTERM stops the loop at the next safe point: between ticks, or between training
steps of a night (the night resumes from its checkpoint at the next start).

Time comes from a `Clock`, so tests run days of schedule in seconds.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Protocol

from filelock import FileLock, Timeout

from cognition.home import atomic_write_text
from cognition.notices import Notices
from cognition.presence import conversation_active

log = logging.getLogger(__name__)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RETRY_AFTER = timedelta(hours=1)


class Clock(Protocol):
    def now(self) -> datetime: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now().astimezone()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class DaemonBusy(RuntimeError):
    """Another daemon holds this home's lock."""


class Stopped(Exception):
    """Raised inside a night's pause point when the daemon was asked to stop."""


# -- when things are due ---------------------------------------------------------------------

def nightly_slot(now: datetime, hour: int) -> datetime:
    """The latest nightly time at or before `now` (today's, or yesterday's before the hour)."""
    slot = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return slot if slot <= now else slot - timedelta(days=1)


def weekly_slot(now: datetime, day: str, hour: int) -> datetime:
    """The latest weekly time at or before `now`."""
    target = WEEKDAYS.index(day)
    slot = now.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=(now.weekday() - target) % 7)
    return slot if slot <= now else slot - timedelta(days=7)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@dataclass
class UserLoop:
    """One user's schedule state, persisted in `users/<u>/daemon.json` so a restart keeps the rhythm."""

    path: Path
    last_rumination: str | None = None
    last_daydream: str | None = None
    last_weekly: str | None = None
    retry_sleep_at: str | None = None
    retry_weekly_at: str | None = None
    last_wiki_work: str | None = None
    last_wiki_review: str | None = None
    sleeps: int = 0

    @classmethod
    def load(cls, path: Path) -> "UserLoop":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            known = {k: data[k] for k in cls.__dataclass_fields__ if k != "path" and k in data}
            return cls(Path(path), **known)
        except (FileNotFoundError, ValueError, TypeError):
            return cls(Path(path))

    def save(self) -> None:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "path"}
        atomic_write_text(self.path, json.dumps(data, indent=2))


@dataclass
class Daemon:
    """The loop. `open_agent(user)` returns the user's `graphs.agent.Agent`."""

    home: Path
    users: list[str]
    open_agent: Callable[[str], object]
    clock: Clock = field(default_factory=SystemClock)
    tick_s: float = 5.0
    on_event: Callable[[dict], None] = lambda event: None
    stopping: bool = False
    _agents: dict = field(default_factory=dict)

    # -- the loop --------------------------------------------------------------------

    def run(self, ticks: int | None = None, priority: bool = True) -> None:
        """Hold the home's lock and tick until SIGTERM/SIGINT (or `ticks` ticks, for tests)."""
        lock = FileLock(str(Path(self.home) / ".daemon.lock"))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise DaemonBusy(f"another reverie daemon is running for {self.home} (lock {lock.lock_file}); "
                             "stop it first, or give this one another --home") from None
        if priority:
            from consolidation.neighbour import lower_priority

            lower_priority()
        previous = {s: signal.signal(s, self._stop) for s in (signal.SIGTERM, signal.SIGINT)}
        self.on_event({"event": "started", "pid": os.getpid(), "users": self.users})
        try:
            n = 0
            while not self.stopping and (ticks is None or n < ticks):
                self.tick()
                n += 1
                if not self.stopping and (ticks is None or n < ticks):
                    self.clock.sleep(self.tick_s)
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            for agent in self._agents.values():
                agent.close()
            lock.release()
            self.on_event({"event": "stopped"})

    def _stop(self, signum, frame) -> None:
        self.stopping = True
        self.on_event({"event": "stopping", "signal": signum})

    def agent(self, user: str):
        if user not in self._agents:
            self._agents[user] = self.open_agent(user)
        return self._agents[user]

    def tick(self) -> list[dict]:
        """One pass over the users; returns what was done."""
        done = []
        for user in self.users:
            if self.stopping:
                break
            event = self.tick_user(user)
            if event:
                event["user"] = user
                self.on_event(event)
                done.append(event)
        return done

    def tick_user(self, user: str) -> dict | None:
        agent = self.agent(user)
        root = agent.user_home.root
        if conversation_active(root):
            return None
        now = self.clock.now()
        state = UserLoop.load(root / "daemon.json")
        reason = self.sleep_reason(agent, state, now)
        if reason:
            return self._guarded(agent, state, "sleep", lambda: self.sleep(agent, state, reason), now)
        if self.weekly_due(agent, state, now):
            return self._guarded(agent, state, "weekly", lambda: self.weekly(agent, state, now), now)
        return self._guarded(agent, state, "idle", lambda: self.idle(agent, state, now), now)

    def _guarded(self, agent, state: UserLoop, what: str, act: Callable[[], dict | None], now: datetime):
        try:
            return act()
        except Stopped:
            return {"event": f"{what}_stopped"}
        except Exception as exc:  # an unattended run must report, not vanish, and not spin
            log.exception("daemon: %s failed", what)
            Notices(agent.user_home.root).failure(what, f"{type(exc).__name__}: {exc}", now)
            if what == "sleep":
                state.retry_sleep_at = (now + RETRY_AFTER).isoformat()
            elif what == "weekly":
                state.retry_weekly_at = (now + RETRY_AFTER).isoformat()
            state.save()
            return {"event": f"{what}_failed", "error": str(exc)}

    # -- sleep ------------------------------------------------------------------------

    def sleep_reason(self, agent, state: UserLoop, now: datetime) -> str | None:
        from graphs.night import Night

        retry = _time(state.retry_sleep_at)
        if retry and now < retry:
            return None
        if Night(agent).pending():
            return "resume"
        chem = agent.chemistry.load(now)
        if agent.chemistry.sleep_due(chem):
            return "adenosine"
        slept = _time(chem.slept)
        first = _first_new(agent, slept)
        if first is not None and first < nightly_slot(now, agent.settings.sleep.nightly_hour):
            return "nightly"  # something was said before the last nightly hour and has not been slept on
        return None

    def sleep(self, agent, state: UserLoop, reason: str) -> dict:
        from graphs.night import Night, NightInProgress, summary

        def stop_point():
            if self.stopping:
                raise Stopped()
            return False

        night = Night(agent, now=self.clock.now, stop=stop_point)
        try:
            result = summary(night.run(priority=False))
        except NightInProgress:   # the person ran `reverie sleep` themselves: that is this night
            return {"event": "sleeping_elsewhere", "reason": reason}
        state.sleeps += 1
        state.retry_sleep_at = None
        state.save()
        return {"event": "slept", "reason": reason, "promoted": result["promoted"], "version": result["version"],
                "rolled_back_because": result["rolled_back_because"]}

    # -- the weekly cycle ---------------------------------------------------------------------

    def weekly_due(self, agent, state: UserLoop, now: datetime) -> bool:
        s = agent.settings.sleep
        retry = _time(state.retry_weekly_at)
        if retry and now < retry:
            return False
        last = _time(state.last_weekly)
        if last is None:  # a new daemon waits for the next weekly slot rather than running at once
            state.last_weekly = now.isoformat()
            state.save()
            return False
        return last < weekly_slot(now, s.weekly_day, s.weekly_hour)

    def weekly(self, agent, state: UserLoop, now: datetime) -> dict:
        from graphs.weekly import run_weekly

        report = run_weekly(agent, now, think=agent.think)
        state.last_weekly = now.isoformat()
        state.retry_weekly_at = None
        state.save()
        return {"event": "weekly", **report}

    # -- idle thought -----------------------------------------------------------------------

    def idle(self, agent, state: UserLoop, now: datetime) -> dict | None:
        s = agent.settings.idle
        mind = agent.mind()
        last_r, last_d = _time(state.last_rumination), _time(state.last_daydream)
        if last_r is None or (now - last_r).total_seconds() >= s.rumination_every_s:
            thought = mind.ruminate(now)
            state.last_rumination = now.isoformat()
            state.save()
            if thought:
                return {"event": "rumination", "variant": thought.variant, "entry": thought.entry}
        if last_d is None or (now - last_d).total_seconds() >= s.daydream_every_s:
            thought = mind.daydream(now)
            state.last_daydream = now.isoformat()
            state.save()
            if thought:
                return {"event": "daydream", "entry": thought.entry}
        return self.wiki(agent, state, now)

    # -- the wiki ------------------------------------------------------------------------------

    def wiki(self, agent, state: UserLoop, now: datetime) -> dict | None:
        """The home's wiki on idle compute: the worker, then the heartbeat, each at its own rate.

        One wiki per home: the first user's agent runs it (its System 1 dreams). A conversation
        or a stop ends a slot at once; what was staged stays staged.
        """
        from wiki.store import wiki_path

        if agent.settings.user != self.users[0] or wiki_path(self.home) is None:
            return None
        from graphs.wiki import open_loop, work

        s = agent.settings.wiki
        root = agent.user_home.root
        stop = lambda: self.stopping or conversation_active(root)
        last_w, last_r = _time(state.last_wiki_work), _time(state.last_wiki_review)
        if last_w is None or (now - last_w).total_seconds() >= s.work_every_s:
            report = work(open_loop(agent, dreams=s.dreams, should_stop=stop), minutes=s.work_minutes)
            state.last_wiki_work = now.isoformat()
            state.save()
            return {"event": "wiki_work", "visited": report["visited"], "proposed": report["proposed"]}
        if last_r is None or (now - last_r).total_seconds() >= s.review_every_s:
            report = open_loop(agent, dreams=False, should_stop=stop).heartbeat.review(s.review_max, should_stop=stop)
            state.last_wiki_review = now.isoformat()
            state.save()
            return {"event": "wiki_review", "merged": report["merged"], "rejected": report["rejected"]}
        return None


def _first_new(agent, since: datetime | None) -> datetime | None:
    """The time of the first diary entry since the last sleep (None: nothing new, no night needed)."""
    entry = next(iter(agent.diary.entries(since)), None)
    return entry.time if entry is not None else None
