"""The LoCoMo report: result.json, report.md and two plots in `--out DIR`.

Every number in report.md is printed from result.json's own (rounded) values, so the two
always agree. Kept apart from eval/report.py, whose plot helpers it shares.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.locomo import CATEGORIES, ORDER
from eval.report import _finish, _pyplot, grouped_bars


def plot_f1(result: dict, path: Path) -> Path:
    """F1 per category (the paper's order) and overall, one bar per arm."""
    names = _categories(result) + ["overall"]
    series = {arm: [s["overall"] if name == "overall" else s["f1"].get(name) for name in names]
              for arm, s in result["arms"].items()}
    return grouped_bars(names, series, "F1 (adversarial: declined)", "LoCoMo: F1 by category and arm", path)


def plot_nights(result: dict, path: Path) -> Path:
    """What each night made of its day: the share of turns curation used, and the self-test."""
    plt = _pyplot()
    nights = result["nights"]
    xs = range(1, len(nights) + 1)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.bar(xs, [n["turns_curated"] / n["turns"] if n["turns"] else 0 for n in nights], color="tab:blue",
           alpha=0.6, label="turns curation used")
    ax.plot(xs, [n["self_test"] if n["self_test"] is not None else float("nan") for n in nights], color="black",
            marker="o", label="self-test")
    ax.set_xticks(list(xs))
    ax.set_xlabel("night (all conversations in order)")
    return _finish(plt, fig, ax, "What each night learned from", path)


def locomo_markdown(result: dict) -> str:
    names = _categories(result)
    lines = ["# LoCoMo", "", _played(result), "",
             "F1 per category (LoCoMo's token F1; adversarial questions score 1 for declining), questions asked:",
             "", "| arm | " + " | ".join(names) + " | overall | overall without adversarial | seconds |",
             "|---|" + "---|" * (len(names) + 3)]
    for arm, s in result["arms"].items():
        cells = [_num(s["f1"].get(n)) for n in names]
        lines.append(f"| {arm} | " + " | ".join(cells) + f" | {_num(s['overall'])} | "
                     f"{_num(s['overall_without_adversarial'])} | {s['seconds']} |")
    first = next(iter(result["arms"].values()), {"n": {}})
    lines.append("| n | " + " | ".join(str(first["n"].get(n, 0)) for n in names) + f" | {sum(first['n'].values())} | "
                 f"{sum(v for k, v in first['n'].items() if k != 'adversarial')} | |")
    lines += ["", "Category numbers as named here: " + ", ".join(f"{k} {v}" for k, v in result["categories"].items())
              + " (the LoCoMo code's and the paper's tables; other papers number them differently).", "",
              "![F1 by category](f1.png)", "", "## Nights", "",
              "| conversation | night | sessions | date | turns | turns curated | examples | promoted | self-test | "
              "train tokens/s | seconds |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n in result["nights"]:
        lines.append(f"| {n['conversation']} | {n['night']} | {', '.join(map(str, n['sessions']))} | {n['date']} | "
                     f"{n['turns']} | {n['turns_curated']} | {n['examples'].get('total', 0)} | {n['promoted']} | "
                     f"{_num(n['self_test'])} | {n['train'].get('tokens_per_s')} | {n['seconds']} |")
    lines += ["", "![nights](nights.png)", ""]
    sample = next((n["sample"] for n in result["nights"] if n["sample"]), [])
    if sample:
        lines += ["What curation made of the first night that made anything:", ""]
        lines += [f"- {ex['prompt']} → {ex['target']}" for ex in sample] + [""]
    s = result["seconds"]
    lines.append(f"Took {s['total']} s: playing {s['play']} s, sleeping {s['sleep']} s, questions {s['qa']} s "
                 f"(seed {result['seed']}).")
    return "\n".join(lines) + "\n"


def _played(result: dict) -> str:
    parts = [f"conversation {p['id']} ({' and '.join(p['speakers'])}): {p['sessions_played']} of "
             f"{p['sessions_total']} sessions, {p['turns']} turns, {p['questions_asked']} of {p['questions_askable']} "
             f"askable questions" for p in result["played"]]
    a = result["args"]
    return ("Played " + "; ".join(parts) + f". {a['sessions_per_night']} session(s) a night, "
            f"{len(result['nights'])} nights; data {result.get('data')}.")


def _categories(result: dict) -> list[str]:
    """Category names in the paper's order, those that any arm scored."""
    seen = {n for s in result["arms"].values() for n in s["f1"]}
    return [CATEGORIES[c] for c in ORDER if CATEGORIES[c] in seen]


def _num(x) -> str:
    return "-" if x is None else str(x)


def write_locomo_report(result: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if result["arms"]:
        plot_f1(result, out / "f1.png")
    if result["nights"]:
        plot_nights(result, out / "nights.png")
    (out / "report.md").write_text(locomo_markdown(result), encoding="utf-8")
    return out / "report.md"
