"""The capable curator over a real socket: what it is shown, and the bookkeeping its answers go
through (the same as the rules': second person, dates, secrets, retirements, profiles)."""

from __future__ import annotations

import json

from cognition.config import System2Settings
from consolidation.curate import curate, supersedes
from consolidation.curator import parse_verdict, relevant
from consolidation.examples import Example, Item
from system2.openai_backend import OpenAIReasoner


def day(*texts: str) -> list[Item]:
    return [Item(f"i{n}", "exchange", t, f"2030-01-04T09:{n:02d}:00") for n, t in enumerate(texts)]


def verdict(kind="fact", statements=(), pairs=(), retires=(), score=0.9) -> str:
    return json.dumps({"score": score, "kind": kind, "statements": list(statements),
                       "pairs": [{"question": q, "answer": a} for q, a in pairs], "retires": list(retires)})


def judge_on(endpoint, script: dict[str, str]):
    """The endpoint answers by the new message it is shown: the first key of `script` it contains."""
    def reply(body):
        shown = body["messages"][-1]["content"].split("New message:")[-1]
        return next((answer for key, answer in script.items() if key in shown), "not json")
    endpoint.reply = reply
    reasoner = OpenAIReasoner(System2Settings(backend="openai", base_url=endpoint.url, model="capable"))
    return lambda messages: reasoner.complete(messages, max_tokens=1024, temperature=0.0)


def shown(endpoint, n: int) -> str:
    return endpoint.seen[n]["messages"][-1]["content"]


def test_the_curator_is_shown_the_date_the_turns_before_and_what_is_known(endpoint):
    prior = [Example("Where does my sister work?", "Your sister Ilse works at a bakery in Ghent.", "fact", ("old",)),
             Example("What is my favourite tea?", "Your favourite tea is rooibos.", "preference", ("old2",))]
    judge = judge_on(endpoint, {"birthday": verdict(statements=["My sister Ilse turns forty on 9 January 2030."])})
    curate(day("Talking of my sister, she had a rough week at the bakery.", "Her birthday is next Wednesday!"),
           prior=prior, judge=judge, night="2030-01-04")
    last = shown(endpoint, 1)
    assert "Friday 04 January 2030" in last
    assert "User: Talking of my sister, she had a rough week at the bakery." in last.split("New message:")[0]
    known = last.split("Today so far:")[0]
    assert "Your sister Ilse works at a bakery in Ghent." in known and "rooibos" not in known   # only what bears on it


def test_statements_go_through_the_bookkeeping_and_the_generic_frames(endpoint):
    judge = judge_on(endpoint, {
        "cake": verdict(statements=["My nephew Pim turns six tomorrow.", "My nephew Pim loves dinosaurs."],
                        pairs=[("How old is Pim turning?", "Your nephew Pim turns six on 5 January 2030.")]),
        "PIN": verdict(statements=["My bank PIN is 4821."], pairs=[("What is my PIN?", "Your PIN is 4821.")]),
    })
    cur = curate(day("any ideas for a cake? it's for Pim, he turns six tomorrow and he's mad about dinosaurs",
                     "my PIN is 4821 btw"), judge=judge, night="2030-01-04")
    said = "\n".join(e.target for e in cur.examples)
    assert "Your nephew Pim turns six on 5 January 2030." in said   # second person, the date made absolute
    assert "tomorrow" not in said and "4821" not in said            # no relative date, no secret
    assert len(endpoint.seen) == 1                                  # a secret never leaves the machine
    of_pim = [e for e in cur.examples if "dinosaurs" in e.target]
    assert any(e.kind == "profile" for e in of_pim)                 # the profile of the nephew
    assert len({e.prompt for e in of_pim}) >= 3                     # asked back in its own words too
    assert ("How old is Pim turning?", "Your nephew Pim turns six on 5 January 2030.") in \
        {(e.prompt, e.target) for e in cur.examples}
    assert cur.scores["i0"] == 0.9 and not cur.dropped[0][1] == "general_question"


def test_what_the_curator_retires_leaves_today_and_the_replay_buffer(endpoint):
    prior = [Example("Who is my dentist?", "Your dentist is Dr Walsh.", "fact", ("old",)),
             Example("What do you know about my teeth?", "Dr Walsh fitted your crown.", "fact", ("old",))]
    judge = judge_on(endpoint, {"Byrne": verdict(
        kind="correction", statements=["My dentist is Dr Byrne."], retires=["Walsh"],
        pairs=[("Who is my dentist?", "Your dentist is Dr Byrne, not Dr Walsh."),
               ("What is my dentist called?", "Dr Byrne.")])})
    cur = curate(day("correction: my dentist is Dr Byrne"), prior=prior, judge=judge, night="2030-01-04")
    assert cur.retired == ["Walsh"]
    assert cur.examples and not any("walsh" in (e.prompt + e.target).lower() for e in cur.examples)
    assert ("What is my dentist called?", "Dr Byrne.") in {(e.prompt, e.target) for e in cur.examples}
    assert all(supersedes(e, cur.retired) for e in prior)
    assert all(e.kind == "correction" for e in cur.examples if e.kind not in ("profile", "unsaid"))


def test_a_reply_that_is_not_the_json_asked_for_leaves_the_item_to_the_rules(endpoint):
    judge = judge_on(endpoint, {"Lyon": 'JSON:\n{"question": "My aunt lives in Lyon", "answer": "x",}',
                                "Nantes": verdict(pairs=[]) .replace('"pairs": []', '"pairs": [], "extra": 1')})
    cur = curate(day("My aunt Mireille lives in Lyon.", "My uncle Gaspard lives in Nantes."), judge=judge)
    said = "\n".join(e.target for e in cur.examples).lower()
    assert len(endpoint.seen) == 2 and "lyon" in said and "nantes" in said
    assert parse_verdict('{"score": 1, "kind": "fact", "pairs": [], "extra": 1}') is None
    assert parse_verdict('```json\n{"score": 1, "kind": "fact"}\n```') is not None
    assert parse_verdict('{"score": 1, "kind": "gossip"}') is None


def test_small_talk_the_curator_judges_worthless_is_dropped_with_its_reason(endpoint):
    judge = judge_on(endpoint, {"weather": verdict(kind="none", score=0.05)})
    cur = curate(day("lovely weather today"), judge=judge)
    assert cur.examples == [] and cur.dropped == [("i0", "curator_none")]


def test_the_known_facts_shown_are_those_that_share_words_with_the_message():
    known = ["Your cat is called Miso.", "You work at the harbour office.", "Your cat Miso hates the vet."]
    assert relevant(known, "The vet says my cat is too fat") == ["Your cat Miso hates the vet.",
                                                                  "Your cat is called Miso."]
    assert relevant(known, "Hello there") == []
