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
    ax.set_xlabel("night")
    ax.set_ylabel("closed-book recall")
    return _finish(plt, fig, ax, "What the weights hold after each night", path)


def plot_arms(result: dict, path: Path) -> Path:
    plt = _pyplot()
    arms = list(result["arms"])
    kinds = sorted({k for a in arms for k in result["arms"][a]["by_kind"]})
    fig, ax = plt.subplots(figsize=(7, 3.6))
    width = 0.8 / max(1, len(arms))
    for i, arm in enumerate(arms):
        values = [result["arms"][arm]["by_kind"].get(k) or 0 for k in kinds]
        ax.bar([x + i * width for x in range(len(kinds))], values, width, label=arm)
    ax.set_xticks([x + width * (len(arms) - 1) / 2 for x in range(len(kinds))], kinds)
    ax.set_ylabel("recall")
    return _finish(plt, fig, ax, "Recall by probe kind and arm", path)


def retention_markdown(result: dict) -> str:
    lines = ["# Retention", "", "| arm | recall | " + " | ".join(_kinds(result)) + " | abstention |",
             "|---|---|" + "---|" * len(_kinds(result)) + "---|"]
    for arm, s in result["arms"].items():
        cells = [_pct(s["by_kind"].get(k)) for k in _kinds(result)]
        lines.append(f"| {arm} | {_pct(s['recall'])} | " + " | ".join(cells) + f" | {_pct(s['abstention'])} |")
    lines += ["", "Closed-book recall after each night: " + ", ".join(_pct(x) for x in result["nights"]), "",
              f"Drift: reference perplexity {result['drift']['ppl_base']} → {result['drift']['ppl_after']} "
              f"({result['drift']['ratio']}x).", "", "![recall per night](nights.png)", "",
              "![recall by kind](arms.png)", ""]
    for p in result["personas"]:
        lines += [f"## {p['name']}", "", "| night | recall | self-test | promoted | examples | train tokens/s |",
                  "|---|---|---|---|---|---|"]
        for n in p["nights"]:
            lines.append(f"| {n['night']} | {_pct(n['recall'])} | {_pct(n['self_test'])} | {n['promoted']} | "
                         f"{n['examples'].get('total')} | {n['train'].get('tokens_per_s')} |")
        lines.append("")
    lines.append(f"Took {result.get('seconds')} s.")
    return "\n".join(lines) + "\n"


def _kinds(result: dict) -> list[str]:
    return sorted({k for s in result["arms"].values() for k in s["by_kind"]})


def _pct(x) -> str:
    return "-" if x is None else f"{x:.0%}"


def write_retention_report(result: dict, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "retention.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_nights(result, out / "nights.png")
    if result["arms"]:
        plot_arms(result, out / "arms.png")
    (out / "report.md").write_text(retention_markdown(result), encoding="utf-8")
    return out / "report.md"
