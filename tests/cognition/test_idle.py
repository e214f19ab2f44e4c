"""Idle cognition on the tiny real model: gating, variants, what lands in the diary."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from cognition.chemistry import Chemistry, ChemistryStore
from cognition.config import ChemistrySettings, IdleSettings
from cognition.diary import Diary
from cognition.idle import PROMPTS, Idle, gate, sentences, themes

NOW = datetime(2026, 3, 14, 15, 0, tzinfo=timezone.utc)


class Spy:
    """The tiny real model's generation, with each call's prompt and temperature kept for the asserts."""

    def __init__(self, runtime):
        self.runtime, self.calls = runtime, []

    def __call__(self, messages, temperature, seed):
        self.calls.append({"system": messages[0]["content"], "user": messages[-1]["content"],
                           "temperature": temperature})
        return self.runtime.chat(messages, adapter=False, max_new_tokens=12, temperature=temperature, seed=seed).text


@pytest.fixture()
def mind(tmp_path, tiny_runtime):
    diary = Diary(tmp_path / "memory")
    chemistry = ChemistryStore(tmp_path / "chemistry.json")
    return Idle(diary, chemistry, Spy(tiny_runtime), IdleSettings())


def _say(mind, text, when, cortisol=0.0):
    mind.diary.write("exchange", text, reply="Noted.", when=when, chemistry={"cortisol": cortisol})


def _set(mind, **levels):
    mind.chemistry.save(Chemistry(updated=NOW.isoformat(), **levels))


@pytest.mark.parametrize("adenosine, daydream, ruminate", [(0.0, True, True), (0.69, True, True),
                                                            (0.7, False, True), (0.89, False, True),
                                                            (0.9, False, False), (1.0, False, False)])
def test_adenosine_stops_daydreams_first_then_rumination(adenosine, daydream, ruminate):
    g = gate(Chemistry(adenosine=adenosine), ChemistrySettings())
    assert (g.daydream, g.ruminate) == (daydream, ruminate)
    assert bool(g.reason) == (not daydream)


def test_gated_thoughts_write_nothing(mind):
    _say(mind, "My sister Ilse lives in Ghent.", NOW - timedelta(minutes=30))
    _say(mind, "I bake bread on Sundays.", NOW - timedelta(minutes=20))
    _set(mind, adenosine=0.8)
    assert mind.daydream(NOW) is None
    assert mind.ruminate(NOW) is not None  # rumination still runs at 0.8
    _set(mind, adenosine=0.95)
    assert mind.ruminate(NOW + timedelta(minutes=2)) is None
    assert [e.kind for e in mind.diary.entries()].count("thought") == 1


def test_a_rumination_lands_in_the_diary_with_its_variant_sources_and_chemistry(mind):
    said = [NOW - timedelta(minutes=m) for m in (50, 40, 30)]
    for when, text in zip(said, ["I started pottery classes.", "My kiln is tiny.", "I glaze on Fridays."]):
        _say(mind, text, when)
    _set(mind, cortisol=0.1)
    thought = mind.ruminate(NOW, variant="daily")
    entry = mind.diary.get(thought.entry)
    assert entry.kind == "thought" and entry.meta["variant"] == "daily" and entry.time == NOW
    assert entry.meta["sources"] == [e.id for e in mind.diary.entries() if e.kind == "exchange"]
    assert entry.chemistry == {"adenosine": 0.0, "cortisol": 0.1, "dopamine": 1.0}
    call = mind.think.calls[-1]
    assert call["system"] == PROMPTS["daily"] and "pottery" in call["user"] and "glaze" in call["user"]


def test_high_cortisol_chooses_the_stressed_variant_over_the_corrections(mind):
    _say(mind, "I live in Leeds.", NOW - timedelta(hours=1))
    _say(mind, "No, that's wrong: I live in York, not Leeds.", NOW - timedelta(minutes=50), cortisol=0.35)
    _say(mind, "My cat is called Tuppen.", NOW - timedelta(minutes=40))
    _set(mind, cortisol=0.8)
    assert mind.variant(mind.chemistry.load(NOW), NOW) == "stressed"
    thought = mind.ruminate(NOW)
    assert thought.variant == "stressed"
    assert mind.think.calls[-1]["system"] == PROMPTS["stressed"]
    assert "York" in mind.think.calls[-1]["user"] and "Tuppen" not in mind.think.calls[-1]["user"]


def test_monthly_then_weekly_then_daily_when_calm(mind):
    _say(mind, "My grandmother taught me to knit.", NOW - timedelta(days=20))
    for day in (3, 2, 1):
        _say(mind, f"Knitting a scarf for my nephew, day {day}.", NOW - timedelta(days=day))
    calm = mind.chemistry.load(NOW)
    assert mind.variant(calm, NOW) == "monthly"
    assert mind.ruminate(NOW).variant == "monthly"
    assert "grandmother" in mind.think.calls[-1]["user"]  # the older memory comes back
    later = NOW + timedelta(minutes=2)
    assert mind.variant(calm, later) == "weekly"
    mind.ruminate(later)
    assert "knitting" in mind.think.calls[-1]["system"]  # the week's theme fills the prompt
    assert mind.variant(calm, later + timedelta(minutes=2)) == "daily"
    assert mind.variant(calm, NOW + timedelta(days=8)) == "daily"  # a quiet week has no themes
    for hours in (1, 2):
        _say(mind, "Knitting socks now.", NOW + timedelta(days=8) - timedelta(hours=hours))
    assert mind.variant(calm, NOW + timedelta(days=8)) == "weekly"  # a week later it is due again


def test_a_daydream_joins_two_memories_hot(mind):
    for i, text in enumerate(["I keep bees.", "My brother sails.", "I fear thunder.", "We grow leeks."]):
        _say(mind, text, NOW - timedelta(hours=i + 1))
    dream = mind.daydream(NOW)
    assert dream.kind == "daydream" and len(dream.sources) == 2 and len(set(dream.sources)) == 2
    assert mind.think.calls[-1]["temperature"] == pytest.approx(0.95)
    assert mind.diary.get(dream.entry).kind == "daydream"


def test_nothing_to_think_about_on_an_empty_diary(mind):
    assert mind.ruminate(NOW) is None and mind.daydream(NOW) is None


def test_sentences_keeps_at_most_four_and_drops_a_fragment():
    text = "One. Two! Three? Four. Five. And a fragm"
    assert sentences(text) == "One. Two! Three? Four."
    assert sentences("No punctuation at all") == "No punctuation at all"


def test_themes_are_words_that_come_back_across_entries(tmp_path):
    diary = Diary(tmp_path / "memory")
    for text in ["The garden needs water.", "I weeded the garden.", "Garden party on Sunday!", "I read a book."]:
        diary.write("exchange", text, when=NOW)
    assert themes(list(diary.entries()))[0] == "garden"


def test_themes_that_come_back_as_often_keep_the_order_they_were_said_in(tmp_path):
    diary = Diary(tmp_path / "memory")
    for day in (3, 2, 1):
        diary.write("exchange", f"Knitting a scarf for my nephew, day {day}.", when=NOW - timedelta(days=day))
    assert themes(list(diary.entries())) == ["knitting", "scarf", "nephew"]   # "day" comes back as often, later
