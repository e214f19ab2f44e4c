"""System 2: verdicts stated and measured, and the OpenAI-compatible backend over a real socket."""

from __future__ import annotations

import socket

import pytest

from cognition.config import System2Settings
from system2.openai_backend import EndpointError, OpenAIReasoner
from system2.prompts import deliberation_messages
from system2.reasoner import conclude, measure_verdict, split_stated_verdict


def test_a_stated_verdict_is_split_from_the_answer():
    answer, verdict = split_stated_verdict("Your sister lives in Ghent.\nVerdict: Refine")
    assert (answer, verdict) == ("Your sister lives in Ghent.", "refine")
    assert split_stated_verdict("No verdict here.") == ("No verdict here.", None)


def test_measured_verdicts_follow_similarity():
    settings = System2Settings()
    verdict, sim = measure_verdict("Ilse lives in Ghent.", "Ilse lives in Ghent.", settings)
    assert verdict == "accept" and sim > 0.99
    verdict, sim = measure_verdict("The stock market fell sharply today.", "Your sister lives in Ghent.", settings)
    assert verdict == "discard" and sim < settings.refine_at


def test_conclude_prefers_a_stated_verdict_and_reports_the_measured_similarity():
    d = conclude("She lives in Ghent.\nverdict: discard", "Ilse lives in Ghent.", System2Settings(),
                 "all-MiniLM-L6-v2", 0.1)
    assert d.verdict == "discard" and d.verdict_source == "stated" and d.similarity > 0.5
    assert d.answer == "She lives in Ghent."


def test_an_empty_answer_falls_back_to_the_provocation():
    d = conclude("   ", "Ghent, probably.", System2Settings(), "all-MiniLM-L6-v2", 0.1)
    assert d.answer == "Ghent, probably." and d.verdict == "accept" and d.verdict_source == "fallback"


def test_the_prompt_carries_memories_provocation_and_history():
    msgs = deliberation_messages("Where does she live?", ["ilse lives in ghent"], "Ghent?", [("hi", "hello")],
                                 ask_verdict=True)
    assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
    assert "ilse lives in ghent" in msgs[0]["content"] and "Ghent?" in msgs[0]["content"]
    assert "Verdict:" in msgs[0]["content"]


REPLY = "Your sister Ilse lives in Ghent.\nVerdict: accept"


def test_openai_backend_deliberates_with_a_stated_verdict(endpoint):
    endpoint.reply = lambda body: REPLY
    reasoner = OpenAIReasoner(System2Settings(backend="openai", base_url=endpoint.url, model="big"))
    d = reasoner.deliberate("Where does my sister live?", ["Ilse lives in Ghent"], "Ghent?")
    assert d.answer == "Your sister Ilse lives in Ghent." and d.verdict == "accept" and d.verdict_source == "stated"
    assert endpoint.seen[0]["model"] == "big"
    streamed: list[str] = []
    d = reasoner.deliberate("Where does my sister live?", [], "Ghent?", on_text=streamed.append)
    assert "".join(streamed).startswith("Your sister") and d.first_token_s is not None


def test_an_unreachable_endpoint_names_the_url_and_what_to_set():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    reasoner = OpenAIReasoner(System2Settings(backend="openai", base_url=url, model="m", timeout_s=2))
    with pytest.raises(EndpointError) as err:
        reasoner.deliberate("Hello", [], None)
    assert url in str(err.value) and "REVERIE_SYSTEM2__BASE_URL" in str(err.value)
