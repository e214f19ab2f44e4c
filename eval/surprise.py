"""Surprise rate: how often System 1 says what System 2 would not have said on its own.

A days file (shared/benchmarks/days/README.md) is played in a fresh home with System 1
on, recording every turn's provocation, the adapter that produced it and System 2's
verdict on it; by default the agent sleeps between days, so from day 2 on System 1 is
the adapter trained on the days before (`sleep=False` skips the nights: much faster,
and then every provocation comes from the bare base, which makes the run a control).

Up to `turns` of the played turns are sampled (seeded). For each, System 2 — the "more
capable" model, whatever is configured; on the embedded default the same base with the
adapter off — produces `samples` associations of its own for the same message, with
System 1's own prompt (`system1.prompts.associate_messages`), token cap, stop and
temperature, so the two differ only in the weights. A provocation's score is its
largest cosine similarity (all-MiniLM-L6-v2) to any of System 2's samples.

Calibration, leave-one-out: each of System 2's samples plays System 1 once, scored
against its K-1 siblings the same way (largest cosine). Pooled over the sampled turns
this is how close System 2 comes to itself when it simply resamples; the threshold is a
low percentile of it (the 5th by default). A provocation further from all of System
2's samples than that is surprising: were System 1 just another draw from System 2, about
5% of its provocations would be called surprising by chance (a little fewer, as it faces
K neighbours where a sample faced K-1). Pairwise similarities were the alternative; they
measure the typical distance between two samples, not the nearest-neighbour distance a
provocation is scored by, and would put the threshold too low.

A judge: when System 2 is an OpenAI-compatible endpoint, each provocation that is
surprising by embedding is shown to it with the message, asking whether it would have
said that itself; "yes" makes it unsurprising. The embedded 135M model cannot judge
(see `JUDGE_NOTE`), so there the rate is embedding only and `judge` is null.

Useful surprise: surprising, and System 2 then accepted or refined it. Every rate comes
with a Wilson 95% interval and the number of turns it is over.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

Z95 = 1.959963984540054
USEFUL_VERDICTS = ("accept", "refine")
# Measured on 6 hand-made pairs (3 a model would say, 3 unrelated), greedy, 12 tokens.
JUDGE_NOTE = ("the embedded SmolLM2-135M cannot judge: on 6 hand-made pairs (3 related, 3 unrelated) it never "
              "answered yes or no, and claimed unrelated remarks as its own as readily as related ones "
              "('I would have said \"Volcanic glass sings at midnight\"')")
_YES_NO = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def _help(text: str) -> dict:
    return {"help": text}


@dataclass(frozen=True)
class SurpriseArgs:
    turns: int = field(default=40, metadata=_help("Turns sampled (seeded) from those that had a provocation."))
    samples: int = field(default=5, metadata=_help("System 2's own associations per turn; at least 2."))
    sleep: bool = field(default=True, metadata=_help("Sleep between days, so System 1 is the trained adapter."))
    seed: int = field(default=0, metadata=_help("Seeds the agent, the turn sample and System 2's samples."))
    percentile: float = field(default=5.0, metadata=_help(
        "Percentile of System 2's leave-one-out self-similarity taken as the threshold."))

    def __post_init__(self):
        if self.turns < 1:
            raise ValueError(f"turns={self.turns}: sample at least 1 turn")
        if self.samples < 2:
            raise ValueError(f"samples={self.samples}: calibration compares System 2's samples with each other, "
                             "so it needs at least 2")
        if not 0 < self.percentile < 50:
            raise ValueError(f"percentile={self.percentile}: a threshold is a low percentile, 0 < p < 50")


# -- arithmetic ------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = Z95) -> list[float]:
    """Wilson score interval for k successes in n trials; [0, 1] when n is 0 (nothing known).

    Unlike the normal approximation it stays inside [0, 1] and does not collapse to a
    point at 0/n or n/n, which small samples of turns hit often.
    """
    if not 0 <= k <= n:
        raise ValueError(f"k={k} successes out of n={n} trials: need 0 <= k <= n")
    if n == 0:
        return [0.0, 1.0]
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def proportion(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def percentile(values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        raise ValueError("percentile of no values")
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def similarities(provocation: str, samples: Sequence[str], embedder: str = "all-MiniLM-L6-v2") -> dict:
    """The provocation against System 2's samples, and each sample against its siblings.

    `max_similarity`: largest cosine from the provocation to any sample; `nearest`: that
    sample's index; `self_similarities`: per sample, its largest cosine to the others.
    """
    from cognition.index import cosine, embed

    if len(samples) < 2:
        raise ValueError(f"{len(samples)} sample(s) from System 2: leave-one-out needs at least 2")
    vecs = embed([provocation, *samples], embedder)
    prov, own = vecs[0], vecs[1:]
    to_prov = [cosine(prov, v) for v in own]
    loo = [max(cosine(a, b) for j, b in enumerate(own) if j != i) for i, a in enumerate(own)]
    nearest = max(range(len(own)), key=to_prov.__getitem__)
    return {"max_similarity": round(to_prov[nearest], 4), "nearest": nearest,
            "self_similarities": [round(x, 4) for x in loo]}


def calibrate(self_similarities: Sequence[float], p: float = 5.0) -> dict:
    """The threshold from System 2's own leave-one-out similarities, pooled over turns."""
    if not self_similarities:
        raise ValueError("no self-similarities to calibrate on: sample at least one turn")
    threshold = round(percentile(self_similarities, p), 4)
    return {"method": "leave-one-out: each of System 2's samples scored against its siblings (largest cosine)",
            "percentile": p, "threshold": threshold, "values": len(self_similarities),
            "percentiles": {f"p{q}": round(percentile(self_similarities, q), 4) for q in (5, 25, 50, 75, 95)},
            # How many of System 2's own samples the threshold itself would call surprising.
            "false_surprise_rate": proportion(sum(x < threshold for x in self_similarities), len(self_similarities))}


