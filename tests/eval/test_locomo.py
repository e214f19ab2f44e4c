"""LoCoMo: the paper's F1 on known strings, abstention, the loader on a hand-built zip, the
seeded stratified sample, and one small run end to end on the tiny real model."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from eval.locomo import (CATEGORIES, LocomoArgs, LocomoError, Question, askable, load, multi_hop_f1, normalize,
                         run, score, stratified, token_f1)

CONV = {
    "speaker_a": "Caroline", "speaker_b": "Melanie",
    "session_1_date_time": "1:56 pm on 8 May, 2023",
    "session_1": [
        {"speaker": "Caroline", "dia_id": "D1:1", "text": "I went to a support group yesterday."},
        {"speaker": "Melanie", "dia_id": "D1:2", "text": "I painted a lake sunrise last year.",
         "img_url": ["https://example.invalid/x.jpg"], "blip_caption": "a painting of a sunrise over a lake"},
        {"speaker": "Caroline", "dia_id": "D1:3", "text": "I moved here from Sweden four years ago."},
    ],
    "session_2_date_time": "7:55 pm on 9 June, 2023",
    "session_2": [
        {"speaker": "Melanie", "dia_id": "D2:1", "text": "I ran a charity race for mental health on Saturday."},
        {"speaker": "Caroline", "dia_id": "D2:2", "text": "I am researching adoption agencies this summer."},
    ],
    "session_3_date_time": "10:37 am on 27 June, 2023",   # a date with no session: ignored
    "events_session_1": {"Caroline": [], "Melanie": [], "date": "8 May, 2023"},
    "qa": [
        {"question": "Where did Caroline move from?", "answer": "Sweden", "evidence": ["D1:3", "D2:2"], "category": 1},
        {"question": "When did Melanie paint a sunrise?", "answer": 2022, "evidence": ["D1:2"], "category": 2},
        {"question": "Would Caroline want a family?", "answer": "Likely yes; she researches adoption",
         "evidence": ["D2:2"], "category": 3},
        {"question": "What did the charity race raise awareness for?", "answer": "mental health",
         "evidence": ["D2:1"], "category": 4},
        {"question": "What did Caroline realize after her charity race?", "evidence": ["D2:1"], "category": 5,
         "adversarial_answer": "self-care is important"},
    ],
}


def write_zip(path, conversations: dict[str, dict]):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data/multimodal_dialog/locomo10_v2/", "")
        for cid, conv in conversations.items():
            z.writestr(f"data/multimodal_dialog/locomo10_v2/{cid}.json", json.dumps(conv))
    return path


def q(category: int, gold: str, qid: str = "c:q0", evidence=("D1:1",)) -> Question:
    return Question(qid, "?", gold, category, tuple(evidence))


# -- F1 as the LoCoMo code computes it ------------------------------------------------------------


def test_f1_on_known_strings():
    assert token_f1("Sweden", "Sweden") == 1.0
    assert token_f1("She moved from Sweden", "Sweden") == pytest.approx(2 * (1 / 4) * 1 / (1 / 4 + 1))
    assert token_f1("Went to Paris", "Paris") == 0.5
    assert token_f1("the adoption agencies!", "Adoption agencies") == 1.0       # articles, punctuation, case
    assert token_f1("salt and pepper", "salt, pepper") == 1.0                  # commas and "and" go, as in LoCoMo
    assert token_f1("paints", "painting") == 1.0                                # Porter stems: paint = paint
    assert token_f1("", "Sweden") == 0.0 and token_f1("Sweden", "") == 0.0 and token_f1("", "") == 0.0
    assert normalize("The Sunday before 25 May, 2023.") == "sunday before 25 may 2023"


def test_multi_hop_splits_on_commas_and_averages_the_best_match_per_gold_part():
    assert multi_hop_f1("Sweden", "Sweden, Norway") == 0.5
    assert multi_hop_f1("Norway, Sweden", "Sweden, Norway") == 1.0
    assert score(q(1, "Sweden, Norway"), "Sweden") == 0.5
    # other categories do not split: the commas go and the tokens are compared whole
    assert score(q(4, "Sweden, Norway"), "Sweden") == pytest.approx(2 / 3)


def test_open_domain_scores_against_the_gold_before_its_reasoning():
    assert score(q(3, "Likely no; though she likes reading, she wants to be a counselor"), "likely no") == 1.0


def test_integer_gold_answers_are_scored_as_text(tmp_path):
    conv = load(write_zip(tmp_path / "l.zip", {"26": CONV}))[0]
    temporal = next(x for x in conv.questions if x.category == 2)
    assert temporal.gold == "2022" and score(temporal, "2022.") == 1.0


def test_adversarial_questions_score_declining_1_and_answering_0():
    trap = q(5, "self-care is important")
    assert score(trap, "I don't know what she realized.") == 1.0
    assert score(trap, "That is not mentioned in the conversation.") == 1.0
    assert score(trap, "No information available.") == 1.0
    assert score(trap, "You never told me about a charity race.") == 1.0
    assert score(trap, "She realized self-care is important.") == 0.0
    assert score(trap, "") == 0.0


# -- loading -------------------------------------------------------------------------------------------


def test_the_loader_reads_the_release_shape_from_the_zip(tmp_path):
    other = {**CONV, "speaker_a": "Jon", "speaker_b": "Gina"}
    convs = load(write_zip(tmp_path / "locomo.zip", {"30": other, "26": CONV, "7": CONV}))
    assert [c.id for c in convs] == ["7", "26", "30"]            # numeric id order
    conv = convs[1]
    assert conv.speakers == ("Caroline", "Melanie")
    assert [s.number for s in conv.sessions] == [1, 2]
    assert conv.sessions[0].when.isoformat() == "2023-05-08T13:56:00+00:00"
    assert conv.sessions[0].turns[1].line() == ("Melanie: I painted a lake sunrise last year. "
                                                "[shares a painting of a sunrise over a lake]")
    assert conv.sessions[0].turns[0].line() == "Caroline: I went to a support group yesterday."
    assert [x.category for x in conv.questions] == [1, 2, 3, 4, 5]
    assert conv.questions[4].gold == "self-care is important" and conv.questions[4].sessions == {2}
    assert conv.questions[0].id == "26:q0" and conv.questions[0].sessions == {1, 2}


def test_only_questions_about_played_sessions_are_askable(tmp_path):
    conv = load(write_zip(tmp_path / "l.zip", {"26": CONV}))[0]
    assert [x.category for x in askable(conv, {1})] == [2]
    assert len(askable(conv, {1, 2})) == 5


def test_missing_corrupt_and_foreign_files_are_clear_errors(tmp_path):
    with pytest.raises(LocomoError, match="no such file"):
        load(tmp_path / "nope.zip")
    (tmp_path / "bad.zip").write_bytes(b"this is not a zip")
    with pytest.raises(LocomoError, match="not a readable zip"):
        load(tmp_path / "bad.zip")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as z:
        z.writestr("x.json", json.dumps({"hello": "world"}))
    with pytest.raises(LocomoError, match="no LoCoMo conversation"):
        load(tmp_path / "other.zip")
    with pytest.raises(LocomoError, match="session_1_date_time"):
        load(write_zip(tmp_path / "date.zip", {"1": {**CONV, "session_1_date_time": "yesterday"}}))


def test_the_cli_reports_a_missing_zip_as_one_json_error(tmp_path):
    from typer.testing import CliRunner

    from reverie.cli import app

    result = CliRunner().invoke(app, ["eval", "locomo", "--data", str(tmp_path / "nope.zip"), "--json"])
    assert result.exit_code == 1
    assert "no such file" in json.loads(result.stdout)["error"]


# -- the sample ----------------------------------------------------------------------------------------


def test_stratified_sampling_is_proportional_and_reproducible_from_the_seed():
    counts = {1: 30, 2: 30, 3: 10, 4: 80, 5: 50}
    pool = [q(c, "x", f"c:q{c}-{i}") for c, n in counts.items() for i in range(n)]
    first = stratified(pool, 20, "0:c")
    assert [x.id for x in first] == [x.id for x in stratified(pool, 20, "0:c")]
    assert [x.id for x in first] != [x.id for x in stratified(pool, 20, "1:c")]
    taken = {c: sum(1 for x in first if x.category == c) for c in counts}
    assert sum(taken.values()) == 20 and all(v >= 1 for v in taken.values())
    assert taken[4] > taken[1] > taken[3]
    assert [x.id for x in first] == [x.id for x in pool if x in first]      # the conversation's order
    assert stratified(pool, 0, 0) == pool and stratified(pool, 999, 0) == pool
    assert len(stratified(pool, 3, 0)) == 3                                  # fewer than the categories


def test_arguments_are_checked_with_their_values():
    with pytest.raises(ValueError, match="arms='rag,none'"):
        LocomoArgs(arms=("rag", "none"))
    with pytest.raises(ValueError, match="sessions_per_night=0"):
        LocomoArgs(sessions_per_night=0)


# -- one run on the tiny real model --------------------------------------------------------------------


def test_a_small_conversation_runs_end_to_end_and_reports_f1_per_category_and_arm(home, tiny_model_dir, tmp_path):
    overrides = {"model": {"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
                 "system1": {"associate_tokens": 6, "answer_tokens": 8}, "system2": {"answer_tokens": 8},
                 "sleep": {"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
                           "self_test_threshold": 0.0, "drift_bound": 1000.0, "anchor_weight": 0.0}}
    data = write_zip(tmp_path / "locomo.zip", {"26": CONV})
    events = []
    result = run(data, LocomoArgs(max_questions=0, seed=3), out=tmp_path / "out", settings_overrides=overrides,
                 progress=events.append, homes=tmp_path / "homes")

    assert result["conversations"] == ["26"] and result["seed"] == 3
    for arm in ("rag", "dream", "both"):
        s = result["arms"][arm]
        assert set(s["f1"]) == set(CATEGORIES.values())
        assert all(0.0 <= v <= 1.0 for v in s["f1"].values())
        assert s["n"] == {name: 1 for name in CATEGORIES.values()}
        # one question per category: overall is their mean (it used to be checked only to lie in [0, 1])
        assert s["overall"] == pytest.approx(sum(s["f1"].values()) / 5, abs=1e-4)
        answerable = [v for name, v in s["f1"].items() if name != "adversarial"]
        assert s["overall_without_adversarial"] == pytest.approx(sum(answerable) / 4, abs=1e-4)
    nights = result["nights"]
    assert [n["sessions"] for n in nights] == [[1], [2]] and [n["date"] for n in nights] == ["2023-05-08", "2023-06-09"]
    assert [n["turns"] for n in nights] == [3, 2] and all(n["turns_curated"] <= n["turns"] for n in nights)
    assert [n["collected"] for n in nights] == [3, 2]      # each night's window holds exactly its session
    assert nights[0]["examples"]["total"] > 0 and nights[0]["promoted"]
    assert set(result["seconds"]) == {"play", "sleep", "qa", "total"}
    assert any("night 2" in e for e in events)

    # the diary holds the sessions as their days, each turn indexed
    from cognition.diary import Diary
    from cognition.index import MemoryIndex

    user = Path(result["played"][0]["home"]) / "users" / "default"
    assert user.parents[2] == tmp_path / "homes" and MemoryIndex(user / "index").count() == 5
    diary = Diary(user / "memory")
    assert [d.isoformat() for d in diary.days()] == ["2023-05-08", "2023-06-09"]
    first = diary.read_day(diary.days()[0])[0]
    assert first.kind == "exchange" and first.text == "Caroline: I went to a support group yesterday."
    assert first.meta["dia_id"] == "D1:1"

    out = tmp_path / "out"
    saved = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert saved["arms"] == result["arms"]
    assert (out / "f1.png").stat().st_size > 0 and (out / "nights.png").stat().st_size > 0
    report = (out / "report.md").read_text(encoding="utf-8")
    order = ("single-hop", "multi-hop", "temporal", "open-domain", "adversarial")   # the paper's table order
    for arm, s in result["arms"].items():
        row = f"| {arm} | " + " | ".join(str(s["f1"][c]) for c in order) + f" | {s['overall']} | "
        assert row in report
