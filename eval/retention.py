"""Retention: what the agent still knows after sleeping, by arm, by kind and by night.

Each days file (format: shared/benchmarks/days/README.md) is played in a fresh home:
every day's user turns go through the agent, then it sleeps; after each night the
probes are asked closed-book (the `dream` arm, the weights alone), and after the last
night every requested arm answers them:

- none:  the bare base, no memory at all (the floor);
- rag:   a full turn with System 1 off (retrieval only);
- dream: System 1 alone, closed-book (what the weights hold);
- both:  the full coordinated turn.

A probe is recalled when the reply contains an accepted answer and none of the
forbidden (corrected or outdated) values. `absent` probes are scored apart, as
abstention: declining to answer something never said.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from contextlib import contextmanager
from datetime import date
from typing import Callable, Iterator, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

ARMS = ("none", "rag", "dream", "both")
_DECLINE = re.compile(
    r"\b(don'?t|do not|didn'?t|did not|can'?t|cannot|haven'?t|have not) (know|recall|remember|have (that|any|this)|"
    r"seem to (know|have))|\bnot sure\b|\bnever (told|mentioned|said)\b|\bno (information|idea|record)\b|"
    r"\b(unknown|not aware)\b|\byou haven'?t (told|mentioned)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Probe:
    id: str
    question: str
    answers: tuple[str, ...]
    forbidden: tuple[str, ...]
    learned_on: int | None
    kind: str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Day(_Strict):
    date: str
    turns: list[str]

    @field_validator("date")
    @classmethod
    def _iso(cls, v: str) -> str:
        date.fromisoformat(v)   # its ValueError names the value
        return v


class _Probe(_Strict):
    id: str
    question: str
    answers: list[str] = []
    forbidden: list[str] = []
    learned_on: int | None = None
    kind: Literal["fact", "preference", "correction", "update", "absent"]


class _DaysFile(_Strict):
    """The format of shared/benchmarks/days/README.md: what every reader of a days file indexes."""

    name: str
    user: str | None = None
    description: str | None = None
    days: list[_Day]
    probes: list[_Probe]


def load_days(path: Path) -> dict:
    """A days file as its JSON object, checked against the format first: anything else is a ValueError
    naming the file and what is wrong, never a KeyError from deep inside a run."""
    where = f"{path}: not a days file (see shared/benchmarks/days/README.md)"
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as exc:   # bad UTF-8, bad JSON, JSON nested too deep
        raise ValueError(f"{where}: {exc}") from None
    try:
        _DaysFile.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'the file'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"{where}: {problems}") from None
    return data


def probes_of(data: dict) -> list[Probe]:
    return [Probe(p["id"], p["question"], tuple(p.get("answers") or ()), tuple(p.get("forbidden") or ()),
                  p.get("learned_on"), p["kind"]) for p in data["probes"]]


def recalled(reply: str, probe: Probe) -> bool:
    text = reply.casefold()
    return any(a.casefold() in text for a in probe.answers) and not any(f.casefold() in text for f in probe.forbidden)


def declined(reply: str) -> bool:
    return bool(_DECLINE.search(reply))


def score(replies: dict[str, str], probes: list[Probe]) -> dict:
    """Recall overall, by kind and by day learned; abstention on `absent` probes, apart.
    `replies` keeps every probe's reply and whether it counted, to see what was missed."""
    hits: dict[str, list[bool]] = defaultdict(list)
    by_day: dict[str, list[bool]] = defaultdict(list)
    absent, kept = [], []
    for p in probes:
        reply = replies.get(p.id, "")
        ok = declined(reply) if p.kind == "absent" else recalled(reply, p)
        kept.append({"id": p.id, "kind": p.kind, "question": p.question, "reply": reply, "ok": ok})
        if p.kind == "absent":
            absent.append(ok)
            continue
        hits["all"].append(ok)
        hits[p.kind].append(ok)
        by_day[str(p.learned_on)].append(ok)
    rate = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
    abstention = rate(absent)
    return {"recall": rate(hits["all"]), "probes": len(hits["all"]),
            "by_kind": {k: rate(v) for k, v in sorted(hits.items()) if k != "all"},
            "by_day": {k: rate(v) for k, v in sorted(by_day.items())},
            "abstention": abstention, "hallucination": None if abstention is None else round(1 - abstention, 4),
            "replies": kept}


def answer(agent, arm: str, probes: list[Probe]) -> dict[str, str]:
    """Every probe's reply under one arm; nothing is written to the agent's memory."""
    if arm == "dream":
        return {p.id: t.text for p, t in zip(probes, agent.brain.answer_many([p.question for p in probes]))}
    if arm == "none":
        from system1.prompts import answer_messages

        outs = agent.runtime.generate([answer_messages(p.question) for p in probes], adapter=False,
                                      max_new_tokens=agent.settings.system1.answer_tokens)
        return {p.id: g.text for p, g in zip(probes, outs)}
    if arm in ("rag", "both"):
        return {p.id: agent.say(p.question, system1=(arm == "both"), thread="probe", record=False).answer
                for p in probes}
    raise ValueError(f"unknown arm {arm!r}; choose from {', '.join(ARMS)}")


