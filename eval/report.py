"""Reports: every eval writes its JSON, a markdown report and PNG plots into `--out DIR`."""

from __future__ import annotations

import json
from pathlib import Path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    return plt


def _finish(plt, fig, ax, title: str, path: Path) -> Path:
    """Every plot here is a 0-1 rate: same axis, legend and file settings."""
    ax.set_ylim(0, 1)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_nights(result: dict, path: Path) -> Path:
    """Closed-book (dream) recall after each night, one line per persona and their mean."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for persona in result["personas"]:
        xs = [n["night"] for n in persona["nights"]]
        ax.plot(xs, [n["recall"] for n in persona["nights"]], marker="o", alpha=0.6, label=persona["name"])
    ax.plot(range(1, len(result["nights"]) + 1), result["nights"], color="black", linewidth=2, label="mean")
    ax.set_xticks(range(1, len(result["nights"]) + 1))
    ax.set_xlabel("night")
    ax.set_ylabel("closed-book recall")
    return _finish(plt, fig, ax, "What the weights hold after each night", path)


def grouped_bars(groups: list[str], series: dict[str, list[float]], ylabel: str, title: str, path: Path) -> Path:
    """One cluster of bars per group, one bar per series (missing values drawn as 0)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(7.0, 1.1 * len(groups)), 3.6))
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        ax.bar([x + i * width for x in range(len(groups))], [v or 0 for v in values], width, label=name)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(groups))], groups)
    ax.set_ylabel(ylabel)
    return _finish(plt, fig, ax, title, path)


def plot_arms(result: dict, path: Path) -> Path:
    arms = result["arms"]
    kinds = sorted({k for a in arms.values() for k in a["by_kind"]})
    return grouped_bars(kinds, {name: [a["by_kind"].get(k) for k in kinds] for name, a in arms.items()},
                        "recall", "Recall by probe kind and arm", path)