def surprising(max_similarity: float, threshold: float, judged_own: bool | None = None) -> bool:
    """Further from all of System 2's samples than the threshold, and not claimed by the judge."""
    return max_similarity < threshold and judged_own is not True


def useful(is_surprising: bool, verdict: str | None) -> bool:
    return is_surprising and verdict in USEFUL_VERDICTS


# -- measuring ---------------------------------------------------------------------------


def measure(turns: Sequence[dict], own: Sequence[Sequence[str]], p: float = 5.0,
            embedder: str = "all-MiniLM-L6-v2",
            judge: Callable[[str, str], bool | None] | None = None) -> dict:
    """Score each turn (message, provocation, verdict, adapter) against System 2's samples.

    `judge(message, provocation)` is asked only for provocations surprising by embedding
    (it can only take surprise away): True means System 2 would have said it.
    """
    if len(turns) != len(own):
        raise ValueError(f"{len(turns)} turns but {len(own)} sets of System 2 samples")
    scored = [{**t, **similarities(t["provocation"], s, embedder), "system2_samples": list(s)}
              for t, s in zip(turns, own)]
    calibration = calibrate([x for s in scored for x in s["self_similarities"]], p)
    threshold = calibration["threshold"]
    for s in scored:
        s["judge"] = judge(s["message"], s["provocation"]) if judge and s["max_similarity"] < threshold else None
        s["surprising"] = surprising(s["max_similarity"], threshold, s["judge"])
        s["useful"] = useful(s["surprising"], s.get("verdict"))
    return {**_rates(scored), "threshold": threshold, "calibration": calibration,
            "by_source": {name: _rates([s for s in scored if (s.get("adapter") is None) == (name == "base")])
                          for name in ("base", "adapter")},
            "per_turn": scored}