def load_never_said(path: Path) -> list[Probe]:
    """Questions about a user's life that no days file answers (`eval/never-said.json`):
    each is an `absent` probe, right only when declined."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        questions = [(q["id"], q["question"]) for q in data["questions"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a never-said set ({{\"questions\": [{{\"id\", \"question\"}}, ...]}}): "
                         f"{exc}") from None
    if not questions or not all(isinstance(i, str) and isinstance(q, str) and q.strip() for i, q in questions):
        raise ValueError(f"{path}: every question needs a string id and a non-empty question")
    return [Probe(i, q, (), (), None, "absent") for i, q in questions]


def run_persona(path: Path, arms: list[str], home: Path, settings_overrides: dict,
                progress: Callable[[str], None] = lambda s: None, *, system1: bool = True, sleep: bool = True,
                never_said: list[Probe] = ()) -> dict:
    """Play a days file in `home`, sleeping after each day (unless `sleep` is False), then probe `arms`,
    and ask each arm the `never_said` questions (its hallucination rate on them).

    Every played turn's latency and verdict are kept (`turns`), for the ablation.
    """
    from cognition.config import load_settings
    from consolidation.selftest import perplexity
    from graphs.agent import Agent
    from graphs.night import Night, summary

    data = load_days(path)
    probes = probes_of(data)
    settings = load_settings(home=home, user=data.get("user") or "default", **settings_overrides)
    agent = Agent(settings)
    ppl_base = perplexity(agent.runtime, adapter=False)
    nights, turns = [], []
    for n, day in enumerate(data["days"], 1):
        for i, turn in enumerate(day["turns"], 1):
            progress(f"{data['name']} day {n}: turn {i}/{len(day['turns'])}")
            result = agent.say(turn, system1=system1)
            turns.append({"day": n, "seconds": result.timings.get("total"), "verdict": result.verdict,
                          "timings": result.timings, "chemistry": result.chemistry})
        if not sleep:
            continue
        progress(f"{data['name']} night {n}: sleeping")
        night = summary(Night(agent).run(priority=False))
        dream = score(answer(agent, "dream", probes), probes)
        nights.append({"night": n, "date": day.get("date"), "recall": dream["recall"], "by_kind": dream["by_kind"],
                       "by_day": dream["by_day"], "hallucination": dream["hallucination"],
                       "promoted": night["promoted"], "version": night["version"], "self_test": night["self_test"],
                       "held_out": night.get("held_out"), "drift": {k: v for k, v in (night["drift"] or {}).items() if k != "quiz_failures"},
                       "examples": night["examples"], "train": night["train"], "phases": night["phases"],
                       "rolled_back_because": night["rolled_back_because"]})
    result = {"name": data["name"], "nights": nights, "arms": {}, "turns": turns}
    for arm in arms:
        progress(f"{data['name']}: probing arm {arm}")
        result["arms"][arm] = score(answer(agent, arm, probes), probes)
        if never_said:
            progress(f"{data['name']}: arm {arm} on {len(never_said)} never-said questions")
            asked = score(answer(agent, arm, list(never_said)), list(never_said))
            result["arms"][arm]["never_said"] = {"asked": len(never_said), "hallucination": asked["hallucination"],
                                                 "replies": asked["replies"]}
    ppl_after = perplexity(agent.runtime, adapter=True)
    result["drift"] = {"ppl_base": round(ppl_base, 4), "ppl_after": round(ppl_after, 4),
                       "ratio": round(ppl_after / ppl_base, 4)}
    agent.close()
    return result


@contextmanager
def fresh_home(keep: Path | None, prefix: str) -> Iterator[Path]:
    """A fresh, empty home for one evaluated agent: a new directory under `keep` (left there to
    be inspected), or a temporary one removed afterwards with everything trained in it."""
    if keep is not None:
        Path(keep).mkdir(parents=True, exist_ok=True)
        yield Path(tempfile.mkdtemp(prefix=prefix, dir=keep))
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def run(days: list[Path], arms: list[str], out: Path | None = None, settings_overrides: dict | None = None,
        progress: Callable[[str], None] = lambda s: None, keep_homes: Path | None = None,
        never_said: Path | None = None) -> dict:
    bad = [a for a in arms if a not in ARMS]
    if bad:
        raise ValueError(f"unknown arm(s) {', '.join(bad)}; choose from {', '.join(ARMS)}")
    started = time.time()
    asked = load_never_said(never_said) if never_said is not None else []
    personas = []
    for path in days:
        with fresh_home(keep_homes, f"reverie-retention-{Path(path).stem}-") as home:
            personas.append(run_persona(Path(path), arms, home, settings_overrides or {}, progress,
                                        never_said=asked))
    result = combine(personas, arms)
    result["seconds"] = round(time.time() - started, 1)
    if out is not None:
        from eval.report import write_retention_report

        write_retention_report(result, Path(out))
    return result


def combine(personas: list[dict], arms: list[str]) -> dict:
    """Arms averaged over personas (each persona weighs the same); nights likewise."""
    def mean(xs):
        xs = [x for x in xs if x is not None]
        return round(sum(xs) / len(xs), 4) if xs else None

    combined_arms = {}
    for arm in arms:
        per = [p["arms"][arm] for p in personas]
        kinds = sorted({k for s in per for k in s["by_kind"]})
        combined_arms[arm] = {"recall": mean([s["recall"] for s in per]),
                              "by_kind": {k: mean([s["by_kind"].get(k) for s in per]) for k in kinds},
                              "abstention": mean([s["abstention"] for s in per]),
                              "hallucination": mean([s["hallucination"] for s in per]),
                              "never_said": mean([(s.get("never_said") or {}).get("hallucination") for s in per])}
    n_nights = max(len(p["nights"]) for p in personas)
    nights = [mean([p["nights"][i]["recall"] for p in personas if i < len(p["nights"])]) for i in range(n_nights)]
    drift = {k: mean([p["drift"][k] for p in personas]) for k in ("ppl_base", "ppl_after", "ratio")}
    return {"arms": combined_arms, "nights": nights, "drift": drift, "personas": personas}
