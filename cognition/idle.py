"""Idle cognition: what reverie thinks about between conversations.

- Rumination (every `idle.rumination_every_s` without a conversation) reads back diary
  entries and writes a private `thought` of two to four sentences. Four variants:
  daily (the recent conversations), weekly (the week's recurring themes), monthly (an
  older memory that connects to the present) and stressed (what it got wrong and why,
  while cortisol is high).
- Daydreaming (every `idle.daydream_every_s`) lets two random memories collide, with no
  semantic matching, at a high temperature, and writes a `daydream`.

Both land in the diary like any other entry, so the next night's curation sees them: a
topic ruminated on three times is in the pool three times. They are never shown to the
user as answers. Adenosine gates them: daydreaming stops first, then rumination.

This module takes its language model as a plain function (`Think`), so cognition does
not import the systems above it; the agent passes one in. Time is always passed in.
"""

from __future__ import annotations

import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Sequence

from cognition.chemistry import Chemistry, ChemistryStore
from cognition.config import ChemistrySettings, IdleSettings
from cognition.diary import Diary, Entry
from cognition.perceive import perceive

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]
Think = Callable[[Messages, float, int], str]  # (messages, temperature, seed) -> text
VARIANTS = ("daily", "weekly", "monthly", "stressed")

_VOICE = ("You are the private inner voice of a personal assistant, thinking alone between conversations. "
          "Write two to four sentences in the first person. Speak of the user as 'the user'. ")
PROMPTS = {
    "daily": _VOICE + "Reflect on today's conversations: what matters to the user, and what to remember.",
    "weekly": _VOICE + "Reflect on what kept coming back this week ({themes}) and what it says about the user.",
    "monthly": _VOICE + "An older memory comes back. Connect it to what is happening now.",
    "stressed": _VOICE + "The user corrected you. Think about what you got wrong, why, and what is true instead.",
}
DAYDREAM = ("You are daydreaming. Two unrelated memories drift into your mind. Let them collide freely "
            "into one strange, vivid new thought, in two or three sentences.")
_STOP = set("""the a an and or but of to in on at for with by from is are was were be been am i you he she it we they
my your his her its our their me him them this that these those what which who how why when where there here not no
yes so too very just also now then than do does did have has had can could will would should may might must about
into over up down out off again once all any some more most such only own same as if like get got really okay ok
thanks thank hello hi please one two well know think going want""".split())


@dataclass(frozen=True)
class IdleThought:
    kind: str            # "thought" or "daydream"
    variant: str         # a rumination variant, or "daydream"
    text: str
    sources: tuple[str, ...]
    entry: str = ""      # the diary id it was written under


@dataclass
class Gate:
    daydream: bool
    ruminate: bool
    reason: str = ""


def gate(state: Chemistry, settings: ChemistrySettings) -> Gate:
    """Adenosine switches idle thought off in order: daydreams first, then rumination."""
    a = state.adenosine
    if a >= settings.rumination_stops_at:
        return Gate(False, False, f"adenosine {a:.2f} >= {settings.rumination_stops_at}: too tired to think")
    if a >= settings.daydream_stops_at:
        return Gate(False, True, f"adenosine {a:.2f} >= {settings.daydream_stops_at}: too tired to daydream")
    return Gate(True, True)


def sentences(text: str, most: int = 4) -> str:
    """At most `most` whole sentences; a trailing fragment is dropped when a sentence precedes it."""
    text = " ".join(text.split())
    parts = re.findall(r"[^.!?]+[.!?]+(?:[\"')\]]+)?", text)
    if not parts:
        return text.strip()
    return " ".join(p.strip() for p in parts[:most])


def themes(entries: Sequence[Entry], n: int = 3) -> list[str]:
    """The words that come back most often across different entries (each entry counts a word once);
    of words that come back as often, the one said first."""
    counts: Counter[str] = Counter()
    for e in entries:
        words = [w for w in re.findall(r"[a-zA-Z][a-zA-Z'-]{2,}", e.text.casefold()) if w not in _STOP]
        counts.update(dict.fromkeys(words, 1))   # in the order said: ties keep it (a set's order is a hash's)
    return [w for w, c in counts.most_common() if c >= 2][:n]


