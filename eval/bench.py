"""Performance benchmarks: `python -m eval.bench BENCH [--json]`.

`turn` asks what System 1 costs a conversation. It plays the same scripted messages
through two agents in one process (so both use the one shared runtime, and the weights
load once), each in its own fresh home (so both diaries grow alike):

- coordinated: `Agent.say(..., system1=True)`, the full turn: perceive → recall ‖
  intuit → deliberate → remember;
- System 2 alone: `Agent.say(..., system1=False)`, the ablation: perceive → recall →
  deliberate → remember, with no intuit and so no provocation in System 2's prompt.

Turns are interleaved (message 1 in both arms, then message 2, …, alternating which arm
goes first) so a slow spell of a shared laptop falls on both arms alike. A warm-up turn
in each arm comes first and is not counted. System 2's answer length differs from turn
to turn and dominates the time, so besides the ratio of total seconds the report gives
the ratio of per-turn overhead (total minus deliberate) and the deliberate tokens.

The torch generator is seeded before every turn with `Settings.seed` plus the message's
number (the same in both arms): intuit passes the seed to System 1, but deliberate
samples System 2 (temperature from the config) without one, so without this a run would
not repeat. Adding the number keeps the turns from all drawing the same random stream.

`cold_start_s` is the wall time of a fresh `python -m reverie say "Hello" --json`, from
spawning the process to its exit: imports, model load and one turn.

New benchmarks (`train`, `generate`) register in `BENCHES`. Progress goes to a callback;
the command line draws it on stderr, so stdout holds only the report.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from eval.bench_generate import generate_arguments, generate_table, run_generate
from eval.bench_serve import print_progress as print_serve_progress
from eval.bench_serve import run_serve, serve_arguments, serve_table
from eval.bench_generate import print_progress as print_generate_progress
from eval.bench_train import print_progress as print_train_progress
from eval.bench_train import run_train, train_arguments, train_table

TARGET_RATIO = 1.5  # coordinated turn / System 2 alone, median total seconds

WARMUP = "Hello, just checking that you are awake."
MESSAGES = (
    "Hi! My name is Maya and I work as a nurse in Lisbon.",
    "I have a golden retriever called Biscuit; he is four years old.",
    "I prefer short answers, and I'm vegetarian.",
    "My sister Ana is visiting me next weekend.",
    "What is my dog called?",
    "Actually, I work in Porto, not Lisbon. I moved there last year.",
    "Can you suggest a quick dinner I could cook for Ana and me?",
    "Where do I work now?",
)
ARMS = ("coordinated", "system2_alone")

Progress = Callable[[dict[str, Any]], None]


# -- pure helpers: samples, medians, ratios -----------------------------------------

@dataclass(frozen=True)
class TurnSample:
    """One counted turn of one arm."""

    total_s: float
    timings: dict[str, float]
    ttft_s: float | None = None         # say() called → first streamed text: what the user waits for
    first_token_s: float | None = None  # System 2's generation start → first token (TurnResult.first_token_s)
    answer_tokens: int = 0              # System 2's answer, re-tokenised
    category: str = ""
    verdict: str | None = None
    system1: str | None = None          # the provocation, coordinated arm only
    answer: str = ""

    @property
    def deliberate_s(self) -> float:
        return self.timings.get("deliberate", 0.0)

    @property
    def overhead_s(self) -> float:
        """Everything but System 2's deliberation: what System 1 may add to a turn."""
        return self.total_s - self.deliberate_s

    def row(self) -> dict[str, Any]:
        return {"total_s": self.total_s, "overhead_s": round(self.overhead_s, 4), "ttft_s": self.ttft_s,
                "first_token_s": self.first_token_s, "answer_tokens": self.answer_tokens,
                "category": self.category, "verdict": self.verdict, "timings": self.timings,
                "system1": _clip(self.system1), "answer": _clip(self.answer)}


def _clip(text: str | None, limit: int = 160) -> str | None:
    return text if text is None or len(text) <= limit else text[: limit - 1] + "…"


def median(values: Iterable[float | None]) -> float | None:
    """Median of the values present; None when there are none."""
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 4) if present else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 4)


def difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 4)


def node_medians(samples: Sequence[TurnSample]) -> dict[str, float | None]:
    """Per-node median seconds, each over the turns that ran that node."""
    names = sorted({name for s in samples for name in s.timings if name != "total"})
    return {name: median(s.timings.get(name) for s in samples) for name in names}


def summarise(samples: Sequence[TurnSample]) -> dict[str, Any]:
    """One arm's medians, and its turns for whoever wants to look closer."""
    per_token = [s.deliberate_s / s.answer_tokens for s in samples if s.answer_tokens]
    return {
        "median_total_s": median(s.total_s for s in samples),
        "median_ttft_s": median(s.ttft_s for s in samples),
        "median_first_token_s": median(s.first_token_s for s in samples),
        "median_overhead_s": median(s.overhead_s for s in samples),
        "median_deliberate_s": median(s.deliberate_s for s in samples),
        "median_answer_tokens": median(s.answer_tokens for s in samples),
        "deliberate_s_per_token": median(per_token),
        "nodes": node_medians(samples),
        "per_turn": [s.row() for s in samples],
    }


