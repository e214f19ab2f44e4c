"""Generation throughput: batched against one at a time, for the night's two generating jobs.

The self-test asks System 1 a few dozen closed-book questions; curation with a capable
System 2 asks it to judge and rewrite each diary item. Both can be sent one prompt at a
time or as one left-padded batch (`LocalRuntime.generate`). This bench runs the same
prompts both ways, greedy, on the same model, and reports new tokens per second and
the speed-up. Sequences in a batch stop at different lengths; a finished row keeps
padding until the longest is done, so the figure counts only real new tokens.
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

Progress = Callable[[dict[str, Any]], None]

# Written for this project: diary-like statements for the judge, questions for the self-test.
STATEMENTS = (
    "My sister Ilse lives in Ghent and teaches chemistry.", "I switched from coffee to green tea last month.",
    "No, that's wrong: my cat is called Tuppen, not Toppen.", "I'm training for a half marathon in April.",
    "We moved to a flat near the harbour in Bergen.", "My favourite band is still Radiohead.",
    "I work night shifts at the county hospital.", "Thanks, that recipe was perfect!",
)
QUESTIONS = (
    "Where does my sister live?", "What do I drink in the morning?", "What is my cat called?",
    "What am I training for?", "Where do I live now?", "Which band do I like best?", "Where do I work?",
    "What does my sister teach?", "When is my race?", "What kind of shifts do I work?", "What did I switch from?",
    "Which city did we move to?", "What is my favourite band?", "Who teaches chemistry?",
    "What is near our flat?", "What did I say about the recipe?",
)


def workloads() -> dict[str, dict[str, Any]]:
    from consolidation.curator import Curator
    from consolidation.examples import Item
    from system1.prompts import answer_messages

    items = [Item(f"b{i}", "exchange", text, "2026-03-02T10:00:00") for i, text in enumerate(STATEMENTS)]
    return {
        "self_test": {"prompts": [answer_messages(q) for q in QUESTIONS], "max_new_tokens": 48, "adapter": False},
        "curation": {"prompts": [Curator(judge=str, writer=None).messages(item) for item in items],
                     "max_new_tokens": 96, "adapter": False},
    }


def measure(runtime, prompts: list, max_new_tokens: int, batch_size: int) -> dict[str, Any]:
    """New tokens per second over `prompts`, in batches of `batch_size` (1: one at a time)."""
    tokens, started = 0, time.perf_counter()
    for start in range(0, len(prompts), batch_size):
        outs = runtime.generate(prompts[start:start + batch_size], adapter=False, max_new_tokens=max_new_tokens)
        tokens += sum(g.new_tokens for g in outs)
    seconds = time.perf_counter() - started
    return {"batch_size": batch_size, "prompts": len(prompts), "new_tokens": tokens, "seconds": round(seconds, 3),
            "tokens_per_s": round(tokens / seconds, 2) if seconds else 0.0}


def generate_bench(runtime, batch_size: int = 16, progress: Progress = lambda e: None) -> dict[str, Any]:
    runtime.generate([[{"role": "user", "content": "Hello"}]], adapter=False, max_new_tokens=4)  # warm-up
    report: dict[str, Any] = {"batch_size": batch_size, "dtype": str(runtime.dtype), "workloads": {}}
    for name, w in workloads().items():
        single = measure(runtime, w["prompts"], w["max_new_tokens"], 1)
        progress({"workload": name, "mode": "one at a time", **single})
        batched = measure(runtime, w["prompts"], w["max_new_tokens"], batch_size)
        progress({"workload": name, "mode": "batched", **batched})
        speedup = batched["tokens_per_s"] / single["tokens_per_s"] if single["tokens_per_s"] else None
        report["workloads"][name] = {"one_at_a_time": single, "batched": batched,
                                     "speedup": round(speedup, 3) if speedup else None}
    return report


def run_generate(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    from cognition.config import load_settings
    from cognition.models import resolve
    from cognition.runtime import LocalRuntime
    from eval.bench_train import passive_openmp

    passive_openmp()
    settings = load_settings()
    source = resolve(args.model or settings.model.id, settings.models_path)
    runtime = LocalRuntime(source, dtype=args.dtype, context_tokens=settings.model.context_tokens)
    return generate_bench(runtime, batch_size=args.batch_size, progress=progress)


def generate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="A base model id or directory (default: the configured model).")
    parser.add_argument("--batch-size", type=int, default=16, help="Prompts per batch in the batched runs.")
    parser.add_argument("--dtype", default="auto", choices=("auto", "bfloat16", "float32"))


def generate_table(report: dict[str, Any]) -> str:
    lines = [f"generation, batches of {report['batch_size']} against one at a time ({report['dtype']})"]
    for name, w in report["workloads"].items():
        lines.append(f"{name:<10} one at a time {w['one_at_a_time']['tokens_per_s']:7.1f} tokens/s   "
                     f"batched {w['batched']['tokens_per_s']:7.1f} tokens/s   speed-up {w['speedup']}x")
    return "\n".join(lines)


def print_progress(event: dict[str, Any]) -> None:
    import sys

    print(f"[bench] {event['workload']:<10} {event['mode']:<14} {event['new_tokens']} tokens in "
          f"{event['seconds']:.1f}s ({event['tokens_per_s']} tokens/s)", file=sys.stderr, flush=True)
