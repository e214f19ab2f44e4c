"""The night's dataset: today's examples weighted by reward, and the replay buffer.

- Dopamine and cortisol set each example's `reward`; an example repeats in proportion
  to it (praise 1.5x, correction 2.0x, neutral 1.0x; cortisol adds up to 1.5x).
- Every batch mixes in `replay_fraction` (30% by default) of older examples, sampled by
  reward, so yesterday's facts are rehearsed while today's are learned. The draw is by
  memory (what an example states, its target), then by question: a fact curation asked
  thirty ways is rehearsed no more often than one asked three ways.
- The replay buffer (`replay.jsonl`) keeps every example ever trained, with its sources
  and night. Corrections and updates retire the values they replace; retired examples
  stay in the file, marked, and are never replayed.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from cognition.home import atomic_write_text
from consolidation import frames
from consolidation.examples import Example
from consolidation.unsaid import KIND as UNSAID

log = logging.getLogger(__name__)


class ReplayBuffer:
    def __init__(self, path: Path):
        self.path = Path(path)

    def records(self) -> list[dict]:
        if not self.path.exists():
            return []
        out = []
        for lineno, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                log.warning("replay: skipping damaged line %s:%d", self.path, lineno)
        return out

    def examples(self) -> list[Example]:
        """The live examples: not retired."""
        return [Example.from_json(r) for r in self.records() if not r.get("retired_by")]

    def forget(self, entry_ids: Iterable[str]) -> int:
        """Remove every example that came from any of these diary entries; returns how many."""
        gone = set(entry_ids)
        if not gone or not self.path.exists():
            return 0
        records = self.records()
        kept = [r for r in records if not any(s.split("~")[0] in gone for s in r.get("sources") or ())]
        if len(kept) != len(records):
            atomic_write_text(self.path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept))
        return len(records) - len(kept)

    def add(self, examples: Iterable[Example], retired: Iterable[str] = (), night: str = "") -> dict[str, int]:
        """Retire older examples stating a replaced value (and the profiles and unsaid questions
        tonight rebuilds), then append the night's (deduplicated). An example tonight teaches again
        stays, or comes back if an earlier night retired it ("back in Leeds" after a year away)."""
        retired = [v for v in retired if v]
        examples = [ex for ex in examples if not ex.states(retired)]
        again = {ex.id for ex in examples}
        renewed = frames.replaced(examples)   # an older profile under a prompt tonight answers anew
        records = self.records()
        n_retired = 0
        for r in records:
            old = Example.from_json(r)
            if r.get("retired_by") or r["id"] in again:
                continue
            if old.states(retired) or old.kind == frames.KIND and old.prompt in renewed \
                    or old.kind == UNSAID and examples:   # each night's unsaid set is rebuilt whole
                r["retired_by"] = night or "retired"
                n_retired += 1
        live = {r["id"] for r in records if not r.get("retired_by")}
        added = 0
        for r in records:
            if r.get("retired_by") and r["id"] in again and r["id"] not in live:
                del r["retired_by"]
                live.add(r["id"])
                added += 1
        present = {r["id"] for r in records}
        for ex in examples:
            if ex.id not in present:
                records.append(ex.to_json())
                present.add(ex.id)
                added += 1
        atomic_write_text(self.path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        return {"added": added, "retired": n_retired, "total": len(records)}


class RetiredLog:
    """`retired.jsonl`: each value a night retired, with what holds now where one of its examples
    says it (the wiki-worker flags pages that still state a retired value)."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def add(self, retired: Iterable[str], examples: Sequence[Example], night: str) -> int:
        lines = []
        for value in (v for v in retired if v):
            says = next((e for e in examples if value.casefold() in (r.casefold() for r in e.retires)), None)
            lines.append({"value": value, "night": night, "now": says.target if says else "",
                          "about": says.prompt if says else "", "sources": list(says.sources) if says else []})
        if lines:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
        return len(lines)

    def records(self) -> list[dict]:
        out = []
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    out.append(json.loads(line))
                except ValueError:
                    log.warning("retired: skipping a damaged line of %s", self.path)
        return out


def repeats(reward: float, rng: random.Random) -> int:
    """How many times an example appears per epoch: reward 1.5 is once or twice, evenly."""
    whole = math.floor(reward)
    return max(1, whole + (1 if rng.random() < reward - whole else 0))


def weighted_pool(examples: list[Example], rng: random.Random) -> list[Example]:
    pool = [ex for ex in examples for _ in range(repeats(ex.reward, rng))]
    rng.shuffle(pool)
    return pool


