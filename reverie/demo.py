"""`make demo`: one day and one night, on the embedded model, in a throwaway home.

It plays day 1 of the public benchmark persona (shared/benchmarks/days/persona-a.json,
beside the repository) through the coordinated turn, showing System 1's provocation,
System 2's answer and its verdict for each turn; asks the day's probes closed-book
(System 1 alone: the bare base knows nothing of the user); sleeps, with a progress
bar; and asks the same probes again, side by side. Without the benchmark file it plays
a short built-in day instead.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

DAYS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "days" / "persona-a.json"
BUILT_IN = {
    "name": "built-in",
    "days": [{"turns": [
        "Hi! I'm Maren. I live in Kristiansund, on the west coast of Norway.",
        "My sister Ilse lives in Ghent.",
        "I'm allergic to celery, so never suggest recipes with it.",
        "No, that's wrong: Ilse lives in Bruges, not Ghent.",
        "My cat is called Tuppen and he has one eye.",
    ]}],
    "probes": [
        {"id": "1", "question": "Which town do I live in?", "answers": ["Kristiansund"], "forbidden": [],
         "learned_on": 1, "kind": "fact"},
        {"id": "2", "question": "Where does my sister live?", "answers": ["Bruges"], "forbidden": ["Ghent"],
         "learned_on": 1, "kind": "correction"},
        {"id": "3", "question": "What is my cat called?", "answers": ["Tuppen"], "forbidden": [],
         "learned_on": 1, "kind": "fact"},
    ],
}


# Without native bf16 the night trains in fp32, several times slower, so the demo sleeps a shorter,
# steeper night: FP32_CYCLES REM cycles of FP32_STEPS steps at FP32_LEARNING_RATE. On a 2-core AMD
# EPYC with AVX2 only: the demo 13 min 38 s, the candidate 0/10 -> 5/10 closed-book; the default
# learning rate over 2 cycles of 80 steps took 19 min 41 s for 4/10.
FP32_CYCLES = 2
FP32_STEPS = 48
FP32_LEARNING_RATE = 3e-4
# System 2's answers in the day's table are cut at 300 characters; longer generation is time lost.
ANSWER_TOKENS = 64


def cpu_path(settings) -> tuple[str, object]:
    """Which arithmetic the night will train in, said for a person, and the settings to use: on a
    CPU without native bf16 a shorter night (see FP32_CYCLES)."""
    import torch

    from cognition.runtime import cpu_has_bf16, pick_dtype

    dtype = pick_dtype(settings.model.dtype)
    if torch.cuda.is_available():
        return f"GPU ({torch.cuda.get_device_name(0)}), training in {str(dtype).removeprefix('torch.')}", settings
    if dtype == torch.bfloat16:
        native = "native bf16" if cpu_has_bf16() else "bf16 asked for in model.dtype, without native bf16: slow"
        return f"CPU with {native}: training in bfloat16", settings
    cycles = min(settings.sleep.rem_cycles_max, FP32_CYCLES)
    steps = min(settings.sleep.iterations_per_cycle, FP32_STEPS)
    rate = settings.sleep.learning_rate or FP32_LEARNING_RATE
    sleep = settings.sleep.model_copy(update={"rem_cycles_min": min(settings.sleep.rem_cycles_min, cycles),
                                              "rem_cycles_max": cycles, "iterations_per_cycle": steps,
                                              "learning_rate": rate})
    return (f"CPU without native bf16: training in float32, a shorter night ({cycles} REM cycles of {steps} steps, "
            f"learning rate {rate:g})", settings.model_copy(update={"sleep": sleep}))


def load_day() -> dict:
    return json.loads(DAYS.read_text(encoding="utf-8")) if DAYS.is_file() else BUILT_IN


def main() -> int:
    from cognition.config import load_settings
    from eval.retention import probes_of, recalled
    from graphs.agent import Agent
    from graphs.night import Night, summary
    from reverie.cli import SleepProgress

    console = Console()
    data = load_day()
    path, settings = cpu_path(load_settings())
    system2 = settings.system2.model_copy(update={"answer_tokens": min(settings.system2.answer_tokens, ANSWER_TOKENS)})
    settings = settings.model_copy(update={"system2": system2})
    shutil.rmtree(settings.home / "users" / settings.user, ignore_errors=True)
    console.print(f"[bold]reverie demo[/] — {data['name']}, day 1 · home {settings.home}")
    console.print(f"[dim]{path}[/]")
    with console.status("loading the embedded model…"):
        agent = Agent(settings)
        agent.runtime  # noqa: B018 — load once, before the first turn

    table = Table(title="Day 1: each turn, System 1 provokes and System 2 decides", show_lines=True)
    for column in ("you said", "System 1", "verdict", "System 2's answer"):
        table.add_column(column, overflow="fold", max_width=40)
    turns = data["days"][0]["turns"]
    for i, text in enumerate(turns, 1):
        with console.status(f"turn {i}/{len(turns)}: {text[:50]}…"):
            r = agent.say(text)
        table.add_row(text, r.system1 or "—", r.verdict or "—", r.answer[:300])
    console.print(table)

    probes = [p for p in probes_of(data) if p.learned_on == 1]
    before = agent.brain.answer_many([p.question for p in probes])
    with SleepProgress(enabled=True) as progress:
        night = summary(Night(agent, on_event=progress.event).run())
    # A night the self-test rolls back leaves the bare base in service; its candidate is kept, and
    # is what the night learned, so the table shows it, named as such.
    shown = night["version"] if night["promoted"] else night["candidate"]
    after = _closed_book(agent, [p.question for p in probes], shown)

    status = f"promoted {night['version']}" if night["promoted"] else f"rolled back: {night['rolled_back_because']}"
    console.print(f"\nThe night: {night['examples'].get('total', 0)} examples, "
                  f"{night['train'].get('tokens')} tokens at {night['train'].get('tokens_per_s')} tokens/s, "
                  f"self-test {night['self_test']:.0%}, {status}.")
    label = "after" if night["promoted"] or not shown else f"after (candidate {shown}, not served)"
    result = Table(title="Closed-book (System 1 alone, no memory): before and after the night", show_lines=True)
    for column in ("probe", "expected", "before", label):
        result.add_column(column, overflow="fold", max_width=36)
    hits = [0, 0]
    for p, b, a in zip(probes, before, after):
        ok_b, ok_a = recalled(b.text, p), recalled(a.text, p)
        hits[0] += ok_b
        hits[1] += ok_a
        result.add_row(p.question, " / ".join(p.answers), _mark(b.text, ok_b), _mark(a.text, ok_a))
    console.print(result)
    console.print(f"Recalled closed-book: {hits[0]}/{len(probes)} before, [bold]{hits[1]}/{len(probes)} {label}[/].")
    console.print(f"Morning briefing: {night['briefing']}")
    agent.close()
    return 0


def _closed_book(agent, questions: list[str], version: str | None):
    """System 1's closed-book answers with adapter `version` (None: the one it serves)."""
    backend = agent.brain.backend
    served = backend.adapter
    backend.adapter = version or served
    try:
        return agent.brain.answer_many(questions)
    finally:
        backend.adapter = served


def _mark(text: str, ok: bool) -> str:
    return f"[green]✓[/] {text[:120]}" if ok else f"[red]✗[/] {text[:120]}"


if __name__ == "__main__":
    sys.exit(main())
