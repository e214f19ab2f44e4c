"""A capable System 2 as judge: perceiving a turn and curating a night, over a real socket."""

from __future__ import annotations

import json

import pytest

from cognition.config import load_settings
from graphs.agent import Agent
from graphs.night import Night, summary
from system2.judge import parse_perception

VERDICT = {"score": 0.9, "kind": "fact",
           "pairs": [{"question": "Where does my sister live?", "answer": "Your sister Ilse lives in Ghent."},
                     {"question": "Which city is my sister in?", "answer": "Ghent."}], "retires": []}


def _router(perceived: str):
    """What the endpoint says: the perception judge, the curation judge, or a deliberation."""
    def reply(body):
        system = body["messages"][0]["content"]
        if system.startswith("Classify one message"):
            return perceived
        if system.startswith("You curate training data"):
            return json.dumps(VERDICT)
        return "Noted, I will remember that.\nVerdict: accept"
    return reply


def _agent(tiny_model_dir, url):
    return Agent(load_settings(
        model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
        system1={"associate_tokens": 6, "answer_tokens": 8},
        system2={"backend": "openai", "base_url": url, "model": "capable"},
        sleep={"rem_cycles_min": 1, "rem_cycles_max": 1, "iterations_per_cycle": 2, "batch_size": 4,
               "self_test_threshold": 0.0, "drift_bound": 1000.0, "anchor_weight": 0.0}))


@pytest.mark.parametrize("text, expected", [
    ('{"signals": ["praise", "fact"]}', ("praise", ("praise", "fact"))),
    ('```json\n{"signals": ["correction"]}\n```', ("correction", ("correction",))),
    ('{"signals": ["sarcasm"]}', None), ('{"signals": []}', None), ("It is a fact.", None), ("[1, 2]", None),
])
def test_only_the_strict_json_is_taken(text, expected):
    seen = parse_perception(text)
    assert (None if seen is None else (seen.category, seen.signals)) == expected


def test_a_capable_judge_perceives_what_the_rules_cannot(home, tiny_model_dir, endpoint):
    # "Hmm, Bruges actually." has no correction wording the rules know; the judge hears one.
    endpoint.reply = _router('{"signals": ["correction", "fact"]}')
    agent = _agent(tiny_model_dir, endpoint.url)
    result = agent.say("Hmm, Bruges rather.", system1=False)
    assert result.category == "correction" and result.chemistry["cortisol"] > 0
    assert any(b["messages"][0]["content"].startswith("Classify") for b in endpoint.seen)
    agent.close()


def test_a_judge_that_does_not_answer_as_asked_leaves_it_to_the_rules(home, tiny_model_dir, endpoint):
    endpoint.reply = _router("I think this is a correction!")
    agent = _agent(tiny_model_dir, endpoint.url)
    result = agent.say("My sister Ilse lives in Ghent.", system1=False)
    assert result.category == "fact" and result.chemistry["cortisol"] == 0
    agent.close()


def test_the_night_curates_with_the_capable_judge(home, tiny_model_dir, endpoint):
    endpoint.reply = _router('{"signals": ["fact"]}')
    agent = _agent(tiny_model_dir, endpoint.url)
    agent.say("My sister lives over in Flanders, in the city with the Gravensteen.", system1=False)
    out = summary(Night(agent).run(priority=False))
    assert out["examples"]["fact"] == 2   # exactly the judge's pairs, and the generic frames over them
    assert out["examples"]["total"] == 2 + out["examples"]["profile"] + out["examples"].get("unsaid", 0)
    assert out["examples"]["profile"] > 0
    assert any(b["messages"][0]["content"].startswith("You curate") for b in endpoint.seen)
    agent.close()