def _rates(scored: Sequence[dict]) -> dict:
    n = len(scored)
    k = sum(s["surprising"] for s in scored)
    u = sum(s["useful"] for s in scored)
    return {"surprise_rate": proportion(k, n), "ci95": wilson(k, n), "useful_surprise_rate": proportion(u, n),
            "useful_ci95": wilson(u, n), "turns": n, "surprising": k, "useful": u}


def own_associations(agent, message: str, k: int, seed: int) -> list[str]:
    """System 2's K associations on the message, asked exactly as System 1 is asked."""
    from system1.brain import SENTENCE_END, _first_sentences
    from system1.prompts import associate_messages

    s1 = agent.settings.system1
    messages = associate_messages(message)
    if agent.settings.system2.backend == "embedded":
        # One batch of K identical prompts: rows sample independently, no padding.
        with agent.runtime.lock:
            texts = [g.text for g in agent.runtime.generate([messages] * k, adapter=False,
                                                             max_new_tokens=s1.associate_tokens,
                                                             temperature=s1.temperature, seed=seed, stop=SENTENCE_END)]
    else:
        texts = [agent.reasoner.complete(messages, max_tokens=s1.associate_tokens, temperature=s1.temperature)
                 for _ in range(k)]
    return [_first_sentences(t, limit=1) or t.strip() for t in texts]


def judge_messages(message: str, provocation: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "You judge whether you would have made a remark yourself. "
                                          "Answer with one word: yes or no."},
            {"role": "user", "content": f'Someone said: "{message}"\nAsked for the first association that comes '
                                        f'to mind, in one short sentence, would you have said "{provocation}", or '
                                        "something that means the same?"}]


def judge_with(reasoner) -> Callable[[str, str], bool | None]:
    """A judge over a reasoner's `complete`: True for yes, False for no, None when it said neither."""

    def judge(message: str, provocation: str) -> bool | None:
        reply = reasoner.complete(judge_messages(message, provocation), max_tokens=4, temperature=0.0)
        found = _YES_NO.search(reply)
        return None if found is None else found.group(1).lower() == "yes"

    return judge


def play(agent, data: dict, sleep: bool, progress: Callable[[str], None] = lambda s: None) -> tuple[list, list]:
    """Every user turn with System 1 on; a night between days when `sleep`. Returns (turns, nights)."""
    from graphs.night import Night, summary

    played, nights = [], []
    days = data["days"]
    for n, day in enumerate(days, 1):
        for i, text in enumerate(day["turns"], 1):
            progress(f"{data['name']} day {n}: turn {i}/{len(day['turns'])}")
            r = agent.say(text, system1=True)
            played.append({"day": n, "turn": i, "message": text, "provocation": r.system1, "adapter": r.adapter,
                           "verdict": r.verdict})
        if sleep and n < len(days):  # a night after the last day would serve no turn
            progress(f"{data['name']} night {n}: sleeping")
            night = summary(Night(agent).run(priority=False))
            nights.append({"night": n, "promoted": night["promoted"], "version": night["version"],
                           "self_test": night["self_test"], "rolled_back_because": night["rolled_back_because"]})
    return played, nights


def run(days: Path, args: SurpriseArgs = SurpriseArgs(), out: Path | None = None,
        settings_overrides: dict | None = None, progress: Callable[[str], None] = lambda s: None,
        home: Path | None = None, keep_homes: Path | None = None) -> dict:
    """Play the days file in a fresh home (`home`, which must be empty; else a new one under
    `keep_homes`; else a temporary one, removed afterwards), then measure the surprise rate."""
    from eval.retention import fresh_home

    if home is not None:
        return _run_in(Path(home), Path(days), args, out, settings_overrides, progress)
    with fresh_home(keep_homes, f"reverie-surprise-{Path(days).stem}-") as fresh:
        return _run_in(fresh, Path(days), args, out, settings_overrides, progress)


