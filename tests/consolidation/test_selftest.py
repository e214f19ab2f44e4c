"""Self-test scoring: key terms, passing, retired values; perplexity drift on a tiny model."""

from __future__ import annotations

import re

from consolidation.examples import Example
from consolidation.selftest import hold_out, key_terms, passes, perplexity, pick_questions, self_test
from system1.adapters import AdapterStore
from system1.prompts import answer_messages


def test_key_terms_are_what_the_question_does_not_give_away():
    e = Example("What's my sister's name?", "Your sister is called Gunnhild.", "fact", ())
    assert key_terms(e) == ["gunnhild"]
    e = Example("When does my shift start?", "Your shift starts at 5:40.", "correction", ())
    assert "5:40" in key_terms(e)


def test_an_answer_passes_on_a_key_term_and_fails_on_a_retired_value():
    e = Example("Where does my sister live?", "Your sister lives in Narvik.", "correction", ())
    assert passes("She lives in Narvik.", e, [])
    assert not passes("She lives in Harstad.", e, [])
    assert not passes("Narvik, not Harstad.", e, ["Harstad"])


def test_questions_mix_today_and_older_without_duplicates():
    today = [Example(f"Q{i}?", f"Answer{i} here.", "fact", ()) for i in range(30)]
    older = [Example(f"Old{i}?", f"Older{i} there.", "fact", ()) for i in range(30)] + today[:3]
    qs = pick_questions(today, older, n_today=10, n_older=5)
    assert len(qs) == 15 and len({q.prompt for q in qs}) == 15
    assert sum(q.prompt.startswith("Old") for q in qs) == 5


def test_self_test_and_perplexity_run_on_a_real_model(tiny_runtime, tmp_path, adapter_factory):
    """It used to ask one question and assert a score of 0 or 1, which every outcome meets. Now the
    candidate (a real LoRA on the tiny model) is asked on its own first; the self-test must grade
    exactly that answer: a question whose key term it names passes, one it does not fails with
    that answer recorded, and naming a retired value fails."""
    ppl = perplexity(tiny_runtime, adapter=False)
    assert ppl > 1.0 and perplexity(tiny_runtime, adapter=True) == ppl  # no adapter: on is off
    store = AdapterStore(tmp_path / "adapters")
    version = adapter_factory(store, seed=2)
    tiny_runtime.load_adapter(version, store.path(version))
    assert perplexity(tiny_runtime, adapter=True) != ppl   # drift measures the candidate, not the base
    assert perplexity(tiny_runtime, adapter=False) == ppl

    question = "What is my cat called?"
    [said] = tiny_runtime.generate([answer_messages(question)], adapter=True, max_new_tokens=4)
    named = lambda w: Example(question, f"Your cat is called {w.title()}.", "fact", ())  # noqa: E731
    word = next(w for w in re.findall(r"[a-z]{3,}", said.text.casefold()) if key_terms(named(w)) == [w])
    right, wrong = named(word), Example(question, "Your cat is called Tuppen.", "fact", ())
    assert "tuppen" not in said.text.casefold()

    result = self_test(tiny_runtime, [right, wrong], [], max_new_tokens=4)
    assert (result.asked, result.passed, result.score) == (2, 1, 0.5)
    assert result.failures == [{"question": question, "expected": wrong.target, "answer": said.text}]
    retired = self_test(tiny_runtime, [right], [word.title()], max_new_tokens=4)
    assert (retired.asked, retired.passed, retired.score) == (1, 0, 0.0)
    assert retired.failures == [{"question": question, "expected": right.target, "answer": said.text}]


def test_one_question_of_each_well_asked_statement_is_held_out():
    ilse = [Example(q, "Your sister Ilse lives in Ghent.", "fact", ()) for q in
            ("Where does my sister live?", "Which city does my sister live in?", "Where is Ilse based?",
             "Which town does Ilse live in?", "Where does Ilse live?", "Where does my sister reside?")]
    bike = [Example(q, "Your bike is called Rosie.", "fact", ()) for q in ("What is my bike called?", "Who is Rosie?")]
    held = hold_out(ilse + bike, seed=3)
    assert len(held) == 1 and held[0] in {ex.id for ex in ilse}     # two ways is too few to spare one
    assert hold_out(ilse + bike, seed=3) == held                    # the same night holds out the same
    assert hold_out(ilse, min_asked=7) == []
