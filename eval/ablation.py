"""Ablation: what System 1 adds to the coordinated answer, on the same conversations.

Each days file is played twice in fresh homes: once with System 1 on (sleeping after each
day, so the adapter learns) and once with it off. Then the probes are answered by the
full turn in each home. Reported side by side: recall (overall and by kind), System 2's
verdicts on the provocations while playing, and the latency of a turn.

The System-1-off home does not sleep: with System 1 off the adapter is never consulted,
so its nights could not change a single answer, and on this CPU each costs minutes.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from eval.retention import fresh_home, run_persona


def latency(turns: list[dict]) -> dict:
    seconds = sorted(t["seconds"] for t in turns if t.get("seconds") is not None)
    if not seconds:
        return {"median": None, "p90": None, "mean": None, "turns": 0}
    p90 = seconds[min(len(seconds) - 1, round(0.9 * (len(seconds) - 1)))]
    return {"median": round(statistics.median(seconds), 3), "p90": round(p90, 3),
            "mean": round(statistics.fmean(seconds), 3), "turns": len(seconds)}


def verdicts(turns: list[dict]) -> dict:
    counts = Counter(t["verdict"] for t in turns if t.get("verdict"))
    return {v: counts.get(v, 0) for v in ("accept", "refine", "discard")}


def arm_summary(persona: dict, arm: str) -> dict:
    s = persona["arms"][arm]
    return {"recall": s["recall"], "by_kind": s["by_kind"], "abstention": s["abstention"],
            "hallucination": s["hallucination"], "verdicts": verdicts(persona["turns"]),
            "latency": latency(persona["turns"])}


def run(days: list[Path], out: Path | None = None, settings_overrides: dict | None = None,
        progress: Callable[[str], None] = lambda s: None, keep_homes: Path | None = None) -> dict:
    started = time.time()
    personas = []
    for path in days:
        stem = Path(path).stem
        with fresh_home(keep_homes, f"reverie-ablation-{stem}-on-") as home:
            on = run_persona(Path(path), ["both"], home, settings_overrides or {},
                             lambda m: progress(f"System 1 on: {m}"), system1=True, sleep=True)
        with fresh_home(keep_homes, f"reverie-ablation-{stem}-off-") as home:
            off = run_persona(Path(path), ["rag"], home, settings_overrides or {},
                              lambda m: progress(f"System 1 off: {m}"), system1=False, sleep=False)
        personas.append({"name": on["name"], "on": arm_summary(on, "both"), "off": arm_summary(off, "rag"),
                         "nights": on["nights"], "drift": on["drift"]})
    result = {"personas": personas, **combine(personas), "seconds": round(time.time() - started, 1)}
    if out is not None:
        from eval.report import write_ablation_report

        write_ablation_report(result, Path(out))
    return result


def combine(personas: list[dict]) -> dict:
    """System 1 on and off, averaged over personas; `delta` is on minus off."""
    def mean(xs):
        xs = [x for x in xs if x is not None]
        return round(sum(xs) / len(xs), 4) if xs else None

    arms = {}
    for arm in ("on", "off"):
        per = [p[arm] for p in personas]
        kinds = sorted({k for s in per for k in s["by_kind"]})
        arms[arm] = {"recall": mean([s["recall"] for s in per]),
                     "by_kind": {k: mean([s["by_kind"].get(k) for s in per]) for k in kinds},
                     "hallucination": mean([s["hallucination"] for s in per]),
                     "verdicts": {v: sum(s["verdicts"].get(v, 0) for s in per) for v in ("accept", "refine", "discard")},
                     "latency_median": mean([s["latency"]["median"] for s in per])}
    on, off = arms["on"]["recall"], arms["off"]["recall"]
    delta = None if on is None or off is None else round(on - off, 4)
    return {"arms": arms, "delta_recall": delta}
