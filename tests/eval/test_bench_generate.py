"""The generation bench on the tiny real model: both modes count the same real tokens."""

from __future__ import annotations

from eval.bench import BENCHES, build_parser
from eval.bench_generate import generate_bench, generate_table, measure, workloads


def test_the_generate_bench_is_registered_with_its_options():
    assert "generate" in BENCHES
    args = build_parser().parse_args(["generate", "--batch-size", "4", "--json"])
    assert args.batch_size == 4 and args.json


def test_workloads_are_the_self_test_and_curation_prompts():
    w = workloads()
    assert set(w) == {"self_test", "curation"}
    assert all(p[-1]["role"] == "user" for p in w["self_test"]["prompts"])
    assert "curate training data" in w["curation"]["prompts"][0][0]["content"]


def test_batched_and_single_runs_generate_the_same_greedy_tokens(tiny_runtime):
    prompts = workloads()["self_test"]["prompts"][:4]
    single = measure(tiny_runtime, prompts, 6, 1)
    batched = measure(tiny_runtime, prompts, 6, 4)
    assert single["prompts"] == batched["prompts"] == 4
    # Each mode must count exactly the real new tokens the runtime reports for each prompt asked on its
    # own (padding excluded); it used to assert only 0 < tokens <= 24 for each mode, apart.
    expected = sum(tiny_runtime.chat(p, adapter=False, max_new_tokens=6).new_tokens for p in prompts)
    assert 0 < expected <= 4 * 6
    assert single["new_tokens"] == batched["new_tokens"] == expected
    assert single["tokens_per_s"] > 0 and batched["tokens_per_s"] > 0


def test_the_report_and_its_table(tiny_runtime):
    events = []
    report = generate_bench(tiny_runtime, batch_size=8, progress=events.append)
    assert set(report["workloads"]) == {"self_test", "curation"}
    for w in report["workloads"].values():
        assert w["speedup"] == round(w["batched"]["tokens_per_s"] / w["one_at_a_time"]["tokens_per_s"], 3)
    assert [e["mode"] for e in events] == ["one at a time", "batched"] * 2
    assert "speed-up" in generate_table(report)
