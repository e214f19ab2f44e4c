"""Perception rules: the wording of corrections, praise, preferences, facts, questions, small talk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cognition.perceive import CATEGORIES, Perception, perceive

# shared/ sits beside the repository (DESIGN.md); CI clones it the same way.
DAYS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "days"

EXAMPLES = {
    "correction": [
        "No, that's wrong — Gunnhild lives in Narvik, not Harstad.",
        "Sorry, that's wrong too — my shifts start at 5:40, not 6:40.",
        "No, that's wrong — I'm 34, not 43. Fat fingers on a rocking ship.",
        "No, that's wrong — Rosalind studies soil science, not agriculture in general.",
        "Actually, my cat is called Tuppen.",
        "No — my cousin studies soil science, not geology.",
        "That's not right: the meeting is on Tuesday.",
        "You're mistaken, I never lived in Bergen.",
        "I meant Thursday, sorry.",
        "Nope, it was 2017.",
        "I mixed them up — Eilif is the older twin.",
        "no wait, hobart",
        "Scratch that, my favourite is laksa.",
        "oops i meant the 24th",
        "sorry typo — its ollie",
        "Forgive me, I misstated that: the medal was gold.",
        "I must correct myself: Clementine studies at Aberdeen.",
    ],
    "praise": [
        "That's really helpful, thank you!",
        "Perfect, that's exactly what I needed.",
        "That was clearer than the manual, thanks!",
        "Thanks for listening all week, you've been great.",
        "Great tip.",
        "Well done, spot on.",
    ],
    "preference": [
        "I'm allergic to celery",
        "My absolute favourite dish is kottu roti.",
        "I really can't stand marzipan.",
        "I prefer the radio to television.",
        "I don't drink coffee at all.",
        "I'm vegetarian, so no meat please.",
        "Please never suggest recipes with mushrooms to me.",
        "I hate early mornings.",
        "We're crazy about sourdough.",
        "I'm a huge fan of Studio Ghibli films.",
    ],
    "fact": [
        "My husband is called Halvard.",
        "I live in Kristiansund.",
        "I'm a vet student at the veterinary college in Saskatoon.",
        "My son Vasco runs a surf school in Peniche.",
        "I grew up in Swift Current, a few hours away.",
        "When I was young I was the goalkeeper for the tram company's football team.",
        "I'm 43.",
        "We have a scruffy little dog called Farrusco.",
        "Our neighbour keeps bees on the roof.",
        "I’m a nurse at the hospital in Tromsø.",  # curly apostrophe, as phones type it
    ],
    "question": [
        "How long should I boil an egg?",
        "Can you suggest a dessert that is low in sugar?",
        "Is it bad to study with music on?",
        "What actually helps against seasickness? For the passengers, I mean.",
        "what should I pack for the Andes",
        "Tell me how to store honey.",
        "Explain how a heat pump works.",
        "How are you getting on with the list I gave you yesterday?",
    ],
    "small_talk": [
        "Good morning!",
        "Okay, good night!",
        "Right, back to work. Bye!",
        "Hi again. Long day of surgery practicals.",
        "How are you?",
        "I see.",
        "I'm back!",
        "lol",
        "",
    ],
}


@pytest.mark.parametrize(
    "category,message",
    [(category, message) for category, messages in EXAMPLES.items() for message in messages],
)
def test_category(category, message):
    assert perceive(message).category == category, perceive(message)


def test_categories_are_the_documented_ones():
    assert set(EXAMPLES) == set(CATEGORIES)


def test_several_signals_strongest_wins():
    p = perceive("Thanks! And my dog is called Rex.")
    assert p.category == "praise"
    assert set(p.signals) == {"praise", "fact"}
    assert p.is_praise and not p.is_correction


def test_correction_beats_praise():
    p = perceive("No, that's wrong — it's Narvik. Thanks for checking though!")
    assert p.category == "correction"
    assert p.is_correction and p.is_praise


def test_correction_with_a_fact_keeps_both_signals():
    p = perceive("No, that's wrong — my sister Gunnhild lives in Narvik, not Harstad.")
    assert p.signals[0] == "correction"
    assert "fact" in p.signals


def test_a_question_about_oneself_is_not_a_fact():
    p = perceive("Should I tell my husband Halvard about the trip?")
    assert p.category == "question"
    assert "fact" not in p.signals


def test_whitespace_is_normalised():
    assert perceive("  My husband\n is called\tHalvard.  ") == perceive("My husband is called Halvard.")


def test_small_talk_is_only_the_fallback():
    assert perceive("Good morning! My daughter Benedita teaches chemistry in Grenoble.").category == "fact"
    assert perceive("Hello, can you recommend a book about the sea?").category == "question"


def test_perception_properties():
    assert Perception("correction", ("correction",)).is_correction
    assert not Perception("fact", ("fact",)).is_praise


def _benchmark_turns() -> list[str]:
    files = sorted(DAYS.glob("persona-*.json"))
    if not files:
        pytest.skip(f"no benchmark days in {DAYS}")
    return [t for f in files for day in json.loads(f.read_text(encoding="utf-8"))["days"] for t in day["turns"]]


def test_benchmark_corrections_are_corrections():
    turns = [t for t in _benchmark_turns() if t.startswith("No, that's wrong")]
    assert turns
    missed = [t for t in turns if perceive(t).category != "correction"]
    assert missed == []


def test_benchmark_questions_carry_the_question_signal():
    turns = [t for t in _benchmark_turns() if t.rstrip().endswith("?")]
    assert turns
    missed = [t for t in turns if "question" not in perceive(t).signals]
    assert missed == []


def test_benchmark_first_person_statements_are_not_small_talk():
    # Regression: the fact rule once knew a short list of verbs, so "My son Vasco runs a
    # surf school" and "I'm a vet student" were small talk and never weighed as facts.
    turns = [t for t in _benchmark_turns() if t.startswith(("My ", "I ", "I'm ", "We "))]
    small = [t for t in turns if perceive(t).category == "small_talk"]
    assert len(turns) > 50
    assert small == []


def test_i_mean_is_a_filler_unless_it_ends_with_the_value():
    assert perceive("so I gave notice this morning and I mean my hands were shaking the whole time").category != "correction"
    assert perceive("The rehearsal is on Wednesday. I mean Tuesday.").category == "correction"
    assert perceive("Sorry, I meant the other one").category == "correction"
