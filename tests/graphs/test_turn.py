"""The turn graph on a tiny real model, a real Chroma index and a real SQLite checkpointer."""

from __future__ import annotations

import pytest

from cognition.config import load_settings
from graphs.agent import Agent, EmptyMessage
from graphs.turn import builder, route_after_perceive


@pytest.fixture()
def agent(home, tiny_model_dir):
    settings = load_settings(model={"id": str(tiny_model_dir), "dtype": "float32", "context_tokens": 512},
                             system2={"answer_tokens": 12, "temperature": 0.0},
                             system1={"associate_tokens": 8})
    a = Agent(settings)
    yield a
    a.close()


def test_a_turn_answers_remembers_and_times_every_node(agent):
    result = agent.say("My sister Ilse lives in Ghent.")
    assert result.answer
    assert result.category == "fact"
    assert set(result.timings) >= {"perceive", "recall", "intuit", "deliberate", "remember", "total"}
    entry = agent.diary.get(result.entry)
    assert entry.text == "My sister Ilse lives in Ghent." and entry.reply == result.answer
    assert entry.meta["system1"] == result.system1 and entry.meta["verdict"] == result.verdict
    assert agent.index.search("Ilse", k=1)[0].id == result.entry


def test_recall_brings_back_an_earlier_turn(agent):
    first = agent.say("My sister Ilse lives in Ghent.")
    agent.say("I play the fiddle in a folk group.")
    second = agent.say("Where does my sister Ilse live?")
    assert second.memories[0] == first.entry


def test_system1_off_skips_intuit_entirely(agent):
    result = agent.say("I drive a rusty old Saab.", system1=False)
    assert result.system1 is None and result.verdict is None
    assert "intuit" not in result.timings
    assert route_after_perceive({"system1_enabled": False}) == ["recall"]
    assert route_after_perceive({"system1_enabled": True}) == ["recall", "intuit"]


def test_recall_and_intuit_run_in_the_same_superstep(agent):
    graph = builder.compile()
    steps = {}
    for event in graph.stream({"message": "My cat is called Tuppen.", "system1_enabled": True},
                              context=agent.context(True), stream_mode="debug"):
        if event["type"] == "task":
            steps[event["payload"]["name"]] = event["step"]
    assert steps["recall"] == steps["intuit"]
    assert steps["deliberate"] == steps["recall"] + 1


def test_the_conversation_continues_across_processes(agent, home, tiny_model_dir):
    agent.say("My dog is called Biscuit.")
    agent.say("He is three years old.")
    agent.close()
    again = Agent(agent.settings)
    state = again.turn_graph.get_state({"configurable": {"thread_id": "default:main"}})
    assert [pair[0] for pair in state.values["history"]] == ["My dog is called Biscuit.", "He is three years old."]
    again.close()


class BrokenReasoner:
    """A System 2 whose endpoint dies mid-turn (implements the Reasoner interface)."""

    name = "broken"

    def deliberate(self, message, memories, provocation, history=(), on_text=None, seed=None, **limits):
        raise ConnectionError("System 2's endpoint went away")

    def complete(self, messages, *, max_tokens, temperature=0.0):
        raise ConnectionError("System 2's endpoint went away")


def test_what_the_user_said_survives_a_failing_system2(agent):
    agent.__dict__["reasoner"] = BrokenReasoner()
    with pytest.raises(ConnectionError):
        agent.say("My password manager is called Vault.", system1=False)
    entries = list(agent.diary.entries())
    assert [e.text for e in entries] == ["My password manager is called Vault."]
    assert entries[0].reply is None


def test_empty_messages_are_refused_before_anything_is_written(agent):
    for text in ("", "   \n\t"):
        with pytest.raises(EmptyMessage):
            agent.say(text)
    assert list(agent.diary.entries()) == []


def test_a_huge_message_is_stored_whole_and_cut_for_the_model(agent):
    huge = ("The ferry timetable changes every spring. " * 25000)[:1_000_000]
    result = agent.say(huge, system1=False)
    assert agent.diary.get(result.entry).text == huge
    assert any("cut" in note for note in result.notes)
