"""The general-knowledge quiz: held out from the anchors, graded by substring."""

from __future__ import annotations

from consolidation.anchors import QUESTIONS
from consolidation.quiz import QUIZ, grade, quiz, run_quiz
from system1.adapters import AdapterStore
from system1.prompts import answer_messages


def test_the_quiz_is_held_out_from_the_rehearsed_anchor_questions():
    asked = [q for q, _ in QUIZ]
    assert len(asked) == len(set(asked)) == 40
    assert not set(asked) & set(QUESTIONS)


def test_grading_is_a_case_insensitive_substring():
    assert grade("The capital is Berlin.", ("berlin",))
    assert grade("SIXTY minutes", ("60", "sixty"))
    assert not grade("It is Munich.", ("berlin",))
    assert not grade("", ("berlin",))


def test_a_run_asks_every_question_and_reports_failures(tiny_runtime, tmp_path, adapter_factory):
    """It used to assert 0 <= passed <= 40, which every outcome meets. Now each question is asked
    of the runtime on its own, with the adapter on and off, and the run must grade those answers:
    the same count passed and the same failures, answers and all."""
    store = AdapterStore(tmp_path / "adapters")
    version = adapter_factory(store, seed=2)
    tiny_runtime.load_adapter(version, store.path(version))
    answers = {adapter: [tiny_runtime.chat(answer_messages(q), adapter=adapter, max_new_tokens=4).text for q, _ in QUIZ]
               for adapter in (True, False)}
    assert answers[True] != answers[False]   # the candidate and the base answer differently: the flag matters
    for adapter, said in answers.items():
        expected = [{"question": q, "accepted": list(ok), "answer": a} for (q, ok), a in zip(QUIZ, said)
                    if not grade(a, ok)]
        result = run_quiz(tiny_runtime, adapter=adapter, max_new_tokens=4)
        assert (result.asked, result.passed) == (40, 40 - len(expected))
        assert result.failures == expected
        assert result.to_json()["score"] == round(result.passed / 40, 4)


def test_the_quiz_asks_through_any_answerer_in_batches():
    sizes = []

    def answer(batch):
        sizes.append(len(batch))
        return ["It is Berlin." if "Germany" in m[-1]["content"] else "I am not sure." for m in batch]

    result = quiz(answer, batch_size=16)
    assert sizes == [16, 16, 8] and result.passed == 1 and len(result.failures) == 39
    assert result.failures[0] == {"question": QUIZ[1][0], "accepted": list(QUIZ[1][1]), "answer": "I am not sure."}