def _run_in(home: Path, days: Path, args: SurpriseArgs, out: Path | None, settings_overrides: dict | None,
            progress: Callable[[str], None]) -> dict:
    from cognition.config import load_settings
    from eval.retention import load_days
    from graphs.agent import Agent

    started = time.time()
    data = load_days(days)
    if (home / "users").exists():
        raise ValueError(f"{home} already holds users; the surprise rate is measured in a fresh home")
    settings = load_settings(**{**(settings_overrides or {}), "home": home, "user": data.get("user") or "default",
                                "seed": args.seed})
    agent = Agent(settings)
    try:
        played, nights = play(agent, data, args.sleep, progress)
        eligible = [t for t in played if t["provocation"]]
        if not eligible:
            raise ValueError(f"none of the {len(played)} turns of {days} had a provocation from System 1")
        rng = random.Random(args.seed)
        chosen = [eligible[i] for i in sorted(rng.sample(range(len(eligible)), min(args.turns, len(eligible))))]
        own = []
        for j, t in enumerate(chosen, 1):
            progress(f"{data['name']}: System 2's own associations {j}/{len(chosen)}")
            own.append(own_associations(agent, t["message"], args.samples, rng.randrange(2**31)))
        openai = settings.system2.backend == "openai"
        result = measure(chosen, own, args.percentile, settings.memory.embedder,
                         judge_with(agent.reasoner) if openai else None)
        system2 = agent.reasoner.name if openai else f"embedded base, adapter off ({settings.model.id})"
    finally:
        agent.close()
    result.update(name=data["name"], system2=system2, judge=system2 if openai else None,
                  method="embedding + judge" if openai else "embedding only",
                  judge_note=None if openai else JUDGE_NOTE, samples=args.samples,
                  temperature=settings.system1.temperature, played=len(played), eligible=len(eligible),
                  sleep=args.sleep, nights=nights, seed=args.seed, seconds=round(time.time() - started, 1))
    if out is not None:
        write_report(result, Path(out))
    return result


# -- the report ------------------------------------------------------------------------------


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x * 100:.1f}%"


def _ci(ci: Sequence[float]) -> str:
    return f"{_pct(ci[0])} – {_pct(ci[1])}"


def markdown(result: dict) -> str:
    cal = result["calibration"]
    pcts = cal["percentiles"]
    lines = [f"# Surprise rate: {result['name']}", "",
             f"How often System 1's provocation is one that System 2 ({result['system2']}) would not have produced "
             f"on its own, over {result['turns']} turns sampled from {result['eligible']} with a provocation "
             f"({result['played']} played; {'a night between days' if result['sleep'] else 'no nights'}).", "",
             "| | rate | 95% interval (Wilson) | turns |", "|---|---|---|---|",
             f"| surprise | {_pct(result['surprise_rate'])} | {_ci(result['ci95'])} | {result['turns']} |",
             f"| useful surprise (surprising, then accepted or refined) | {_pct(result['useful_surprise_rate'])} | "
             f"{_ci(result['useful_ci95'])} | {result['turns']} |"]
    for name, label in (("base", "from the bare base (no adapter yet)"), ("adapter", "from a trained adapter")):
        s = result["by_source"][name]
        if s["turns"]:
            lines.append(f"| surprise {label} | {_pct(s['surprise_rate'])} | {_ci(s['ci95'])} | {s['turns']} |")
    lines += ["", "## The threshold", "",
              f"For each sampled turn System 2 produced {result['samples']} associations of its own, with System 1's "
              f"prompt and temperature ({result['temperature']}). Each of them was scored the way a provocation is "
              "(its largest cosine similarity, all-MiniLM-L6-v2) against its siblings: "
              f"{cal['values']} values, how close System 2 comes to itself when it only resamples.", "",
              "| p5 | p25 | median | p75 | p95 |", "|---|---|---|---|---|",
              f"| {pcts['p5']} | {pcts['p25']} | {pcts['p50']} | {pcts['p75']} | {pcts['p95']} |", "",
              f"The threshold is the {cal['percentile']:g}th percentile, **{result['threshold']}**: a provocation is "
              "surprising when its nearest System 2 sample is further away than that. "
              f"{_pct(cal['false_surprise_rate'])} of System 2's own samples fall below it: were System 1 just "
              "another draw from System 2, about that share of its provocations would be called surprising by "
              "chance (a little fewer, as a provocation faces every sample where a sample faced one fewer).", "",
              ("Judge: " + (f"{result['judge']} was asked whether it would have said each provocation surprising by "
                            "embedding; a yes made it unsurprising." if result["judge"] else
                            f"none (embedding only); {result['judge_note']}."
                            )), "",
              "![similarity of provocations and of System 2's own samples](similarity.png)", "",
              "![rates](rates.png)", ""]
    lines += _examples(result["per_turn"])
    lines.append(f"Seed {result['seed']}; took {result['seconds']} s.")
    return "\n".join(lines) + "\n"


