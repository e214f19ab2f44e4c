"""Training throughput: `python -m eval.bench_train [--json]` (the `train` bench).

It asks one question: how much of this machine's matrix-multiply peak does a night's LoRA
training use? In one run it

1. measures the bf16 (and fp32) matmul peak with square torch products of a representative
   size (2048: big enough for the kernels to reach their peak, small enough to time in a
   second or two), before and after training, and keeps the better of the two: a shared
   laptop that slowed down during the run then lowers the ratio, never raises it;
2. trains the embedded base (`consolidation.train`, its default `TrainingArgs` unless told
   otherwise) for a few warm-up steps that are not counted, then for `--steps` steps on
   synthetic chat examples shaped like the night's (System 1's answer frame, a question and
   a one-sentence answer);
3. reports tokens per second (every token processed, prompt and answer, padding not
   counted), the achieved FLOP/s counted as 4 x base parameters per token (forward plus
   input gradients, issue 3's convention) and its ratio to the bf16 peak, against the
   target 0.30.

The load averages before and after say whether something else shared the CPU.

OpenMP's wait policy is set to PASSIVE (unless the environment sets it) before torch is
imported (`passive_openmp`, called by the command line, not on import), as a good-neighbour sleep must run: with the default spinning policy, two torch
threads on a 2-core laptop where one other process is busy collapse from about 3 s to
10-50 s per step (measured while `reverie.demo` ran beside it), because each parallel
region waits for the thread the scheduler took away. PASSIVE kept 3.5-4 s per step in
the same conditions. On a quiet machine PASSIVE costs about a fifth (459 against 375
tokens/s, ratio 0.59 against 0.47); run with OMP_WAIT_POLICY=ACTIVE to see that figure.
The policy is read once, when torch loads OpenMP.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import sys
import time
from typing import Any, Callable, Sequence

log = logging.getLogger(__name__)

TARGET = 0.30
Progress = Callable[[dict[str, Any]], None]

NAMES = ("Tuppen", "Biscuit", "Ilse", "Joris", "Saffie", "Tomas", "Maya", "Ana", "Noor", "Pieter")
PLACES = ("Ghent", "Porto", "Bruges", "Lisbon", "Utrecht", "Leuven", "Antwerp", "Delft")
THINGS = ("cat", "dog", "sister", "brother", "horse", "partner", "neighbour", "colleague")
TOPICS = ("cello lessons", "ramen", "badminton", "Japanese classes", "the night shift", "mint tea")


def synthetic_examples(n: int, seed: int = 0) -> list[list[dict[str, str]]]:
    """Chat examples in System 1's frame, varied in length like a night's curated facts."""
    from system1.prompts import answer_messages

    rng = random.Random(seed)
    out = []
    for i in range(n):
        who, name, place, topic = rng.choice(THINGS), rng.choice(NAMES), rng.choice(PLACES), rng.choice(TOPICS)
        question = rng.choice([f"What is my {who} called?", f"Where does my {who} {name} live these days?",
                               f"What did I tell you about {topic} last week, and who was with me?",
                               f"Remind me what my {who} thinks about {topic}."])
        answer = rng.choice([f"Your {who} is called {name}.", f"{name} lives in {place} now.",
                             f"You said {topic} with {name} in {place} was the best part of your week, "
                             f"and that you want to do it again soon."])
        out.append(answer_messages(question) + [{"role": "assistant", "content": answer}])
    return out


def matmul_flops(dtype_name: str, size: int = 2048, seconds: float = 1.5, device: str = "cpu") -> float:
    """Best FLOP/s of repeated size x size products in one dtype (2 size^3 FLOPs each) on `device`."""
    import torch

    dtype = getattr(torch, dtype_name)
    a, b = (torch.randn(size, size, dtype=dtype, device=device) for _ in range(2))
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for _ in range(2):
        a @ b  # warm the kernels and caches
    sync()
    best, deadline = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        a @ b
        sync()
        best = max(best, 2 * size**3 / (time.perf_counter() - started))
    return best


def _gflops(flops: float) -> float:
    return float(f"{flops / 1e9:.4g}")


def peaks(size: int, device: str = "cpu") -> dict[str, float]:
    return {"bf16": matmul_flops("bfloat16", size, device=device),
            "fp32": matmul_flops("float32", size, seconds=1.0, device=device)}


class _Forward:
    """A TrainingCallback that hands each step to the bench's progress function."""

    def __init__(self, progress: Progress, phase: str):
        self.progress, self.phase = progress, phase

    def on_step(self, info: dict[str, Any]) -> None:
        self.progress({"phase": self.phase, **info})

    def on_report(self, info: dict[str, Any]) -> None:
        pass