def plot_forgetting(result: dict, path: Path) -> Path:
    """The forgetting curve: closed-book recall of what was learned on day k, after every later night."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    n_nights = max((len(p["nights"]) for p in result["personas"]), default=0)
    days = sorted({d for p in result["personas"] for n in p["nights"] for d in n.get("by_day", {})
                   if d not in ("None", "null")}, key=int)
    for day in days:
        xs, ys = [], []
        for i in range(int(day), n_nights + 1):
            values = [p["nights"][i - 1]["by_day"].get(day) for p in result["personas"] if i <= len(p["nights"])]
            values = [v for v in values if v is not None]
            if values:
                xs.append(i)
                ys.append(sum(values) / len(values))
        ax.plot(xs, ys, marker="o", label=f"learned on day {day}")
    ax.set_xlabel("after night")
    ax.set_ylabel("closed-book recall")
    ax.set_xticks(range(1, n_nights + 1))
    return _finish(plt, fig, ax, "Forgetting curve", path)


def plot_chemistry(result: dict, path: Path) -> Path:
    """Adenosine and cortisol after every played turn (first persona), with the nights marked."""
    plt = _pyplot()
    persona = result["personas"][0]
    turns = persona.get("turns") or []
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for signal in ("adenosine", "cortisol"):
        ax.plot([t["chemistry"].get(signal, 0.0) for t in turns], label=signal)
    for i in range(1, len(turns)):
        if turns[i]["day"] != turns[i - 1]["day"]:
            ax.axvline(i - 0.5, color="grey", linestyle=":", linewidth=1)
    ax.set_xlabel(f"turn ({persona['name']}; dotted lines: nights)")
    ax.set_ylabel("level")
    return _finish(plt, fig, ax, "Chemistry over the run", path)


def retention_markdown(result: dict) -> str:
    lines = ["# Retention", "", "| arm | recall | " + " | ".join(_kinds(result)) + " | abstention | "
             "hallucination, never-said set |", "|---|---|" + "---|" * len(_kinds(result)) + "---|---|"]
    for arm, s in result["arms"].items():
        cells = [_pct(s["by_kind"].get(k)) for k in _kinds(result)]
        lines.append(f"| {arm} | {_pct(s['recall'])} | " + " | ".join(cells) + f" | {_pct(s['abstention'])} | "
                     f"{_pct(s.get('never_said'))} |")
    lines += ["", "Closed-book recall after each night: " + ", ".join(_pct(x) for x in result["nights"]), "",
              f"Drift: reference perplexity {result['drift']['ppl_base']} → {result['drift']['ppl_after']} "
              f"({result['drift']['ratio']}x).", "", "![recall per night](nights.png)", "",
              "![recall by kind](arms.png)", "", "![forgetting curve](forgetting.png)", "",
              "![chemistry](chemistry.png)", ""]
    for p in result["personas"]:
        lines += [f"## {p['name']}", "", "| night | recall | self-test | self-test, unseen wording | promoted | "
                  "examples | train tokens/s | perplexity | quiz | hallucination |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for n in p["nights"]:
            d = n.get("drift") or {}
            quiz = f"{_pct(d.get('quiz_base'))} → {_pct(d.get('quiz_after'))}" if "quiz_after" in d else "-"
            lines.append(f"| {n['night']} | {_pct(n['recall'])} | {_pct(n['self_test'])} | "
                         f"{_pct(n.get('held_out'))} | {n['promoted']} | "
                         f"{n['examples'].get('total')} | {n['train'].get('tokens_per_s')} | "
                         f"{d.get('ratio', '-')}x | {quiz} | {_pct(n.get('hallucination'))} |")
        lines.append("")
        lines += _misses(p)
    lines.append(f"Took {result.get('seconds')} s.")
    return "\n".join(lines) + "\n"


def _misses(persona: dict) -> list[str]:
    """Per arm, the probes it missed with its reply (folded away: there can be many)."""
    lines = []
    for arm, s in persona["arms"].items():
        missed = [r for r in s.get("replies", []) if not r["ok"]]
        if not missed:
            continue
        lines += [f"<details><summary>{arm}: {len(missed)} of {len(s['replies'])} probes missed</summary>", "",
                  "| probe | kind | question | reply |", "|---|---|---|---|"]
        lines += [f"| {r['id']} | {r['kind']} | {_cell(r['question'])} | {_cell(r['reply'])} |" for r in missed]
        lines += ["", "</details>", ""]
    return lines


def _cell(text: str, width: int = 160) -> str:
    text = " ".join(text.split()).replace("|", "\\|")
    return text if len(text) <= width else text[:width - 1] + "…"


def _kinds(result: dict) -> list[str]:
    return sorted({k for s in result["arms"].values() for k in s["by_kind"]})


def _pct(x) -> str:
    return "-" if x is None else f"{x:.0%}"


def write_retention_report(result: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "retention.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_nights(result, out / "nights.png")
    plot_forgetting(result, out / "forgetting.png")
    plot_chemistry(result, out / "chemistry.png")
    if result["arms"]:
        plot_arms(result, out / "arms.png")
    (out / "report.md").write_text(retention_markdown(result), encoding="utf-8")
    return out / "report.md"


# -- ablation ----------------------------------------------------------------------------------

def plot_verdicts_and_latency(result: dict, path: Path) -> Path:
    """System 2's verdicts on the provocations (System 1 on), and the median turn with System 1 on and off."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4))
    counts = result["arms"]["on"]["verdicts"]
    names = ["accept", "refine", "discard"]
    left.bar(names, [counts.get(v, 0) for v in names], color=["tab:green", "tab:orange", "tab:red"])
    left.set_title("Verdicts on System 1 (turns played)")
    left.set_ylabel("turns")
    medians = [result["arms"][a]["latency_median"] or 0 for a in ("on", "off")]
    right.bar(["System 1 on", "System 1 off"], medians, color=["tab:blue", "tab:grey"])
    right.set_title("Median turn latency")
    right.set_ylabel("seconds")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def ablation_markdown(result: dict) -> str:
    on, off = result["arms"]["on"], result["arms"]["off"]
    kinds = sorted(set(on["by_kind"]) | set(off["by_kind"]))
    lines = ["# Ablation: System 1 on and off", "",
             "The same days, played twice in fresh homes; the probes answered by the full turn.", "",
             "| System 1 | recall | " + " | ".join(kinds) + " | hallucination | median turn (s) |",
             "|---|---|" + "---|" * len(kinds) + "---|---|"]
    for name, arm in (("on", on), ("off", off)):
        cells = [_pct(arm["by_kind"].get(k)) for k in kinds]
        lines.append(f"| {name} | {_pct(arm['recall'])} | " + " | ".join(cells) +
                     f" | {_pct(arm['hallucination'])} | {arm['latency_median']} |")
    v = on["verdicts"]
    delta = result["delta_recall"]
    lines += ["", f"What System 1 adds to recall: {'-' if delta is None else f'{delta:+.0%}'}.",
              f"Verdicts on its provocations while playing: accept {v.get('accept', 0)}, "
              f"refine {v.get('refine', 0)}, discard {v.get('discard', 0)}.", "",
              "![recall by kind](arms.png)", "", "![verdicts and latency](verdicts.png)", ""]
    for p in result["personas"]:
        lines += [f"## {p['name']}", "", f"System 1 on: recall {_pct(p['on']['recall'])}, median turn "
                  f"{p['on']['latency']['median']} s (p90 {p['on']['latency']['p90']} s); off: recall "
                  f"{_pct(p['off']['recall'])}, median turn {p['off']['latency']['median']} s "
                  f"(p90 {p['off']['latency']['p90']} s). Drift after the nights: {p['drift']['ratio']}x.", ""]
    lines.append(f"Took {result.get('seconds')} s.")
    return "\n".join(lines) + "\n"


def write_ablation_report(result: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "ablation.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_arms({"arms": {"System 1 on": result["arms"]["on"], "System 1 off": result["arms"]["off"]}},
              out / "arms.png")
    plot_verdicts_and_latency(result, out / "verdicts.png")
    (out / "report.md").write_text(ablation_markdown(result), encoding="utf-8")
    return out / "report.md"