@dataclass
class Idle:
    """One user's idle mind: chooses, writes and gates thoughts; the daemon calls it on a clock."""

    diary: Diary
    chemistry: ChemistryStore
    think: Think
    settings: IdleSettings = field(default_factory=IdleSettings)
    recent: int = 6          # entries a daily rumination reads back
    seed: int = 0

    # -- choosing --------------------------------------------------------------------

    def variant(self, state: Chemistry, now: datetime) -> str:
        """stressed while cortisol is high; else monthly, then weekly, when none ran in their period; else daily."""
        if self.chemistry.stressed(state):
            return "stressed"
        last = self._last_variants(now - timedelta(days=30))
        if "monthly" not in last and self._has_older(now):
            return "monthly"
        week = [v for v, t in last.items() if t >= now - timedelta(days=7)]
        if "weekly" not in week and len(themes(self._exchanges(now - timedelta(days=7), now))) >= 1:
            return "weekly"
        return "daily"

    def _last_variants(self, since: datetime) -> dict[str, datetime]:
        out: dict[str, datetime] = {}
        for e in self.diary.entries(since):
            if e.kind == "thought" and e.meta.get("variant"):
                out[e.meta["variant"]] = e.time
        return out

    def _exchanges(self, since: datetime | None, until: datetime) -> list[Entry]:
        return [e for e in self.diary.entries(since) if e.kind == "exchange" and e.time <= until]

    def _has_older(self, now: datetime) -> bool:
        """Is there a memory more than a week old? (Reads only until the first one.)"""
        cutoff = now - timedelta(days=7)
        return any(e.kind in ("exchange", "note") for e in self.diary.entries() if e.time < cutoff)

    def _older(self, now: datetime) -> list[Entry]:
        """Memories more than a week old: what a monthly rumination may bring back."""
        cutoff = now - timedelta(days=7)
        return [e for e in self.diary.entries() if e.kind in ("exchange", "note") and e.time < cutoff]

    # -- material ----------------------------------------------------------------------

    def material(self, variant: str, now: datetime, rng: random.Random) -> tuple[list[Entry], str]:
        """The entries a rumination reads back, and the themes that fill its prompt."""
        if variant == "stressed":
            recent = self._exchanges(now - timedelta(days=2), now)
            wrong = [e for e in recent if perceive(e.text).is_correction]
            return (wrong or recent)[-self.recent:], ""
        if variant == "weekly":
            week = self._exchanges(now - timedelta(days=7), now)
            top = themes(week)
            hits = [e for e in week if any(t in e.text.casefold() for t in top)]
            return (hits or week)[-self.recent:], ", ".join(top)
        if variant == "monthly":
            older, recent = self._older(now), self._exchanges(now - timedelta(days=2), now)
            old = rng.choice(older)
            return [old] + recent[-2:], ""
        return self._exchanges(None, now)[-self.recent:], ""

    # -- acts ----------------------------------------------------------------------------

    def ruminate(self, now: datetime, variant: str | None = None) -> IdleThought | None:
        """Write one private thought, or None when adenosine forbids it or there is nothing to think about."""
        state = self.chemistry.load(now)
        if not gate(state, self.chemistry.settings).ruminate:
            return None
        variant = variant or self.variant(state, now)
        if variant not in VARIANTS:
            raise ValueError(f"rumination variant {variant!r} is not one of {VARIANTS}")
        rng = random.Random(f"{self.seed}:{now.isoformat()}")
        entries, top = self.material(variant, now, rng)
        if not entries:
            return None
        messages = [{"role": "system", "content": PROMPTS[variant].format(themes=top or "the same things")},
                    {"role": "user", "content": _recollect(entries)}]
        text = sentences(self.think(messages, 0.7, rng.randrange(2**31)))
        return self._write("thought", variant, text, entries, state, now)

    def daydream(self, now: datetime) -> IdleThought | None:
        """Two random memories, no matching, free association at the daydream temperature."""
        state = self.chemistry.load(now)
        if not gate(state, self.chemistry.settings).daydream:
            return None
        pool = [e for e in self.diary.entries() if e.kind in ("exchange", "note", "thought") and e.time <= now]
        if len(pool) < 2:
            return None
        rng = random.Random(f"{self.seed}:daydream:{now.isoformat()}")
        pair = rng.sample(pool, 2)
        messages = [{"role": "system", "content": DAYDREAM}, {"role": "user", "content": _recollect(pair)}]
        text = sentences(self.think(messages, self.settings.daydream_temperature, rng.randrange(2**31)), most=3)
        return self._write("daydream", "daydream", text, pair, state, now)

    def _write(self, kind: str, variant: str, text: str, entries: Sequence[Entry], state: Chemistry,
               now: datetime) -> IdleThought | None:
        if not text.strip():
            log.info("idle: the %s came out empty; nothing written", variant)
            return None
        sources = tuple(e.id for e in entries)
        entry = self.diary.write(kind, text, chemistry=state.snapshot(), when=now,
                                 meta={"variant": variant, "sources": list(sources)})
        return IdleThought(kind, variant, text, sources, entry.id)


def _recollect(entries: Sequence[Entry]) -> str:
    lines = []
    for e in entries:
        who = "The user said" if e.kind == "exchange" else f"A {e.kind}"
        lines.append(f"- {e.time:%A %d %B}: {who}: {_clip(e.text)}")
    return "Memories:\n" + "\n".join(lines)


def _clip(text: str, chars: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + " …"
