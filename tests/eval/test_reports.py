"""Retention and ablation end to end on the tiny real model: reports whose plots are images and whose
numbers are the JSON's."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from eval import ablation, retention

DAYS = {
    "name": "tiny-persona", "user": "tess", "description": "a test user",
    "days": [
        {"date": "2026-03-02", "turns": ["My sister Ilse lives in Ghent.", "I keep three hives of bees."]},
        {"date": "2026-03-03", "turns": ["No, that's wrong: Ilse lives in Bruges, not Ghent.", "Thanks, that helps!"]},
    ],
    "probes": [
        {"id": "t-1", "question": "Where does my sister live?", "answers": ["Bruges"], "forbidden": ["Ghent"],
         "learned_on": 2, "kind": "correction"},
        {"id": "t-2", "question": "How many hives do I keep?", "answers": ["three", "3"], "forbidden": [],
         "learned_on": 1, "kind": "fact"},
        {"id": "t-3", "question": "What is my brother's name?", "answers": [], "forbidden": [],
         "learned_on": None, "kind": "absent"},
    ],
}


@pytest.fixture()
def overrides(tiny_model_dir):
    return {"model": {"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
            "system1": {"associate_tokens": 6, "answer_tokens": 8}, "system2": {"answer_tokens": 8},
            "sleep": {"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
                      "self_test_threshold": 0.0, "drift_bound": 1000.0, "anchor_weight": 0.0}}


@pytest.fixture()
def days_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(DAYS), encoding="utf-8")
    return path


def _is_png(path) -> bool:
    import matplotlib.image

    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and matplotlib.image.imread(path).ndim == 3


def test_retention_report_matches_its_json(home, days_file, overrides, tmp_path):
    out = tmp_path / "retention"
    result = retention.run([days_file], ["none", "dream"], out, settings_overrides=overrides,
                           keep_homes=tmp_path / "homes")
    kept = list((tmp_path / "homes").iterdir())
    assert len(kept) == 1 and (kept[0] / "users" / "tess" / "adapters" / "CURRENT").exists()
    saved = json.loads((out / "retention.json").read_text(encoding="utf-8"))
    assert saved["arms"] == result["arms"] and len(saved["nights"]) == 2
    persona = saved["personas"][0]
    assert [n["night"] for n in persona["nights"]] == [1, 2]
    assert set(persona["nights"][1]["by_day"]) == {"1", "2"}  # the forgetting curve's points
    assert {"ratio", "quiz_base", "quiz_after"} <= set(persona["nights"][0]["drift"])
    assert len(persona["turns"]) == 4 and all("adenosine" in t["chemistry"] for t in persona["turns"])
    for png in ("nights.png", "arms.png", "forgetting.png", "chemistry.png"):
        assert _is_png(out / png), png
    report = (out / "report.md").read_text(encoding="utf-8")
    dream = saved["arms"]["dream"]
    assert f"| dream | {dream['recall']:.0%} |" in report
    assert f"({saved['drift']['ratio']}x)" in report
    none = persona["arms"]["none"]["replies"]
    missed = [r for r in none if not r["ok"]]
    assert len(none) == len(json.loads(days_file.read_text())["probes"])
    assert missed   # the bare tiny model recalls nothing; every miss is listed with its reply
    assert f"none: {len(missed)} of {len(none)} probes missed" in report and f"| {missed[0]['id']} |" in report


def test_ablation_report_matches_its_json(home, days_file, overrides, tmp_path):
    out = tmp_path / "ablation"
    before = set(Path(tempfile.gettempdir()).glob("reverie-ablation-tiny-*"))
    result = ablation.run([days_file], out, settings_overrides=overrides)
    assert set(Path(tempfile.gettempdir()).glob("reverie-ablation-tiny-*")) == before  # temporary homes are gone
    saved = json.loads((out / "ablation.json").read_text(encoding="utf-8"))
    on, off = saved["arms"]["on"], saved["arms"]["off"]
    assert saved == json.loads(json.dumps(result))
    assert sum(on["verdicts"].values()) == 4 and sum(off["verdicts"].values()) == 0  # off: no provocation to judge
    assert on["latency_median"] > 0 and off["latency_median"] > 0
    assert len(saved["personas"][0]["nights"]) == 2  # only the System-1-on home sleeps
    assert saved["delta_recall"] == pytest.approx(on["recall"] - off["recall"], abs=1e-4)
    for png in ("arms.png", "verdicts.png"):
        assert _is_png(out / png), png
    report = (out / "report.md").read_text(encoding="utf-8")
    assert f"| on | {on['recall']:.0%} |" in report and f"| off | {off['recall']:.0%} |" in report
    assert f"accept {on['verdicts']['accept']}," in report


def test_the_ablation_latency_summary():
    turns = [{"seconds": s} for s in (1.0, 2.0, 3.0, 4.0, 10.0)]
    assert ablation.latency(turns) == {"median": 3.0, "p90": 10.0, "mean": 4.0, "turns": 5}
    assert ablation.verdicts([{"verdict": "accept"}, {"verdict": "accept"}, {"verdict": None}]) == \
        {"accept": 2, "refine": 0, "discard": 0}