def train_bench(model_path, steps: int = 20, warmup_steps: int = 3, batch_size: int | None = None,
                examples: int = 256, size: int | None = None, seed: int = 0, threads: int = 0,
                qlora: str | bool = "auto", progress: Progress = lambda event: None) -> dict[str, Any]:
    """Peak before, training, peak after: one report.

    Training runs where `consolidation.train` puts it (a CUDA device when there is one), and the
    peak is measured there: 2048-square products on a CPU, 8192 on a GPU (`size` overrides).
    """
    import torch

    from cognition.runtime import cpu_has_bf16
    from consolidation.train import (TrainingArgs, base_parameters, compute_dtype, load_for_training, set_threads,
                                     train, use_qlora)

    load_before = os.getloadavg()[0]
    extra = {"batch_size": batch_size} if batch_size else {}
    args = TrainingArgs(iterations=steps, seed=seed, threads=threads, qlora=qlora, **extra)
    threads = set_threads(args)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    size = size or (8192 if device == "cuda" else 2048)
    before = peaks(size, device)
    progress({"phase": "peak", "bf16_gflops": round(before["bf16"] / 1e9, 1), "fp32_gflops": round(before["fp32"] / 1e9, 1)})

    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    model = load_for_training(model_path, args)
    params = base_parameters(model)
    data = synthetic_examples(examples, seed)
    if warmup_steps:
        warm = TrainingArgs(**{**args.to_json(), "iterations": warmup_steps})
        train(model, tokenizer, data, warm, callback=_Forward(progress, "warm-up"))
    result = train(model, tokenizer, data, args, callback=_Forward(progress, "train"))
    after = peaks(size, device)
    progress({"phase": "peak", "bf16_gflops": round(after["bf16"] / 1e9, 1), "fp32_gflops": round(after["fp32"] / 1e9, 1)})

    peak_bf16, peak_fp32 = max(before["bf16"], after["bf16"]), max(before["fp32"], after["fp32"])
    achieved = 4 * params * result.tokens_per_s
    ratio = achieved / peak_bf16 if peak_bf16 else 0.0
    dtype = compute_dtype(model)
    return {
        "bench": "train",
        "tokens_per_s": result.tokens_per_s,
        "achieved_flops": round(achieved),
        "achieved_gflops": _gflops(achieved),
        "peak_bf16_gflops": _gflops(peak_bf16),   # 4 significant digits: a loaded machine's peak can be < 1
        "peak_fp32_gflops": _gflops(peak_fp32),
        "peak_bf16_before_after_gflops": [round(before["bf16"] / 1e9, 1), round(after["bf16"] / 1e9, 1)],
        "ratio": round(ratio, 4),
        "ratio_to_fp32_peak": round(achieved / peak_fp32, 4) if peak_fp32 else None,
        "target": TARGET,
        "target_met": ratio >= TARGET,
        "flops_per_token": 4 * params,
        "base_parameters": params,
        "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "steps": result.steps,
        "warmup_steps": warmup_steps,
        "tokens": result.tokens,
        "target_tokens": result.target_tokens,
        "tokens_per_step": round(result.tokens / max(result.steps, 1), 1),
        "seconds": result.seconds,
        "loss_first": round(result.losses[0], 4) if result.losses else None,
        "loss_final": round(result.final_loss, 4) if result.losses else None,
        "args": args.to_json() | {"learning_rate": result.learning_rate},
        "matmul_size": size,
        "machine": {"load_avg_1m_before": round(load_before, 2), "load_avg_1m_after": round(os.getloadavg()[0], 2),
                    "torch": torch.__version__, "torch_threads": threads, "cpus": os.cpu_count(),
                    "cpu_bf16": cpu_has_bf16(), "cuda": torch.cuda.is_available(), "device": device,
                    "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None, "qlora": use_qlora(args),
                    "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
                    "dtype": str(dtype).removeprefix("torch."), "model": str(model_path)},
    }


