"""Coordination on the embedded default: System 1's answer taken where the diary grounds it, set
aside where only the memories have it, and "you haven't told me" where neither has it and the
question is about the user's own life; the rule alone, then in the real turn on the embedded model."""

from __future__ import annotations

import pytest

from cognition.config import load_settings
from graphs.agent import Agent
from graphs.coordinate import NOT_TOLD, about_the_user, asks, coordinate, holds_facts


def said(text: str, distance: float, kind: str = "exchange") -> dict:
    return {"kind": kind, "text": text, "distance": distance}


def rule(message, provocation, memories, grounding=None, question=True):
    """The rule, with System 1's answer coming from an entry `grounding` away from the question."""
    return coordinate(message, question, provocation, memories,
                      source=lambda text: "the entry System 1's answer came from" if grounding is not None else None,
                      distance=lambda a, b: grounding, grounded_at=0.6, recalled_at=0.5)


def test_the_rule_accepts_an_answer_whose_entry_is_about_the_question():
    memories = [said("My godson Piet turned nine in March.", 0.35)]
    taken = rule("How old is my godson?", "Your godson Piet is nine.", memories, grounding=0.4)
    assert taken.decision == "accept" and taken.grounding == 0.4 and taken.recall == 0.35
    set_aside = rule("How old is my godson?", "You keep bees.", memories, grounding=0.8)   # from another entry
    assert set_aside.decision == "discard" and "memory is near the question" in set_aside.reason


def test_the_rule_abstains_only_on_the_users_own_life():
    far = [said("The plumber comes on Tuesday.", 0.8)]
    assert rule("What was my first car?", "The plumber comes on Tuesday.", far, grounding=0.9).decision == "abstain"
    assert rule("what was the name of our first dog", "Biscuit.", far).decision == "abstain"   # from no entry
    assert rule("What was my first car?", "A Volvo.", []).decision == "abstain"   # an empty diary
    assert rule("What was my first car?", None, far).decision == "deliberate"     # System 1 off: System 2 as ever
    general = rule("How long does a boiled egg take?", "Ten minutes.", far, grounding=0.9)
    assert general.decision == "discard" and "general question" in general.reason
    named = rule("Where does Ilse live?", "Ilse lives in Bruges.", [said("Ilse moved to Bruges.", 0.3)], 0.3)
    assert named.decision == "accept"      # not in the first person, but the diary knows her


def test_a_statement_is_left_to_system2():
    assert rule("My first car was a red Volvo.", "Volvos are sturdy.", [], question=False).decision == "deliberate"


def test_only_the_users_own_words_that_hold_facts_count_as_memories():
    assert holds_facts(said("I keep bees on the allotment.", 0.1))
    assert holds_facts(said("My locker code is 4471 — can you remember it?", 0.1))   # a fact, then a question
    assert not holds_facts(said("What is my locker code?", 0.1))           # asked before: no answer in it
    assert not holds_facts(said("Perhaps the bees miss the heather.", 0.1, kind="thought"))   # its own thought
    asked_before = [said("What is my locker code?", 0.05)]
    assert rule("What is my locker code?", "It is 1234.", asked_before).decision == "abstain"
    assert rule("What is my locker code?", "It is 1234.", asked_before).recall is None


def test_a_request_for_something_known_is_asking_even_without_a_question_mark():
    for message in ("Remind me of my library card number.", "whats the wifi password at the cabin",
                    "Tell me my nephew's birthday.", "Where did I park?"):
        assert asks(message), message
    for message in ("My library card number is 5521.", "I parked by the church.", "Thanks, that helps!"):
        assert not asks(message), message


def test_about_the_user_means_the_first_person():
    for message in ("What's my blood type?", "where did we go on holiday", "Remind me of the code, please",
                    "When is our anniversary?"):
        assert about_the_user(message), message
    for message in ("What is the capital of Peru?", "How do magnets work?"):
        assert not about_the_user(message), message


@pytest.fixture()
def agent(home, embedded):
    """Agents on the embedded SmolLM2 (the tiny random model answers nothing, and System 1 must)."""
    def make(**system2) -> Agent:
        return Agent(load_settings(system1={"answer_tokens": 12, "associate_tokens": 12},
                                   system2={"answer_tokens": 12, "temperature": 0.0, **system2}))
    made: list[Agent] = []
    yield lambda **s: made.append(make(**s)) or made[-1]
    for a in made:
        a.close()


def test_in_the_turn_each_decision_gives_its_answer(agent):
    never = agent(grounded_at=0.0, recalled_at=0.0)    # nothing is ever grounded or recalled
    never.say("My sister Ilse lives in Bruges.")
    asked = never.say("What is my brother called?", record=False)
    assert asked.system1 and asked.answer == NOT_TOLD
    assert asked.verdict == "discard" and asked.verdict_source == "coordinated"
    assert any(n.startswith("coordination: about the user's life") for n in asked.notes)
    request = never.say("Remind me of my library card number.", record=False)   # no question mark: still asked
    assert request.answer == NOT_TOLD and request.category != "question"
    general = never.say("How many legs does a spider have?", record=False)
    assert general.answer != NOT_TOLD and general.verdict == "discard"
    never.close()

    always = agent(grounded_at=2.0)                     # every answer of System 1 is grounded
    always.say("My sister Ilse lives in Bruges.")
    question = "Where does my sister live?"
    took = always.say(question, record=False)
    assert took.answer == always.ask_closed_book(question)["answer"] == took.system1   # System 1's own answer
    assert took.verdict == "accept" and took.verdict_source == "coordinated"


def test_a_told_fact_is_answered_from_the_memories_and_the_rule_is_off_for_a_capable_model(agent):
    recalled = agent(grounded_at=0.0, recalled_at=2.0)
    recalled.say("My sister Ilse lives in Bruges.")
    answered = recalled.say("Where does my sister live?", record=False)
    assert answered.answer != NOT_TOLD and answered.verdict == "discard"
    assert answered.memories and "coordination: System 1's answer is not grounded" in " ".join(answered.notes)
    recalled.close()
    capable = agent(backend="openai", base_url="http://127.0.0.1:9/v1", model="m")
    assert capable.context(True).coordinate is False
    assert agent(coordinate=False).context(True).coordinate is False


def test_a_decline_from_system1_is_never_taken_as_grounded():
    memories = [{"kind": "exchange", "text": "My cousin Ines keeps goats.", "distance": 0.7}]

    def decide(recall_at: float):
        return coordinate("What is my brother's name?", True, NOT_TOLD, memories,
                          source=lambda text: "My brother-in-law is called Rui.", distance=lambda a, b: 0.1,
                          grounded_at=0.6, recalled_at=recall_at)

    assert decide(0.5).decision == "abstain"    # no memory near: System 1 was right to decline
    assert decide(0.8).decision == "discard"    # a memory near: System 2 answers from it
    taken = coordinate("What is my brother's name?", True, "Rui.", memories, source=lambda t: "My brother is Rui.",
                       distance=lambda a, b: 0.1, grounded_at=0.6, recalled_at=0.5)
    assert taken.decision == "accept"         # the same entry grounds a real answer
