"""Retention scoring on hand-made replies: substring recall, forbidden values, abstention apart."""

from __future__ import annotations

from eval.retention import Probe, declined, recalled, score


def probe(kind="fact", answers=("Narvik",), forbidden=(), learned_on=1, pid="p"):
    return Probe(pid, "Where does my sister live?", answers, forbidden, learned_on, kind)


def test_recall_needs_an_answer_and_no_forbidden_value():
    p = probe("correction", forbidden=("Harstad",))
    assert recalled("She lives in narvik.", p)
    assert not recalled("Narvik, not Harstad.", p)
    assert not recalled("She lives in Tromsø.", p)


def test_declining_is_recognised():
    assert declined("I don't know your brother's name.")
    assert declined("You never told me that.")
    assert not declined("Your brother is called Ole.")


def test_score_breaks_down_by_kind_and_day_and_keeps_absent_apart():
    probes = [probe(pid="a"), probe(pid="b", answers=("Tuppen",), learned_on=2),
              probe("update", answers=("chief engineer",), forbidden=("second engineer",), pid="c", learned_on=4),
              probe("absent", answers=(), learned_on=None, pid="d"),
              probe("absent", answers=(), learned_on=None, pid="e")]
    replies = {"a": "Narvik", "b": "Your cat is Pus.", "c": "chief engineer", "d": "I don't know.", "e": "Ole."}
    s = score(replies, probes)
    assert s["recall"] == round(2 / 3, 4) and s["probes"] == 3
    assert s["by_kind"] == {"fact": 0.5, "update": 1.0}
    assert s["by_day"] == {"1": 1.0, "2": 0.0, "4": 1.0}
    assert s["abstention"] == 0.5 and s["hallucination"] == 0.5
    assert [(r["id"], r["ok"]) for r in s["replies"]] == [("a", True), ("b", False), ("c", True), ("d", True),
                                                          ("e", False)]
    assert s["replies"][1]["reply"] == "Your cat is Pus."


def test_the_never_said_set_loads_as_absent_probes_and_a_bad_one_says_why(tmp_path):
    from pathlib import Path

    import pytest

    from eval.retention import load_never_said

    shipped = load_never_said(Path(__file__).resolve().parents[2] / "eval" / "never-said.json")
    assert len(shipped) >= 50 and len({p.question for p in shipped}) == len(shipped)
    assert {p.kind for p in shipped} == {"absent"} and all(p.answers == () for p in shipped)
    replies = {p.id: "You haven't told me that." for p in shipped[:10]}
    assert score(replies, shipped)["hallucination"] == round(1 - 10 / len(shipped), 4)
    bad = tmp_path / "bad.json"
    for text in ('{"questions": [{"id": "a"}]}', '{"questions": []}', "[1, 2", '{"questions": [{"id": 1, "question": "x"}]}'):
        bad.write_text(text)
        with pytest.raises(ValueError, match="bad.json"):
            load_never_said(bad)
