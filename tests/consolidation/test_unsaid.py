"""What was never said: the questions System 1 learns to decline, closed-book, are the questions it
learns about the people and animals the user did speak of, asked of those never mentioned; the
set is rebuilt every night, so a relative mentioned later is no longer declined."""

from __future__ import annotations

import re

from consolidation import lexicon as lx
from consolidation.curate import curate
from consolidation.dataset import ReplayBuffer
from consolidation.examples import Example, Item
from consolidation.selftest import hold_out, pick_questions
from consolidation.unsaid import KIND, MOST, mentioned, unsaid
from system1.prompts import NOT_TOLD


def day(*texts: str, prefix: str = "i") -> list[Item]:
    return [Item(f"{prefix}{i}", "exchange", t, f"2031-05-0{1 + i % 9}T10:00:00") for i, t in enumerate(texts)]


def roles_in(prompt: str) -> list[str]:
    return [m.lower() for m in re.findall(rf"\bmy ({lx.ROLES_PATTERN})\b", prompt, re.IGNORECASE)]


def test_learned_questions_are_asked_of_relatives_and_animals_never_mentioned():
    cur = curate(day("My aunt Rosalind breeds alpacas in Cumbria.", "My parrot Tiko whistles the news jingle.",
                     "My landlord Mr Okafor plays the tuba."))
    learned = [e for e in cur.examples if e.kind != KIND]
    declined = [e for e in cur.examples if e.kind == KIND]
    assert 0 < len(declined) <= MOST
    assert all(e.target == NOT_TOLD and e.sources == () for e in declined)
    told = mentioned(["My aunt Rosalind", "My parrot Tiko", "My landlord"])
    moved = {roles_in(e.prompt)[0] for e in declined}
    assert moved and not moved & told   # never the aunt, the parrot or the landlord
    assert moved & set(lx.KIN) and moved & set(lx.PEOPLE_ROLES)
    shapes = {re.sub(rf"\bmy ({lx.ROLES_PATTERN})\b", "my _", e.prompt, flags=re.IGNORECASE) for e in learned}
    assert all(re.sub(rf"\bmy ({lx.ROLES_PATTERN})\b", "my _", e.prompt, flags=re.IGNORECASE) in shapes
               for e in declined)   # the shape of a question it learns, nothing invented
    assert not any(re.search(r"Rosalind|Tiko|Okafor", e.prompt) for e in declined)   # a name stays with its role


def test_each_group_keeps_to_its_own():
    learned = [Example("What is my dog called?", "Your dog is called Biscuit.", "fact", ("a",)),
               Example("What breed is my dog?", "Your dog is a lurcher.", "fact", ("a",)),
               Example("Where does my uncle work?", "Your uncle works at the docks.", "fact", ("b",))]
    moved = {e.prompt: roles_in(e.prompt)[0] for e in unsaid(learned)}
    pets = {r for p, r in moved.items() if "uncle" not in p and ("called" in p or "breed" in p)}
    assert pets and pets <= set(lx.PETS) - {"dog"}
    assert {r for p, r in moved.items() if "work" in p} <= set(lx.KIN) - {"uncle"}


def test_other_words_for_someone_mentioned_are_not_declined():
    told = mentioned(["I met my husband at a ceilidh.", "My mum's knee is better.", "My granddaughter is two."])
    assert {"husband", "partner", "spouse", "wife", "mum", "mother", "mom", "parent", "granddaughter",
            "grandchild"} <= told
    assert "brother" not in told and "dad" not in told


def test_someone_mentioned_in_any_words_of_the_diary_is_not_declined():
    learned = [Example(q, f"Your sister {a}", "fact", ("a",)) for q, a in [
        ("What is my sister's name?", "is called Oona."), ("Where does my sister live?", "lives in Cork."),
        ("How old is my sister?", "is 38."), ("What does my sister do for a living?", "is a welder."),
        ("Who is my sister?", "is Oona.")]]
    kin = {r for r in lx.GENDER if "-" not in r} | {"cousin", "partner", "child"}
    diary = [f"my {r} says hi, ha" for r in sorted(kin - {"cousin"})]   # small talk, but they were mentioned
    moved = {roles_in(e.prompt)[0] for e in unsaid(learned, said=diary)}
    assert moved and moved <= {"cousin"} | {r for r in lx.GENDER if "-" in r}


