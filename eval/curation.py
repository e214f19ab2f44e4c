"""Curation alone: what a run of nights would train, measured against the probes, no training.

Each days file (shared/benchmarks/days format), or each LoCoMo conversation, is curated
night by night as the sleep graph does it: a day's turns become items, `curate` runs with
the replay buffer's live examples as its prior, and the replay buffer retires what the night
retired and takes the new examples. What the last night leaves is the set the adapter has
learned. Two measures say whether that set can answer the probes, before any training:

- `covered`: the share of probes whose accepted answer some target holds;
- `nearest`: the share whose nearest trained prompt (all-MiniLM-L6-v2, cosine) has a target
  holding the answer. A 135M model answers the wordings it trained on; a probe whose
  nearest prompt teaches something else is likely answered with that something else.
- `leaked`: the correction and update probes whose retired value some target still states,
  in the final set or among the examples of any night from the one that retired it on (the
  nights train those), unless the example keeps it as true of someone else.

LoCoMo's questions are about two people talking, not about a user; a question counts when
its answer was said in a session (its normalised gold is inside a normalised turn), since
curation can only teach what was said. LoCoMo has no corrections, so nothing leaks there.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from statistics import median
from typing import Callable, Iterable

from consolidation.examples import Example, Item
from eval.retention import Probe, load_days, probes_of


@dataclass(frozen=True)
class Night:
    date: str
    items: list[Item]


@dataclass(frozen=True)
class Source:
    """One thing to curate: its nights and what will be asked of it afterwards."""
    name: str
    nights: list[Night]
    probes: list[Probe]
    normalise: Callable[[str], str] = str.casefold


def days_source(path: Path) -> Source:
    data = load_days(path)
    nights = [Night(day["date"], [Item(f"d{n}-{i}", "exchange", text, f"{day['date']}T10:{i // 60:02d}:{i % 60:02d}")
                                  for i, text in enumerate(day["turns"])])
              for n, day in enumerate(data["days"], 1)]
    probes = [p for p in probes_of(data) if p.kind != "absent"]
    return Source(data.get("name") or Path(path).stem, nights, probes)


def locomo_sources(path: Path, conversations: int | None = None) -> list[Source]:
    from eval.locomo import load, normalize

    out = []
    for conv in load(path)[:conversations]:
        nights = [Night(f"{s.when:%Y-%m-%d}", [Item(t.dia_id or f"s{s.number}-{i}", "exchange", t.line(),
                                                     (s.when + timedelta(minutes=i)).isoformat(),
                                                     meta={"speaker": t.speaker})   # as `eval.locomo.play` writes it
                                                for i, t in enumerate(s.turns)])
                  for s in conv.sessions]
        said = [normalize(t.line()) for s in conv.sessions for t in s.turns]
        probes = [Probe(q.id, q.question, (q.gold,), (), None, f"locomo-{q.category}") for q in conv.questions
                  if q.category != 5 and normalize(q.gold) and any(normalize(q.gold) in t for t in said)]
        out.append(Source(f"locomo-{conv.id}", nights, probes, normalize))
    return out


def sources_of(paths: Iterable[Path], conversations: int | None = None) -> list[Source]:
    """A `.zip` is the LoCoMo release (one source per conversation); anything else a days file."""
    out: list[Source] = []
    for path in paths:
        out += locomo_sources(path, conversations) if Path(path).suffix == ".zip" else [days_source(path)]
    return out


def curate_nights(source: Source, progress: Callable[[str], None] = lambda s: None,
                  ) -> tuple[list[list[Example]], list[list[str]], list[Example]]:
    """Each night's new examples, each night's retired values and the final live set, through the
    real replay buffer (in a scratch directory), as the sleep graph curates."""
    from consolidation.curate import curate
    from consolidation.dataset import ReplayBuffer

    nights, retired, said = [], [], []
    with tempfile.TemporaryDirectory(prefix="reverie-curation-") as scratch:
        replay = ReplayBuffer(Path(scratch) / "replay.jsonl")
        for n, night in enumerate(source.nights, 1):
            progress(f"{source.name}: night {n}/{len(source.nights)}")
            result = curate(night.items, prior=replay.examples(), night=night.date, said=said)
            said += [item.text for item in night.items]
            replay.add(result.examples, result.retired, night=night.date)
            nights.append(result.examples)
            retired.append(list(result.retired))
        return nights, retired, replay.examples()


def measure(source: Source, nights: list[list[Example]], final: list[Example]) -> dict:
    """covered, nearest and leaked (see the module docstring), with each miss."""
    from cognition.index import embed

    import numpy as np

    norm = source.normalise
    holds = lambda text, p: any(norm(a) in norm(text) for a in p.answers if norm(a))   # noqa: E731
    probes = source.probes
    cos = (np.array(embed([p.question for p in probes])) @ np.array(embed([e.prompt for e in final])).T
           if probes and final else np.zeros((len(probes), 0)))   # unit vectors: the cosines
    covered, near, cosines, misses = 0, 0, [], []
    for p, row in zip(probes, cos):
        is_covered = any(holds(e.target, p) for e in final)
        covered += is_covered
        best, score = (final[int(row.argmax())], float(row.max())) if len(row) else (None, -1.0)
        cosines.append(score)
        is_near = best is not None and holds(best.target, p)
        near += is_near
        if not (is_covered and is_near):
            misses.append({"id": p.id, "question": p.question, "answers": list(p.answers), "covered": is_covered,
                           "nearest_prompt": best.prompt if best else None,
                           "nearest_target": best.target if best else None, "cosine": round(score, 3)})
    leaked = []
    for p in probes:
        if p.kind not in ("update", "correction") or not p.forbidden:
            continue
        trained = final + [e for n, night in enumerate(nights, 1) if n >= (p.learned_on or 1) for e in night]
        hits = [e for e in trained for f in p.forbidden
                if norm(f) in norm(e.target) and norm(f) not in norm(" ".join(e.keeps))]
        if hits:
            leaked.append({"id": p.id, "forbidden": list(p.forbidden), "target": hits[0].target})
    n = len(probes)
    return {"probes": n, "covered": round(covered / n, 4) if n else None, "nearest": round(near / n, 4) if n else None,
            "nearest_cosine_median": round(median(cosines), 3) if cosines else None,
            "leaked": len(leaked), "leaks": leaked, "misses": misses}


def _example(e: Example) -> dict:
    return {"prompt": e.prompt, "target": e.target, "kind": e.kind, "sources": list(e.sources),
            "keeps": list(e.keeps)}


def run(paths: list[Path], out: Path | None = None, conversations: int | None = None,
        progress: Callable[[str], None] = lambda s: None) -> dict:
    """Curate every source night by night and measure it; the report's JSON (also written to `out`)."""
    import json

    started = time.perf_counter()
    files = []
    for source in sources_of(paths, conversations):
        t0 = time.perf_counter()
        nights, retired, final = curate_nights(source, progress)
        files.append({"name": source.name, **measure(source, nights, final),
                      "nights": [{"date": night.date, "retired": r, "examples": [_example(e) for e in made]}
                                 for night, made, r in zip(source.nights, nights, retired)],
                      "final_examples": [_example(e) for e in final],
                      "seconds": round(time.perf_counter() - t0, 1)})
    result = {"files": files, "total": combine(files), "seconds": round(time.perf_counter() - started, 1)}
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "curation.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        (out / "report.md").write_text(report(result), encoding="utf-8")
    return result