def compare(coordinated: dict[str, Any], alone: dict[str, Any], target: float = TARGET_RATIO) -> dict[str, Any]:
    """Ratios of the coordinated arm's medians over System 2 alone's."""
    total = ratio(coordinated["median_total_s"], alone["median_total_s"])
    return {
        "ratio_total": total,
        "ratio_ttft": ratio(coordinated["median_ttft_s"], alone["median_ttft_s"]),
        "ratio_overhead": ratio(coordinated["median_overhead_s"], alone["median_overhead_s"]),
        # System 2 alone's overhead is a few hundredths of a second, so its ratio is large
        # whatever System 1 costs; the seconds added say more.
        "added_overhead_s": difference(coordinated["median_overhead_s"], alone["median_overhead_s"]),
        "added_ttft_s": difference(coordinated["median_ttft_s"], alone["median_ttft_s"]),
        "target": target,
        "target_met": total is not None and total <= target,
    }


class FirstText:
    """An `on_text` callback that notes when the first streamed text arrived."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter):
        self.clock = clock
        self.started = clock()
        self.first: float | None = None

    def __call__(self, text: str) -> None:
        if self.first is None and text:
            self.first = self.clock()

    def seconds(self) -> float | None:
        return None if self.first is None else round(self.first - self.started, 4)


# -- the turn benchmark ---------------------------------------------------------------

def open_agent(home: Path, seed: int):
    from cognition.config import load_settings
    from graphs.agent import Agent

    return Agent(load_settings(home=home, seed=seed))


def play(agent, message: str, system1: bool, seed: int) -> TurnSample:
    """One turn, seeded, streamed (so the streamer records the first token)."""
    import torch

    torch.manual_seed(seed)
    clock = FirstText()
    result = agent.say(message, system1=system1, on_text=clock)
    return TurnSample(total_s=result.timings["total"], timings=dict(result.timings), ttft_s=clock.seconds(),
                      first_token_s=result.first_token_s, answer_tokens=agent.runtime.count(result.answer),
                      category=result.category, verdict=result.verdict, system1=result.system1,
                      answer=result.answer)


def play_arms(agents: dict[str, Any], messages: Sequence[str], seed: int,
              progress: Progress) -> dict[str, list[TurnSample]]:
    """Every message in both arms, alternating which goes first; the warm-up is not kept."""
    samples: dict[str, list[TurnSample]] = {arm: [] for arm in agents}
    for i, message in enumerate((WARMUP, *messages)):
        order = list(agents) if i % 2 == 0 else list(reversed(agents))
        for arm in order:
            sample = play(agents[arm], message, system1=(arm == "coordinated"), seed=seed + i)
            progress({"arm": arm, "turn": i, "of": len(messages), "warmup": i == 0, "total_s": sample.total_s,
                      "deliberate_s": sample.deliberate_s, "tokens": sample.answer_tokens})
            if i:
                samples[arm].append(sample)
    return samples


def cold_start(home: Path, message: str = "Hello") -> dict[str, Any]:
    """Spawn `python -m reverie say` in a fresh home; time it from spawn to exit."""
    env = {**os.environ, "REVERIE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reverie", "say", message, "--json"], env=env,
                          capture_output=True, text=True, timeout=600)
    seconds = round(time.perf_counter() - started, 4)
    if done.returncode != 0:
        raise RuntimeError(f"`reverie say` exited with {done.returncode} after {seconds}s: {done.stderr[-2000:]}")
    answer = json.loads(done.stdout)
    return {"cold_start_s": seconds, "cold_start_turn_s": answer["timings"].get("total")}


def machine(runtime, load_before: float) -> dict[str, Any]:
    """What ran the bench; the load averages show whether something else shared the CPU."""
    import torch

    from cognition.runtime import cpu_has_bf16

    return {"load_avg_1m_before": round(load_before, 2), "load_avg_1m_after": round(os.getloadavg()[0], 2),
            "torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads(), "cpus": os.cpu_count(),
            "device": runtime.device, "dtype": str(runtime.dtype).removeprefix("torch."),
            "cpu_bf16": cpu_has_bf16(), "model": runtime.source.id}


def turn_bench(root: Path, seed: int = 0, messages: Sequence[str] = MESSAGES, with_cold_start: bool = True,
               progress: Progress = lambda event: None) -> dict[str, Any]:
    """Coordinated turn against System 2 alone, and a cold start; homes live under `root`."""
    load_before = os.getloadavg()[0]
    cold = cold_start(root / "cold") if with_cold_start else {"cold_start_s": None, "cold_start_turn_s": None}
    agents = {arm: open_agent(root / arm, seed) for arm in ARMS}
    try:
        samples = play_arms(agents, messages, seed, progress)
        runtime = agents["coordinated"].runtime
        assert runtime is agents["system2_alone"].runtime, "both arms must share one runtime"
    finally:
        for agent in agents.values():
            agent.close()
    arms = {arm: summarise(samples[arm]) for arm in ARMS}
    return {"bench": "turn", **arms, **compare(arms["coordinated"], arms["system2_alone"]), **cold,
            "seed": seed, "machine": machine(runtime, load_before), "turns": len(messages)}


def turn_table(report: dict[str, Any]) -> str:
    """The turn report as a short table for people."""
    c, a = report["coordinated"], report["system2_alone"]

    def cell(v) -> str:
        return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    rows = [("total s", "median_total_s"), ("time to first text s", "median_ttft_s"),
            ("System 2 first token s", "median_first_token_s"), ("overhead s (total - deliberate)", "median_overhead_s"),
            ("deliberate s", "median_deliberate_s"), ("answer tokens", "median_answer_tokens"),
            ("deliberate s/token", "deliberate_s_per_token")]
    rows += [(f"  node {n}", n) for n in sorted(set(c["nodes"]) | set(a["nodes"]))]
    lines = [f"{'median over ' + str(report['turns']) + ' turns':36}{'coordinated':>14}{'S2 alone':>14}"]
    for label, key in rows:
        left, right = (c["nodes"].get(key), a["nodes"].get(key)) if label.startswith("  node") else (c[key], a[key])
        lines.append(f"{label:36}{cell(left):>14}{cell(right):>14}")
    lines.append(f"ratio total {cell(report['ratio_total'])} (target <= {report['target']}: "
                 f"{'met' if report['target_met'] else 'missed'}), ttft {cell(report['ratio_ttft'])}, "
                 f"overhead {cell(report['ratio_overhead'])}")
    lines.append(f"added by System 1: overhead {cell(report['added_overhead_s'])} s, "
                 f"time to first text {cell(report['added_ttft_s'])} s")
    lines.append(f"cold start {cell(report['cold_start_s'])} s")
    lines.append("machine: " + ", ".join(f"{k}={v}" for k, v in report["machine"].items()))
    return "\n".join(lines)


def run_turn(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    if args.out:
        root = Path(args.out).expanduser()
        root.mkdir(parents=True, exist_ok=True)
        return turn_bench(root, args.seed, with_cold_start=not args.no_cold_start, progress=progress)
    with tempfile.TemporaryDirectory(prefix="reverie-bench-") as tmp:
        return turn_bench(Path(tmp), args.seed, with_cold_start=not args.no_cold_start, progress=progress)


def turn_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="Settings.seed, also seeds torch before each turn.")
    parser.add_argument("--no-cold-start", action="store_true", help="Skip the cold-start subprocess.")
    parser.add_argument("--out", help="Keep the homes (diaries) under this directory instead of a temporary one.")


# -- the command line -------------------------------------------------------------------

@dataclass(frozen=True)
class Bench:
    help: str
    run: Callable[[argparse.Namespace, Progress], dict[str, Any]]
    table: Callable[[dict[str, Any]], str]
    arguments: Callable[[argparse.ArgumentParser], None] = field(default=lambda parser: None)


BENCHES: dict[str, Bench] = {
    "turn": Bench("Coordinated turn against System 2 alone, and a cold start.", run_turn, turn_table,
                  turn_arguments),
    # Training throughput against the matmul peak, in its own module; its progress events have
    # their own shape, so it draws them with its own printer.
    "train": Bench("LoRA training throughput as a share of the bf16 matmul peak.",
                   lambda args, progress: run_train(args, print_train_progress), train_table, train_arguments),
    "generate": Bench("Batched against one-at-a-time generation for the self-test and curation.",
                      lambda args, progress: run_generate(args, print_generate_progress), generate_table,
                      generate_arguments),
    "serve": Bench("The served turn against the in-process one, and 8 concurrent clients.",
                   lambda args, progress: run_serve(args, print_serve_progress), serve_table, serve_arguments),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="bench", required=True)
    for name, bench in BENCHES.items():
        p = sub.add_parser(name, help=bench.help, description=bench.help)
        p.add_argument("--json", action="store_true", help="Print exactly one JSON object on stdout.")
        bench.arguments(p)
    return parser


def print_progress(event: dict[str, Any]) -> None:
    label = "warm-up" if event.get("warmup") else f"turn {event['turn']}/{event['of']}"
    print(f"[bench] {event['arm']:14} {label:10} total {event['total_s']:.2f}s · deliberate "
          f"{event['deliberate_s']:.2f}s · {event['tokens']} tokens", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    bench = BENCHES[args.bench]
    # Libraries that print would corrupt the one JSON object: their stdout goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        report = bench.run(args, print_progress)
    print(json.dumps(report, ensure_ascii=False) if args.json else bench.table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
