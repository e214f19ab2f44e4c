"""`reverie eval curation`: curation night by night, no training, measured against the probes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from eval.curation import run

DAYS = {
    "name": "tiny", "user": "ines", "description": "written for this test",
    "days": [{"date": "2031-06-01", "turns": ["My cousin Lorcan lives in Sligo.", "I work as a glazier in Tralee."]},
             {"date": "2031-06-02", "turns": ["No, Lorcan lives in Westport, not Sligo.",
                                              "What's a good recipe for soda bread?"]}],
    "probes": [
        {"id": "t-1", "question": "Where does my cousin live now?", "answers": ["Westport"], "forbidden": ["Sligo"],
         "learned_on": 2, "kind": "correction"},
        {"id": "t-2", "question": "What is my trade?", "answers": ["glazier"], "forbidden": [], "learned_on": 1,
         "kind": "fact"},
        {"id": "t-3", "question": "What is my cat called?", "answers": [], "forbidden": [], "learned_on": None,
         "kind": "absent"}],
}


def test_curation_report_measures_the_final_set(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(DAYS))
    result = run([path], tmp_path / "out")
    (f,) = result["files"]
    assert f["name"] == "tiny" and f["probes"] == 2   # absent probes are not asked of curation
    assert [n["date"] for n in f["nights"]] == ["2031-06-01", "2031-06-02"]
    assert "sligo" in [v.lower() for v in f["nights"][1]["retired"]]
    assert f["covered"] == 1.0 and f["leaked"] == 0
    assert not any("sligo" in e["target"].lower() for e in f["final_examples"])
    assert all(set(e) == {"prompt", "target", "kind", "sources", "keeps"} for e in f["final_examples"])
    assert 0.0 <= f["nearest"] <= 1.0 and len(f["misses"]) == round(2 * (1 - f["nearest"]))
    assert json.loads((tmp_path / "out" / "curation.json").read_text())["total"]["probes"] == 2
    assert "| tiny | 2 |" in (tmp_path / "out" / "report.md").read_text()


def test_a_retired_value_still_trained_is_a_leak(tmp_path):
    days = json.loads(json.dumps(DAYS))
    days["days"][1]["turns"][0] = "Lorcan moved house last week."   # no correction: Sligo is never retired
    days["probes"][0]["answers"] = ["Lorcan"]
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps(days))
    (f,) = run([path])["files"]
    assert f["leaked"] == 1 and f["leaks"][0]["id"] == "t-1"


def test_cli_prints_one_json_object(tmp_path):
    from reverie.cli import app

    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(DAYS))
    out = CliRunner().invoke(app, ["eval", "curation", "--days", str(path), "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.stdout)
    assert payload["files"][0]["name"] == "tiny" and "nearest" in payload["total"]
    missing = CliRunner().invoke(app, ["eval", "curation", "--days", str(tmp_path / "nope.json"), "--json"])
    assert missing.exit_code != 0 and "no such days file" in json.loads(missing.stdout)["error"]


def test_a_locomo_conversation_is_curated_about_its_speakers_as_the_real_run_records_it(tmp_path):
    import zipfile

    conv = {"speaker_a": "Odile", "speaker_b": "Tomas", "session_1_date_time": "9:15 am on 3 March, 2024",
            "session_1": [{"speaker": "Odile", "dia_id": "D1:1", "text": "I moved to Lyon from Quebec last spring."},
                          {"speaker": "Tomas", "dia_id": "D1:2", "text": "I restore old typewriters in my garage."}],
            "qa": [{"question": "Where did Odile move from?", "answer": "Quebec", "evidence": ["D1:1"], "category": 1},
                   {"question": "What does Tomas restore?", "answer": "old typewriters", "evidence": ["D1:2"],
                    "category": 1}]}
    path = tmp_path / "locomo.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data/multimodal_dialog/locomo10_v2/conv-x.json", json.dumps(conv))
    (f,) = run([path])["files"]
    targets = [e["target"] for e in f["final_examples"]]
    assert any(t.startswith("Odile moved to Lyon") for t in targets)      # of the speaker, by name
    assert any("Tomas restores old typewriters" in t for t in targets)
    assert not any(t.startswith(("You ", "Your ", "Odile:", "Tomas:")) for t in targets)   # never the user's own
    assert f["probes"] == 2 and f["covered"] == 1.0
