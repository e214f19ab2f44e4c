"""`python -m eval.bench serve`: what serving costs, and what concurrent clients get.

Everything runs in one process over loopback, on the one shared runtime:

- overhead: one client; the same messages as a served `reverie` turn (HTTP, JSON) and
  as an in-process `Agent.say`, interleaved, each in its own fresh home. Target: the
  served turn's median time at most 1.10 times the in-process one;
- concurrency: `--clients` clients (8) streaming `reverie` turns for `--seconds` (60):
  requests per second, latency and time to first token (p50, p99), errors;
- System 1: the same provocations (`reverie-system1`) sent by all clients at once, and
  then one at a time: System 1 tokens per second each way. Target: batching at least 3x;
- the diary: afterwards every served exchange is in it exactly once, with its reply.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

Progress = Callable[[dict[str, Any]], None]

OVERHEAD_TARGET = 1.10
BATCH_TARGET = 3.0
MESSAGES = (
    "My brother Tomas runs a bike shop in Utrecht.",
    "I have been learning to play the cello since March.",
    "Our cat Mochi hates the vacuum cleaner.",
    "What should I cook tonight? I have leeks and potatoes.",
    "I start a new job at the library on Monday.",
    "Where does my brother work?",
    "I'm allergic to hazelnuts, by the way.",
    "Any ideas for a weekend walk near the coast?",
)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 4)


def _post(client, url: str, model: str, message: str, **extra) -> dict:
    reply = client.post(url + "/v1/chat/completions", timeout=600,
                        json={"model": model, "messages": [{"role": "user", "content": message}], **extra})
    reply.raise_for_status()
    return reply.json()


def _streamed(client, url: str, message: str) -> dict:
    """One streamed turn: its latency, time to first token and the diary entry it wrote."""
    import json

    started = time.perf_counter()
    first, entry = None, None
    with client.stream("POST", url + "/v1/chat/completions", timeout=600, json={
            "model": "reverie", "stream": True, "messages": [{"role": "user", "content": message}]}) as reply:
        reply.raise_for_status()
        for line in reply.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if "error" in chunk:
                raise RuntimeError(chunk["error"]["message"])
            if first is None and any(c["delta"].get("content") for c in chunk["choices"]):
                first = time.perf_counter() - started
            if "reverie" in chunk:
                entry = chunk["reverie"]["entry"]
    return {"seconds": time.perf_counter() - started, "ttft": first, "entry": entry}


def overhead(url: str, agent, messages, progress: Progress) -> dict[str, Any]:
    import httpx
    import torch

    served, local = [], []
    with httpx.Client() as client:
        _post(client, url, "reverie", "Hello, are you there?")   # warm-up, not counted
        agent.say("Hello, are you there?")
        for i, message in enumerate(messages):
            for arm in (("served", "local") if i % 2 == 0 else ("local", "served")):
                torch.manual_seed(i)
                started = time.perf_counter()
                if arm == "served":
                    _post(client, url, "reverie", message)
                    served.append(time.perf_counter() - started)
                else:
                    agent.say(message)
                    local.append(time.perf_counter() - started)
            progress({"phase": "overhead", "turn": i + 1, "of": len(messages)})
    s, l = statistics.median(served), statistics.median(local)
    return {"served_median_s": round(s, 4), "in_process_median_s": round(l, 4), "ratio": round(s / l, 4),
            "target": OVERHEAD_TARGET, "target_met": s / l <= OVERHEAD_TARGET, "turns": len(messages)}


def concurrency(url: str, clients: int, seconds: float, progress: Progress) -> dict[str, Any]:
    import httpx

    results, errors, lock = [], [], threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client_loop(n: int) -> None:
        with httpx.Client() as client:
            i = n
            while time.perf_counter() < stop_at:
                try:
                    outcome = _streamed(client, url, f"{MESSAGES[i % len(MESSAGES)]} (client {n}, turn {i})")
                    with lock:
                        results.append(outcome)
                except Exception as exc:   # counted, and the run goes on
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                i += clients

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    progress({"phase": "concurrency", "requests": len(results), "errors": len(errors)})
    latencies = [r["seconds"] for r in results]
    ttfts = [r["ttft"] for r in results if r["ttft"] is not None]
    return {"clients": clients, "seconds": round(wall, 2), "requests": len(results),
            "requests_per_s": round(len(results) / wall, 4), "latency_p50_s": percentile(latencies, 0.5),
            "latency_p99_s": percentile(latencies, 0.99), "ttft_p50_s": percentile(ttfts, 0.5),
            "ttft_p99_s": percentile(ttfts, 0.99), "errors": len(errors), "error_samples": errors[:3],
            "entries": [r["entry"] for r in results]}


def system1(url: str, clients: int, rounds: int, progress: Progress) -> dict[str, Any]:
    """The same provocations all at once (batched) and one at a time: System 1 tokens per second."""
    import httpx

    prompts = [f"{MESSAGES[i % len(MESSAGES)]} ({i})" for i in range(clients * rounds)]

    def ask(client, text) -> int:
        return _post(client, url, "reverie-system1", text)["usage"]["completion_tokens"]

    with httpx.Client() as client:
        ask(client, "warm-up")
        started = time.perf_counter()
        alone = sum(ask(client, p) for p in prompts)
        alone_s = time.perf_counter() - started
    progress({"phase": "system1", "arm": "one at a time", "tokens": alone, "seconds": round(alone_s, 2)})

    counts: list[int] = []
    lock = threading.Lock()

    def worker(mine: list[str]) -> None:
        with httpx.Client() as client:
            for p in mine:
                n = ask(client, p)
                with lock:
                    counts.append(n)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(prompts[n::clients],)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    together_s = time.perf_counter() - started
    together = sum(counts)
    progress({"phase": "system1", "arm": "batched", "tokens": together, "seconds": round(together_s, 2)})
    batched_rate, alone_rate = together / together_s, alone / alone_s
    return {"requests": len(prompts), "batched_tokens_per_s": round(batched_rate, 2),
            "one_at_a_time_tokens_per_s": round(alone_rate, 2), "ratio": round(batched_rate / alone_rate, 3),
            "target": BATCH_TARGET, "target_met": batched_rate / alone_rate >= BATCH_TARGET}


def diary_check(home: Path, entries: list[str | None]) -> dict[str, Any]:
    from cognition.diary import Diary

    written = [e for e in Diary(home / "users" / "default" / "memory").entries() if e.kind == "exchange"]
    ids = [e.id for e in written]
    wanted = [e for e in entries if e]
    return {"served_turns": len(wanted), "missing": len(set(wanted) - set(ids)),
            "duplicated": len(ids) - len(set(ids)), "without_reply": sum(e.reply is None for e in written),
            "exactly_once": set(wanted) <= set(ids) and len(ids) == len(set(ids))
            and all(e.reply is not None for e in written)}


def serve_bench(root: Path, clients: int = 8, seconds: float = 60.0, rounds: int = 4,
                progress: Progress = lambda e: None) -> dict[str, Any]:
    from cognition.config import load_settings
    from eval.bench import machine
    from graphs.agent import Agent
    from reverie.server import ServerThread, create_app

    load_before = os.getloadavg()[0]
    settings = load_settings(home=root / "served")
    server = ServerThread(create_app(settings))
    agent = Agent(load_settings(home=root / "in-process"))
    try:
        report = {"bench": "serve", "overhead": overhead(server.url, agent, MESSAGES, progress)}
        busy = concurrency(server.url, clients, seconds, progress)
        report["system1"] = system1(server.url, clients, rounds, progress)
        report["concurrency"] = {k: v for k, v in busy.items() if k != "entries"}
        report["diary"] = diary_check(settings.home, busy["entries"])
        batches = agent.runtime.batcher.batches
        report["system1"]["batch_sizes"] = {"median": statistics.median(batches) if batches else None,
                                            "max": max(batches, default=None), "batches": len(batches)}
        report["machine"] = machine(agent.runtime, load_before)
    finally:
        agent.close()
        server.close()
    return report


def serve_table(r: dict[str, Any]) -> str:
    o, c, s, d = r["overhead"], r["concurrency"], r["system1"], r["diary"]
    return "\n".join([
        f"overhead: served {o['served_median_s']:.3f}s / in-process {o['in_process_median_s']:.3f}s = "
        f"{o['ratio']:.3f} (target <= {o['target']}: {'met' if o['target_met'] else 'missed'})",
        f"{c['clients']} clients for {c['seconds']}s: {c['requests']} turns, {c['requests_per_s']} /s, "
        f"latency p50 {c['latency_p50_s']}s p99 {c['latency_p99_s']}s, first token p50 {c['ttft_p50_s']}s "
        f"p99 {c['ttft_p99_s']}s, errors {c['errors']}",
        f"System 1: {s['batched_tokens_per_s']} tokens/s batched, {s['one_at_a_time_tokens_per_s']} one at a time: "
        f"{s['ratio']}x (target >= {s['target']}: {'met' if s['target_met'] else 'missed'}); "
        f"batches {s['batch_sizes']}",
        f"diary: {d['served_turns']} served turns, missing {d['missing']}, duplicated {d['duplicated']}, "
        f"without reply {d['without_reply']}: {'exactly once' if d['exactly_once'] else 'NOT exactly once'}",
        "machine: " + ", ".join(f"{k}={v}" for k, v in r["machine"].items())])


def run_serve(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="reverie-serve-bench-") as tmp:
        return serve_bench(Path(tmp), args.clients, args.seconds, args.rounds, progress)


def serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients.")
    parser.add_argument("--seconds", type=float, default=60.0, help="How long the clients keep sending turns.")
    parser.add_argument("--rounds", type=int, default=4, help="Provocations per client in the System 1 phase.")


def print_progress(event: dict[str, Any]) -> None:
    print("[serve] " + " ".join(f"{k}={v}" for k, v in event.items()), file=sys.stderr, flush=True)
