"""Surprise rate: Wilson arithmetic, calibration and classification on hand-made cases with
the real MiniLM embedder, and one run end to end on the tiny real model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from eval.surprise import SurpriseArgs, calibrate, measure, percentile, similarities, surprising, useful, wilson

RAIN = "It's raining again today."
RAIN_OWN = ["The rain will not stop this week.", "Another grey and wet day outside.",
            "Rainy days make everything feel slow.", "The weather has been so wet lately.",
            "More rain, the garden will be happy."]
EGG = "How long should I boil an egg?"
EGG_OWN = ["About ten minutes for a hard-boiled egg.", "Six minutes gives a soft yolk.",
           "Boil it for eight to ten minutes.", "A soft-boiled egg takes about six minutes.",
           "Ten minutes in boiling water makes it hard."]


# -- arithmetic --------------------------------------------------------------------------


def test_wilson_interval_matches_hand_computed_values():
    # z = 1.96, n = 10: z²/n = 0.38415. 0/10: centre = half = 0.19207 / 1.38415 = 0.13876.
    assert wilson(0, 10) == [0.0, 0.2775]
    # 5/10: centre 0.5, half = 1.96 / 1.38415 * sqrt(0.025 + 0.0096037) = 0.2634.
    assert wilson(5, 10) == [0.2366, 0.7634]
    assert wilson(10, 10) == [0.7225, 1.0]
    assert wilson(0, 0) == [0.0, 1.0]  # no turns: nothing known
    with pytest.raises(ValueError, match="k=3 successes out of n=2"):
        wilson(3, 2)


def test_percentile_interpolates_like_numpy():
    values = [0.1 * i for i in range(1, 11)]
    assert percentile(values, 5) == pytest.approx(0.145)  # rank 0.45 between 0.1 and 0.2
    assert percentile(values, 50) == pytest.approx(0.55)
    assert percentile([0.7], 5) == 0.7


# -- calibration and classification on hand-made sample sets ---------------------------------


def test_threshold_is_a_low_percentile_of_system2s_leave_one_out_similarities():
    rain, egg = similarities("x", RAIN_OWN), similarities("x", EGG_OWN)
    assert len(rain["self_similarities"]) == 5 and len(egg["self_similarities"]) == 5
    pooled = rain["self_similarities"] + egg["self_similarities"]
    cal = calibrate(pooled, 5.0)
    assert cal["threshold"] == round(percentile(pooled, 5.0), 4) and cal["values"] == 10
    assert cal["percentiles"]["p5"] <= cal["percentiles"]["p50"] <= cal["percentiles"]["p95"]
    # Coherent samples stay close to each other: the nearest sibling is always fairly similar.
    assert cal["threshold"] > 0.35
    assert cal["false_surprise_rate"] == 0.1  # 1 of 10 lies below the 5th percentile by interpolation
    with pytest.raises(ValueError, match="no self-similarities"):
        calibrate([], 5.0)


def test_a_known_surprising_and_a_known_unsurprising_provocation():
    threshold = calibrate(similarities("x", RAIN_OWN)["self_similarities"] +
                          similarities("x", EGG_OWN)["self_similarities"])["threshold"]
    odd = similarities("Volcanic glass sings at midnight.", RAIN_OWN)
    near = similarities("The rain won't stop this week.", RAIN_OWN)
    assert odd["max_similarity"] < threshold <= near["max_similarity"]
    assert near["nearest"] == 0
    assert surprising(odd["max_similarity"], threshold) and not surprising(near["max_similarity"], threshold)
    # A judge that claims the provocation as its own takes the surprise away; only a yes does.
    assert not surprising(odd["max_similarity"], threshold, judged_own=True)
    assert surprising(odd["max_similarity"], threshold, judged_own=None)
    assert useful(True, "refine") and useful(True, "accept") and not useful(True, "discard")
    assert not useful(False, "accept")


def test_measure_counts_rates_and_asks_the_judge_only_about_the_surprising():
    turns = [{"message": RAIN, "provocation": "Volcanic glass sings at midnight.", "verdict": "refine",
              "adapter": "v0001"},
             {"message": RAIN, "provocation": "The rain won't stop this week.", "verdict": "accept", "adapter": None},
             {"message": EGG, "provocation": "Penguins march across the ice.", "verdict": "discard",
              "adapter": "v0001"},
             {"message": EGG, "provocation": "Boil it for about ten minutes.", "verdict": "accept",
              "adapter": "v0001"}]
    asked = []

    def judge(message, provocation):  # a fake judge: claims penguins as its own
        asked.append(provocation)
        return "Penguins" in provocation

    result = measure(turns, [RAIN_OWN, RAIN_OWN, EGG_OWN, EGG_OWN], judge=judge)
    flags = [(t["surprising"], t["useful"]) for t in result["per_turn"]]
    assert flags == [(True, True), (False, False), (False, False), (False, False)]
    assert asked == ["Volcanic glass sings at midnight.", "Penguins march across the ice."]
    assert result["per_turn"][2]["judge"] is True and result["per_turn"][1]["judge"] is None
    assert result["surprise_rate"] == 0.25 and result["useful_surprise_rate"] == 0.25 and result["turns"] == 4
    assert result["ci95"] == wilson(1, 4) and result["useful_ci95"] == wilson(1, 4)
    assert result["by_source"]["base"]["turns"] == 1 and result["by_source"]["adapter"]["surprising"] == 1
    assert result["calibration"]["values"] == 20


def test_arguments_are_checked_with_their_values():
    with pytest.raises(ValueError, match="samples=1"):
        SurpriseArgs(samples=1)
    with pytest.raises(ValueError, match="turns=0"):
        SurpriseArgs(turns=0)


# -- end to end on the tiny real model ---------------------------------------------------------

DAYS = {
    "name": "tiny-persona", "user": "tess", "description": "a test user",
    "days": [
        {"date": "2026-03-02", "turns": ["My sister Ilse lives in Ghent.", "I keep three hives of bees.",
                                         "It's raining again today."]},
        {"date": "2026-03-03", "turns": ["No, that's wrong: Ilse lives in Bruges, not Ghent.", "Thanks, that helps!",
                                         "How long should I boil an egg?"]},
    ],
    "probes": [{"id": "t-1", "question": "Where does my sister live?", "answers": ["Bruges"], "forbidden": ["Ghent"],
                "learned_on": 2, "kind": "correction"}],
}


def test_the_cli_reports_rates_intervals_and_calibration_reproducibly(home, tiny_model_dir, tmp_path):
    days = tmp_path / "tiny.json"
    days.write_text(json.dumps(DAYS), encoding="utf-8")
    out = tmp_path / "surprise"
    env = {**os.environ, "REVERIE_HOME": str(home), "REVERIE_MODEL__ID": str(tiny_model_dir),
           "REVERIE_MODEL__DTYPE": "float32", "REVERIE_MODEL__CONTEXT_TOKENS": "512",
           "REVERIE_SYSTEM1__ASSOCIATE_TOKENS": "6", "REVERIE_SYSTEM2__ANSWER_TOKENS": "8", "TMPDIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "reverie", "eval", "surprise", "--days", str(days), "--turns", "4",
                           "--samples", "3", "--no-sleep", "--seed", "7", "--out", str(out), "--json"],
                          capture_output=True, env=env, timeout=600)
    lines = proc.stdout.decode().strip().splitlines()
    assert proc.returncode == 0 and len(lines) == 1, proc.stderr.decode()[-2000:]
    result = json.loads(lines[0])
    assert {"surprise_rate", "useful_surprise_rate", "ci95", "useful_ci95", "turns", "threshold", "calibration",
            "per_turn", "seed", "seconds"} <= set(result)
    assert result["turns"] == 4 and result["played"] == 6 and result["seed"] == 7 and result["nights"] == []
    assert result["judge"] is None and result["method"] == "embedding only"
    low, high = result["ci95"]
    assert 0 <= low <= (result["surprise_rate"] or 0) <= high <= 1
    assert result["calibration"]["values"] == 4 * 3 and result["threshold"] == result["calibration"]["threshold"]
    for t in result["per_turn"]:
        assert len(t["system2_samples"]) == 3 and t["adapter"] is None  # --no-sleep: System 1 is the bare base
        assert t["surprising"] == (t["max_similarity"] < result["threshold"])
    assert result["by_source"]["base"]["turns"] == 4

    saved = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert saved == result
    for png in ("similarity.png", "rates.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"**{result['threshold']}**" in report
    assert f"| {result['calibration']['percentiles']['p5']} | {result['calibration']['percentiles']['p25']} |" in report
    rate = "-" if result["surprise_rate"] is None else f"{result['surprise_rate'] * 100:.1f}%"
    assert f"| surprise | {rate} | {result['ci95'][0] * 100:.1f}% – {result['ci95'][1] * 100:.1f}% | 4 |" in report

    # The same seed in another process measures the same turns the same way.
    from eval.surprise import run

    again = run(days, SurpriseArgs(turns=4, samples=3, sleep=False, seed=7), home=tmp_path / "again",
                settings_overrides={"model": {"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
                                    "system1": {"associate_tokens": 6}, "system2": {"answer_tokens": 8}})
    strip = lambda r: [{k: t[k] for k in ("message", "provocation", "system2_samples", "max_similarity", "surprising")}
                       for t in r["per_turn"]]  # noqa: E731
    assert strip(again) == strip(result) and again["threshold"] == result["threshold"]