@dataclass
class Plan:
    batches: list[list[Example]]
    composition: dict

    def flat(self) -> list[Example]:
        return [ex for batch in self.batches for ex in batch]


def compose(today: list[Example], replay: list[Example], *, batches: int, batch_size: int,
            replay_fraction: float = 0.30, seed: int = 0, anchors: Sequence[Example] = (),
            anchor_share: float = 0.0) -> Plan:
    """`batches` batches, `replay_fraction` of every batch replayed when anything can be.

    When the fraction of a batch is not a whole number of examples (30% of 8 is 2.4) the
    batches take turns rounding it down and up, so that the night as a whole replays the
    fraction exactly: 2, 3, 2, 3, 2, ...

    `anchor_share` of the replayed examples are `anchors` (general questions in the answer
    frame), drawn evenly, the rest older memories by reward: however large the memory grows,
    the anchors keep their place in every night (with no older memories, all replay is anchors).
    """
    anchors = list(anchors)
    if not today and not replay and not anchors:
        raise ValueError("nothing to train on: no examples today and an empty replay buffer")
    rng = random.Random(seed)
    today_stream = _cycle(lambda: weighted_pool(today, rng))
    memories = _memories(replay)
    share = replay_fraction * batch_size
    replays = bool(replay or anchors)
    out = []
    for i in range(batches):
        n_replay = round(share * (i + 1)) - round(share * i) if replays else 0
        if not today:
            n_replay = batch_size
        batch = [next(today_stream) for _ in range(batch_size - n_replay)]
        batch += [_replayed(memories, anchors, anchor_share, rng) for _ in range(n_replay)]
        rng.shuffle(batch)
        out.append(batch)
    per_batch = share if replays and today else (batch_size if replays else 0)
    return Plan(out, describe(today, replay + anchors, out, per_batch, batch_size))


@dataclass
class _Memories:
    groups: list[list[Example]]   # older examples by the statement they train (their target)
    rewards: list[list[float]]    # each example's reward, as drawn within its memory
    weights: list[float]          # each memory's mean reward, as memories are drawn


def _memories(replay: list[Example]) -> _Memories:
    groups: dict[str, list[Example]] = {}
    for ex in replay:
        groups.setdefault(ex.target, []).append(ex)
    rewards = [[max(e.reward, 1e-6) for e in g] for g in groups.values()]
    return _Memories(list(groups.values()), rewards, [sum(r) / len(r) for r in rewards])


def _replayed(memories: _Memories, anchors: list[Example], anchor_share: float, rng: random.Random) -> Example:
    if anchors and (not memories.groups or rng.random() < anchor_share):
        return rng.choice(anchors)
    i = rng.choices(range(len(memories.groups)), weights=memories.weights)[0]
    return rng.choices(memories.groups[i], weights=memories.rewards[i])[0]


def _cycle(make):
    while True:
        pool = make()
        if not pool:
            return
        yield from pool


def describe(today: list[Example], replay: list[Example], batches: list[list[Example]], n_replay: float,
             batch_size: int) -> dict:
    today_ids = {ex.id for ex in today}
    seen = Counter(ex.kind for batch in batches for ex in batch)
    trained = sum(len(b) for b in batches)
    replayed = sum(1 for b in batches for ex in b if ex.id not in today_ids)
    return {
        "today": dict(Counter(ex.kind for ex in today)),
        "today_total": len(today),
        "replay_pool": len(replay),
        "boosted": sum(1 for ex in today if ex.reward > 1.0),
        "boosted_by_kind": dict(Counter(ex.kind for ex in today if ex.reward > 1.0)),
        "trained": dict(seen),
        "trained_total": trained,
        "replay_share": round(replayed / trained, 4) if trained else 0.0,
        "replay_per_batch": round(n_replay, 3),
        "anchors_trained": sum(1 for b in batches for ex in b if ex.kind == "anchor"),
        "batch_size": batch_size,
    }


def rem_cycles(volume: int, lo: int = 3, hi: int = 9, per_cycle: int = 4) -> int:
    """3 cycles for a quiet day, one more per `per_cycle` things worth learning, at most 9.

    The volume is counted in source items (what was said), not in examples: augmentation
    multiplies every fact by a dozen questions, and that must not multiply the night.
    """
    return max(lo, min(hi, lo + volume // per_cycle))


def volume(examples: list[Example]) -> int:
    """How many distinct diary entries the night's examples come from (a profile gathers older
    ones too, and says nothing new)."""
    return len({s for ex in examples if ex.kind != frames.KIND for s in ex.sources})