def train_table(report: dict[str, Any]) -> str:
    r = report
    return "\n".join([
        f"training throughput  {r['tokens_per_s']:.1f} tokens/s ({r['tokens_per_step']:.0f} tokens/step, "
        f"{r['steps']} steps, {r['seconds']:.1f} s)",
        f"achieved             {r['achieved_gflops']:.1f} GFLOP/s (4 x {r['base_parameters'] / 1e6:.1f}M params/token)",
        f"matmul peak          bf16 {r['peak_bf16_gflops']:.1f} GFLOP/s, fp32 {r['peak_fp32_gflops']:.1f} GFLOP/s "
        f"({r['matmul_size']}^2)",
        f"ratio to bf16 peak   {r['ratio']:.3f} (target >= {r['target']}: {'met' if r['target_met'] else 'missed'})",
        f"loss                 {r['loss_first']} -> {r['loss_final']}",
        f"machine              {r['machine']}",
    ])


def resolve_model(path: str | None):
    if path:
        return path
    from cognition.config import load_settings
    from cognition.models import resolve

    settings = load_settings()
    return resolve(settings.model.id, settings.models_path).path


def passive_openmp() -> str | None:
    """PASSIVE OpenMP waiting for this process, if torch has not loaded OpenMP yet (see the docstring)."""
    if "torch" not in sys.modules:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        return os.environ["OMP_WAIT_POLICY"]
    return os.environ.get("OMP_WAIT_POLICY")  # what torch read when it loaded, if nothing changed it since


def run_train(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    passive_openmp()
    from consolidation.train import QLORA

    return train_bench(resolve_model(args.model), steps=args.steps, warmup_steps=args.warmup_steps,
                       batch_size=args.batch_size, size=args.size, seed=args.seed, threads=args.threads,
                       qlora=QLORA[args.qlora], progress=progress)


def train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="A base model directory (default: the configured model, converted if needed).")
    parser.add_argument("--steps", type=int, default=20, help="Counted training steps.")
    parser.add_argument("--warmup-steps", type=int, default=3, help="Steps before counting (first-call costs).")
    parser.add_argument("--batch-size", type=int, default=None, help="Examples per step (default: TrainingArgs').")
    parser.add_argument("--size", type=int, default=None,
                        help="Side of the square matmuls that measure the peak (default: 2048 on a CPU, 8192 on a GPU).")
    parser.add_argument("--qlora", choices=("auto", "on", "off"), default="auto",
                        help="4-bit NF4 base (bitsandbytes, CUDA only): 'auto' uses it where CUDA is.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads for the peak and training (0: all cores).")


def print_progress(event: dict[str, Any]) -> None:
    if event["phase"] == "peak":
        text = f"matmul peak bf16 {event['bf16_gflops']} GFLOP/s, fp32 {event['fp32_gflops']} GFLOP/s"
    else:
        text = (f"{event['phase']} step {event['step']}/{event['of']} loss {event['loss']:.3f} "
                f"{event['tokens']} tokens, {event['seconds']:.1f} s")
    print(f"[bench train] {text}", file=sys.stderr, flush=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_train", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="Print exactly one JSON object on stdout.")
    train_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with contextlib.redirect_stdout(sys.stderr):  # libraries that print must not corrupt the JSON
        report = run_train(args, print_progress)
    print(json.dumps(report, ensure_ascii=False) if args.json else train_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
