"""The benchmark's arithmetic and command line, on hand-made numbers (no model).

No `__init__.py` here on purpose: a package named `eval` under tests/ would shadow the
project's `eval` package on pytest's default import path.
"""

import subprocess
import sys

import pytest

from eval.bench import (BENCHES, FirstText, TurnSample, build_parser, compare, median, node_medians, ratio,
                        summarise, turn_table)


def sample(total, deliberate, intuit=None, ttft=None, tokens=0):
    timings = {"perceive": 0.01, "recall": 0.05, "deliberate": deliberate, "remember": 0.02, "total": total}
    if intuit is not None:
        timings["intuit"] = intuit
    return TurnSample(total_s=total, timings=timings, ttft_s=ttft, answer_tokens=tokens)


COORDINATED = [sample(4.0, 2.0, intuit=1.8, ttft=2.2, tokens=20), sample(5.0, 3.0, intuit=1.9, ttft=2.4, tokens=30),
               sample(6.0, 4.0, intuit=1.7, ttft=2.0, tokens=40)]
ALONE = [sample(2.1, 2.0, ttft=0.5, tokens=20), sample(3.1, 3.0, ttft=0.7, tokens=30),
         sample(20.0, 19.9, ttft=0.6, tokens=40)]  # one stalled turn: the median ignores it


def test_median_skips_missing_values_and_is_none_when_nothing_is_left():
    assert median([3.0, None, 1.0, 2.0]) == 2.0
    assert median([1.0, 2.0]) == 1.5
    assert median([None, None]) is None
    assert median([]) is None


def test_ratio_is_none_without_a_denominator():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(3.0, 0.0) is None
    assert ratio(None, 2.0) is None
    assert ratio(3.0, None) is None


def test_overhead_is_the_turn_without_deliberation():
    assert sample(5.0, 3.0).overhead_s == pytest.approx(2.0)
    assert TurnSample(total_s=1.0, timings={"total": 1.0}).overhead_s == 1.0  # no deliberate node timed


def test_node_medians_take_each_node_over_the_turns_that_ran_it():
    nodes = node_medians(COORDINATED[:2] + ALONE[:1])
    assert "total" not in nodes
    assert nodes["intuit"] == pytest.approx(1.85)  # two turns ran intuit
    assert nodes["deliberate"] == 2.0


def test_summarise_gives_medians_and_the_turns():
    s = summarise(COORDINATED)
    assert s["median_total_s"] == 5.0
    assert s["median_ttft_s"] == 2.2
    assert s["median_overhead_s"] == 2.0
    assert s["median_deliberate_s"] == 3.0
    assert s["median_answer_tokens"] == 30
    assert s["deliberate_s_per_token"] == pytest.approx(0.1)
    assert s["nodes"]["intuit"] == 1.8
    assert len(s["per_turn"]) == 3 and s["per_turn"][0]["overhead_s"] == 2.0


def test_compare_reports_ratios_and_whether_the_target_is_met():
    c, a = summarise(COORDINATED), summarise(ALONE)
    out = compare(c, a)
    assert out["ratio_total"] == pytest.approx(5.0 / 3.1, abs=1e-4)
    assert out["ratio_ttft"] == pytest.approx(2.2 / 0.6, abs=1e-4)
    assert out["ratio_overhead"] == pytest.approx(2.0 / 0.1, abs=1e-3)
    assert out["added_overhead_s"] == pytest.approx(1.9)
    assert out["target"] == 1.5 and out["target_met"] is False
    assert compare(c, a, target=2.0)["target_met"] is True


def test_compare_with_no_turns_does_not_claim_the_target():
    empty = summarise([])
    out = compare(empty, empty)
    assert out["ratio_total"] is None and out["target_met"] is False


def test_first_text_notes_only_the_first_chunk():
    ticks = iter([10.0, 10.5, 11.0])
    clock = FirstText(clock=lambda: next(ticks))
    assert clock.seconds() is None
    clock("")  # an empty chunk is not text yet
    clock("Hel")
    clock("lo")
    assert clock.seconds() == 0.5


def test_the_turn_bench_is_registered_with_its_options():
    assert "turn" in BENCHES
    args = build_parser().parse_args(["turn", "--json", "--seed", "3", "--no-cold-start"])
    assert (args.bench, args.json, args.seed, args.no_cold_start) == ("turn", True, 3, True)


def test_the_table_shows_both_arms_and_the_verdict_on_the_target():
    c, a = summarise(COORDINATED), summarise(ALONE)
    report = {"bench": "turn", "coordinated": c, "system2_alone": a, **compare(c, a), "cold_start_s": 12.5,
              "machine": {"dtype": "bfloat16"}, "turns": 3}
    table = turn_table(report)
    assert "coordinated" in table and "S2 alone" in table
    assert "node intuit" in table and "missed" in table and "12.500" in table


def test_importing_the_bench_loads_no_model_library():
    code = "import sys, eval.bench; print('torch' in sys.modules, 'transformers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
