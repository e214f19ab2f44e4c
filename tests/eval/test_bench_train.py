"""The training-throughput bench on the tiny real Llama: the report's arithmetic and its one JSON object.

(No `__init__.py` here: see test_bench.py.)
"""

import json
import subprocess
import sys

import pytest

from eval.bench_train import TARGET, synthetic_examples, train_bench, train_table


def test_synthetic_examples_end_with_the_answer_and_repeat_by_seed():
    examples = synthetic_examples(5, seed=3)
    assert [m["role"] for m in examples[0]] == ["system", "user", "assistant"]
    assert examples == synthetic_examples(5, seed=3) != synthetic_examples(5, seed=4)


def test_report_counts_four_flops_per_parameter_per_token(tiny_model_dir):
    events = []
    report = train_bench(tiny_model_dir, steps=2, warmup_steps=1, batch_size=2, examples=8, size=128,
                         progress=events.append)
    assert report["steps"] == 2 and report["tokens"] > 0
    assert report["flops_per_token"] == 4 * report["base_parameters"]
    assert report["achieved_flops"] == pytest.approx(4 * report["base_parameters"] * report["tokens_per_s"], rel=1e-6)
    # Both figures are rounded in the report (ratio to 4 places, the peak to 4 significant digits).
    expected = report["achieved_flops"] / (report["peak_bf16_gflops"] * 1e9)
    assert report["ratio"] == pytest.approx(expected, rel=0.01, abs=2e-4)
    assert report["target"] == TARGET and report["target_met"] == (report["ratio"] >= TARGET)
    assert [e["phase"] for e in events].count("train") == 2 and events[0]["phase"] == "peak"
    assert "ratio to bf16 peak" in train_table(report)


def test_json_flag_prints_exactly_one_object(tiny_model_dir):
    """The one object is the report of the run the flags asked for (it used to be checked only for
    a `target_met` key): its step counts, its model, and the base's size counted here."""
    from transformers import AutoModelForCausalLM

    done = subprocess.run([sys.executable, "-m", "eval.bench_train", "--model", str(tiny_model_dir), "--steps", "1",
                           "--warmup-steps", "0", "--batch-size", "2", "--size", "128", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["bench"] == "train"
    assert (report["steps"], report["warmup_steps"], report["matmul_size"]) == (1, 0, 128)
    assert report["args"]["batch_size"] == 2 and report["machine"]["model"] == str(tiny_model_dir)
    base = sum(p.numel() for p in AutoModelForCausalLM.from_pretrained(tiny_model_dir).parameters())
    assert report["base_parameters"] == base and report["flops_per_token"] == 4 * base
    assert 0 < report["trainable_parameters"] < base   # LoRA trains a few weights beside the frozen base
    assert report["target"] == TARGET and report["target_met"] == (report["ratio"] >= TARGET)