def _examples(per_turn: Sequence[dict], n: int = 3) -> list[str]:
    lines = []
    for title, want in (("Surprising provocations", True), ("Unsurprising provocations", False)):
        picked = sorted((t for t in per_turn if t["surprising"] == want),
                        key=lambda t: t["max_similarity"], reverse=not want)[:n]
        lines += [f"## {title}", ""]
        for t in picked:
            nearest = t["system2_samples"][t["nearest"]]
            lines += [f"- *{t['message']}*  ", f"  System 1: “{t['provocation']}” ({t['verdict']})  ",
                      f"  System 2's nearest: “{nearest}” (similarity {t['max_similarity']})"]
        lines += (["(none)"] if not picked else []) + [""]
    return lines


def plot_similarity(result: dict, path: Path) -> Path:
    """Where provocations fall against System 2's own resamples, with the threshold."""
    from eval.report import _finish, _pyplot

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    own = [x for t in result["per_turn"] for x in t["self_similarities"]]
    prov = [t["max_similarity"] for t in result["per_turn"]]
    lo = min(-0.1, *own, *prov)
    bins = [lo + (1.0 - lo) * i / 24 for i in range(25)]
    ax.hist(own, bins=bins, weights=[1 / len(own)] * len(own), alpha=0.5, label="System 2 vs its own samples")
    ax.hist(prov, bins=bins, weights=[1 / len(prov)] * len(prov), alpha=0.5, label="System 1 vs System 2's samples")
    ax.axvline(result["threshold"], color="black", linestyle="--", label=f"threshold {result['threshold']}")
    ax.set_xlabel("largest cosine similarity to System 2's samples")
    ax.set_ylabel("fraction")
    return _finish(plt, fig, ax, "Surprise: how far System 1 lands from System 2", path)


def plot_rates(result: dict, path: Path) -> Path:
    from eval.report import _finish, _pyplot

    plt = _pyplot()
    bars = [("surprise", result["surprise_rate"], result["ci95"]),
            ("useful", result["useful_surprise_rate"], result["useful_ci95"])]
    bars += [(f"surprise, {name}", s["surprise_rate"], s["ci95"])
             for name, s in result["by_source"].items() if s["turns"]]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for x, (label, rate, ci) in enumerate(bars):
        rate = rate or 0.0
        ax.bar(x, rate, label=label, yerr=[[rate - ci[0]], [ci[1] - rate]], capsize=4)
    ax.set_xticks(range(len(bars)), [b[0] for b in bars])
    ax.set_ylabel("rate (95% Wilson interval)")
    return _finish(plt, fig, ax, f"Surprise over {result['turns']} turns", path)


def write_report(result: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_similarity(result, out / "similarity.png")
    plot_rates(result, out / "rates.png")
    (out / "report.md").write_text(markdown(result), encoding="utf-8")
    return out / "report.md"