def test_a_question_holding_a_name_or_a_pronoun_is_not_moved():
    learned = [Example("What did my sister lena bake?", "Your sister lena baked a rye loaf.", "fact", ("a",)),
               Example("What does my brother Tam play?", "Your brother Tam plays the pipes.", "fact", ("b",)),
               Example("Where does my dad keep his boat?", "Your dad keeps his boat in Oban.", "fact", ("c",)),
               Example("I told my sister what about the rye loaf, which she loved?", "...", "fact", ("d",))]
    assert unsaid(learned) == []
    plain = Example("What does my sister bake?", "Your sister bakes rye loaves.", "fact", ("e",))
    moved = unsaid([*learned, plain])
    assert moved and all(re.sub(rf"\bmy ({lx.ROLES_PATTERN})\b", "my _", e.prompt) == "What does my _ bake?"
                         for e in moved)   # the one question that can be moved, and only it


def test_the_set_is_rebuilt_each_night_and_a_relative_mentioned_later_is_no_longer_declined(tmp_path):
    replay = ReplayBuffer(tmp_path / "replay.jsonl")
    first = curate(day("My sister Nuala teaches maths in Galway.", "My sister Nuala is 41."), night="2031-05-01")
    replay.add(first.examples, first.retired, night="2031-05-01")
    kin = sorted({r for e in first.examples if e.kind == KIND for r in roles_in(e.prompt)} & set(lx.GENDER))
    assert kin
    newcomer = kin[0]
    said = [i.text for i in day("My sister Nuala teaches maths in Galway.", "My sister Nuala is 41.")]
    second = curate(day(f"My {newcomer} Ciaran teaches chemistry in Sligo.", prefix="j"),
                    prior=replay.examples(), night="2031-05-02", said=said)
    replay.add(second.examples, second.retired, night="2031-05-02")
    live = replay.examples()
    declined = [e for e in live if e.kind == KIND]
    assert declined and len(declined) <= MOST   # last night's set retired: tonight's alone is live
    assert not any(newcomer in roles_in(e.prompt) for e in declined)
    assert any(f"Your {newcomer} Ciaran" in e.target for e in live)


def test_an_example_taught_again_after_it_was_retired_comes_back(tmp_path):
    replay = ReplayBuffer(tmp_path / "replay.jsonl")
    leeds = Example("Where do I live?", "You live in Leeds.", "fact", ("a",))
    replay.add([leeds], night="2031-01-01")
    replay.add([Example("Where do I live?", "You live in York.", "update", ("b",), retires=("Leeds",))],
               retired=["Leeds"], night="2031-02-01")
    assert [e.target for e in replay.examples()] == ["You live in York."]
    replay.add([Example(leeds.prompt, leeds.target, "update", ("c",), retires=("York",))], retired=["York"],
               night="2031-09-01")
    assert [e.target for e in replay.examples()] == ["You live in Leeds."]   # moved back: live again, once
    assert sum(r["id"] == leeds.id for r in replay.records()) == 1


def test_what_was_never_said_is_no_fact_to_test():
    facts = [Example(f"Where does my sister live{'?' * n}", "Your sister lives in Cork.", "fact", ("a",))
             for n in range(1, 8)]
    declined = [Example(f"What is my {r}'s name?", NOT_TOLD, KIND, ()) for r in ("brother", "cousin", "uncle",
                                                                                  "niece", "aunt", "nephew", "son")]
    assert set(hold_out(facts + declined)) <= {e.id for e in facts}
    assert hold_out(declined) == []
    assert all(e.kind != KIND for e in pick_questions(facts + declined, declined))



def test_a_night_with_nothing_new_learns_nothing_not_even_what_was_never_said():
    first = curate(day("My sister Nuala teaches maths in Galway."), night="2031-05-01")
    assert any(e.kind == KIND for e in first.examples)
    quiet = curate(day("hello!", "ok thanks, bye", prefix="q"), prior=first.examples, night="2031-05-02")
    assert quiet.examples == []
