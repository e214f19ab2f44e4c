"""The general-knowledge quiz: held out from the anchors, graded by substring."""

from __future__ import annotations

from consolidation.anchors import QUESTIONS
from consolidation.quiz import QUIZ, grade, quiz, run_quiz


def test_the_quiz_is_held_out_from_the_rehearsed_anchor_questions():
    asked = [q for q, _ in QUIZ]
    assert len(asked) == len(set(asked)) == 40
    assert not set(asked) & set(QUESTIONS)


def test_grading_is_a_case_insensitive_substring():
    assert grade("The capital is Berlin.", ("berlin",))
    assert grade("SIXTY minutes", ("60", "sixty"))
    assert not grade("It is Munich.", ("berlin",))
    assert not grade("", ("berlin",))


def test_a_run_asks_every_question_and_reports_failures(tiny_runtime):
    result = run_quiz(tiny_runtime, adapter=False, max_new_tokens=4)
    assert result.asked == 40 and 0 <= result.passed <= 40
    assert len(result.failures) == 40 - result.passed
    assert result.to_json()["score"] == round(result.passed / 40, 4)


def test_the_quiz_asks_through_any_answerer_in_batches():
    sizes = []

    def answer(batch):
        sizes.append(len(batch))
        return ["It is Berlin." if "Germany" in m[-1]["content"] else "I am not sure." for m in batch]

    result = quiz(answer, batch_size=16)
    assert sizes == [16, 16, 8] and result.passed == 1 and len(result.failures) == 39
    assert result.failures[0] == {"question": QUIZ[1][0], "accepted": list(QUIZ[1][1]), "answer": "I am not sure."}
