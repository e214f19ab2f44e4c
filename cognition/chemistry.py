"""Neurochemistry: three small signals that steer when reverie sleeps and what it learns.

- adenosine, sleep pressure: rises with every exchange (more with a correction); at 1.0
  sleep is due; sleep resets it.
- cortisol, stress: spikes on a correction and decays with a half-life; high cortisol
  switches rumination to its stressed prompt and boosts the next night's reward.
- dopamine, reward: a tag per exchange (praise 1.5x, correction 2.0x, neutral 1.0x)
  that the dataset uses to repeat examples.

The state is a small JSON file per user, written atomically, with the time of its last
update so decay is computed from the clock rather than from a running process. Time is
always passed in, so tests can run days in seconds.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

from cognition.config import ChemistrySettings
from cognition.home import atomic_write_text
from cognition.perceive import Perception

log = logging.getLogger(__name__)


@dataclass
class Chemistry:
    adenosine: float = 0.0
    cortisol: float = 0.0
    dopamine: float = 1.0  # the tag of the latest exchange
    updated: str = ""      # ISO time of the last change
    slept: str | None = None

    def snapshot(self) -> dict[str, float]:
        return {"adenosine": round(self.adenosine, 4), "cortisol": round(self.cortisol, 4),
                "dopamine": round(self.dopamine, 4)}


def _utc(when: datetime | None) -> datetime:
    return (when or datetime.now(timezone.utc)).astimezone(timezone.utc)


def _checked(state: Chemistry) -> Chemistry:
    """Raise ValueError or TypeError unless the state loaded from JSON has sound values.

    A hand edit or a damaged disk can leave valid JSON with a string for a level or an
    unreadable time; caught here, it is damage, not a crash in the next exchange.
    """
    for name in ("adenosine", "cortisol", "dopamine"):
        value = getattr(state, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"{name}={value!r} is not a finite number")
        setattr(state, name, float(value))
    if state.updated:
        datetime.fromisoformat(state.updated)  # a naive time is read as local time in decay()
    return state


class ChemistryStore:
    """Load, evolve and save one user's chemistry."""

    def __init__(self, path: Path, settings: ChemistrySettings | None = None):
        self.path = Path(path)
        self.settings = settings or ChemistrySettings()
        # perceive and slept read, change and write: concurrent turns (the server) must not lose one
        self._lock = FileLock(str(self.path.with_name(f".{self.path.name}.lock")))

    def load(self, when: datetime | None = None) -> Chemistry:
        state = Chemistry()
        if self.path.exists():
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(raw, dict):
                    raise TypeError(f"expected a JSON object, found {type(raw).__name__}")
                state = _checked(Chemistry(**{k: raw[k] for k in asdict(state) if k in raw}))
            except (ValueError, TypeError) as exc:
                state = Chemistry()
                log.warning("chemistry: %s is damaged (%s); starting from rest", self.path, exc)
        return self.decay(state, when)

    def save(self, state: Chemistry) -> None:
        atomic_write_text(self.path, json.dumps(asdict(state), indent=2))

    def decay(self, state: Chemistry, when: datetime | None = None) -> Chemistry:
        """Cortisol halves every half-life since the last update."""
        now = _utc(when)
        if state.updated:
            hours = max(0.0, (now - _utc(datetime.fromisoformat(state.updated))).total_seconds() / 3600)
            state.cortisol *= math.pow(0.5, hours / self.settings.cortisol_half_life_h)
        state.updated = now.isoformat()
        return state

    def perceive(self, perception: Perception, when: datetime | None = None) -> Chemistry:
        """Update the state for one exchange and persist it."""
        s = self.settings
        with self._lock:
            state = self.load(when)
            state.adenosine = min(1.0, state.adenosine + s.adenosine_per_exchange
                                  + (s.adenosine_per_correction if perception.is_correction else 0.0))
            if perception.is_correction:
                state.cortisol = min(1.0, state.cortisol + s.cortisol_spike)
                state.dopamine = s.dopamine_correction
            elif perception.is_praise:
                state.dopamine = s.dopamine_praise
            else:
                state.dopamine = s.dopamine_neutral
            self.save(state)
        return state

    def slept(self, when: datetime | None = None) -> Chemistry:
        with self._lock:
            state = self.load(when)
            state.adenosine = 0.0
            state.slept = _utc(when).isoformat()
            self.save(state)
        return state

    def sleep_due(self, state: Chemistry) -> bool:
        return state.adenosine >= 1.0

    def stressed(self, state: Chemistry) -> bool:
        return state.cortisol >= self.settings.cortisol_stressed_at