def report(result: dict) -> str:
    """The measures as a table, then each file's misses (what a reader fixes next)."""
    pct = lambda x: "-" if x is None else f"{x:.1%}"  # noqa: E731
    rows = [f"| {f['name']} | {f['probes']} | {pct(f['covered'])} | {pct(f['nearest'])} | "
            f"{f['nearest_cosine_median']} | {f['leaked']} | {len(f['final_examples'])} |" for f in result["files"]]
    t = result["total"]
    lines = ["# Curation", "", "| file | probes | covered | nearest | median cosine | leaked | examples |",
             "|---|---|---|---|---|---|---|", *rows,
             f"| **all** | {t['probes']} | {pct(t['covered'])} | {pct(t['nearest'])} | | {t['leaked']} | {t['examples']} |",
             "", f"{result['seconds']} s. `covered`: some target holds the answer; `nearest`: the nearest trained prompt's "
             "target does; `leaked`: a retired value still trained (eval/curation.py)."]
    for f in result["files"]:
        if f["misses"] or f["leaks"]:
            lines += ["", f"## {f['name']}", ""]
            lines += [f"- leak {x['id']}: {x['forbidden']} in \"{x['target']}\"" for x in f["leaks"]]
            lines += [f"- {m['id']} {m['question']} → nearest \"{m['nearest_prompt']}\" ({m['cosine']})"
                      + ("" if m["covered"] else " — in no target") for m in f["misses"]]
    return "\n".join(lines) + "\n"


def combine(files: list[dict]) -> dict:
    """The measures over every probe of every source (weighted by probes, not by file)."""
    n = sum(f["probes"] for f in files)
    weighted = lambda key: round(sum(f[key] * f["probes"] for f in files if f[key] is not None) / n, 4) if n else None  # noqa: E731
    return {"probes": n, "covered": weighted("covered"), "nearest": weighted("nearest"),
            "leaked": sum(f["leaked"] for f in files), "examples": sum(len(f["final_examples"]) for f in files)}
