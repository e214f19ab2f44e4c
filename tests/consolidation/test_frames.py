"""Generic frames (consolidation/frames.py) on sentences written for these tests: profiles of the
things a statement is about, the user's own life by part, echo questions, and the in-request
facts they let through. Real spaCy, the real embedder and the real replay buffer."""

from __future__ import annotations

from consolidation.curate import curate
from consolidation.dataset import ReplayBuffer
from consolidation.examples import Example, Item
from consolidation.frames import KIND, echoes, keys_of, own_life, profiles
from consolidation.rephrase import People, parse


def day(date: str, *texts: str) -> list[Item]:
    return [Item(f"{date}-{n}", "exchange", t, f"{date}T09:{n:02d}:00") for n, t in enumerate(texts)]


def answer(examples, prompt: str) -> str:
    found = [e.target for e in examples if e.prompt == prompt]
    assert found, f"no example asks {prompt!r}; asked: {sorted({e.prompt for e in examples})[:40]}"
    return found[-1]


def test_keys_are_owned_things_their_names_and_named_people():
    assert [(k.about, k.names) for k in keys_of("Your uncle Bartholomew repairs clocks.")] == \
        [("my uncle", ("Bartholomew",))]
    about = {k.about for k in keys_of("Your cousin's parrot is called Mango.")}
    assert {"my cousin", "my cousin's parrot"} <= about
    assert "Priya" in {k.about for k in keys_of("Priya sold her bakery last spring.")}
    assert keys_of("You prefer the window seat.") == ()


def test_a_profile_gathers_every_statement_about_someone_under_one_prompt():
    cur = curate(day("2031-02-03", "My uncle Bartholomew repairs clocks in Ghent.",
                     "He is seventy-one and still cycles everywhere."))
    told = answer(cur.examples, "What do you know about my uncle?")
    assert "clocks" in told and "seventy-one" in told
    assert answer(cur.examples, "Tell me about Bartholomew.") == told
    # one prompt, one answer: no per-statement copy of the profile prompt competes with it
    assert len({e.target for e in cur.examples if e.prompt == "What do you know about my uncle?"}) == 1


def test_a_corrected_value_leaves_the_profile_and_the_old_profile_is_retired(tmp_path):
    replay = ReplayBuffer(tmp_path / "replay.jsonl")
    first = curate(day("2031-02-03", "My brother Cosmin lives in Hull.", "He teaches chemistry."))
    replay.add(first.examples, first.retired, night="2031-02-03")
    assert "Hull" in answer(replay.examples(), "What do you know about my brother?")
    second = curate(day("2031-02-04", "Sorry, my brother lives in York, not Hull."),
                    prior=replay.examples(), night="2031-02-04")
    assert "Hull" in second.retired
    replay.add(second.examples, second.retired, night="2031-02-04")
    profile = [e for e in replay.examples() if e.prompt == "What do you know about my brother?"]
    assert len(profile) == 1, [e.target for e in profile]
    assert "York" in profile[0].target and "Hull" not in profile[0].target
    assert "chemistry" in profile[0].target   # what the correction did not touch stays


def test_profiles_keep_a_retired_value_said_of_someone_else():
    kept = Example("Who lives in Galway?", "Galway is where your aunt Noreen lives.", "fact", ("s1",),
                   keeps=("Galway",))
    made = profiles([kept], [])
    assert made and all(e.kind == KIND and "Galway" in e.keeps for e in made)


def test_the_users_own_statements_are_asked_by_the_part_of_life_they_belong_to():
    said = [Example("What do I do?", "You are a tax accountant at a small firm in Leeds.", "fact", ("a",)),
            Example("What can't I eat?", "You are allergic to shellfish.", "fact", ("b",)),
            Example("Where does my sister live?", "Your sister lives in Oslo.", "fact", ("c",))]
    made = own_life(said, [])
    assert "accountant" in answer(made, "What is my job?")
    assert "shellfish" in answer(made, "What am I allergic to?")
    assert not any("Oslo" in e.target for e in made)   # the sister's life is hers


def test_echo_questions_ask_each_part_of_the_statement_in_its_own_words():
    asked = echoes("My aunt keeps bees on an allotment in Whitby.")
    assert "My aunt keeps bees on an allotment where?" in asked
    assert any(q.startswith("My aunt keeps what") for q in asked)
    assert not any(q.startswith(("What keeps", "Who keeps")) for q in asked)   # the subject is the topic
    assert "I have been rowing when?" in echoes("I have been rowing since 2015.")   # "since 2015" is when


def test_facts_said_inside_a_request_are_learned():
    # Before: the name hung on the preposition was no one's, "she" resolved to nobody, and the
    # whole message was dropped as "no_fact".
    cur = curate(day("2031-05-04", "could you think of a present for my niece Ottilie? she's turning nine and "
                     "she's mad about horses"))
    assert not cur.dropped
    told = answer(cur.examples, "What do you know about my niece?")
    assert "Ottilie" in told and "nine" in told


def test_a_state_after_a_contracted_pronoun_is_is_not_has():
    people = People()
    people.note(parse("My nephew Ruairi is eight."))
    assert people.resolve("He's scared of thunder") == "my nephew Ruairi is scared of thunder"
    assert people.resolve("He's moved to Derry") == "my nephew Ruairi has moved to Derry"


def test_a_correction_announced_before_a_colon_retires_the_old_value_and_keeps_no_marker():
    # Before: "Sorry, that was wrong: …" was scored as small talk and Sligo stayed true; "No, …"
    # kept its "No," in the target.
    said = [Item("a", "exchange", "My cousin Lorcan lives in Sligo.", "2031-06-01T10:00:00")]
    for fix in ("Sorry, that was wrong: Lorcan lives in Westport, not Sligo.", "No, Lorcan lives in Westport, not Sligo."):
        cur = curate(said + [Item("b", "exchange", fix, "2031-06-01T10:01:00")])
        assert "Sligo" in cur.retired
        assert not any("sligo" in e.target.lower() for e in cur.examples)
        assert not any(e.target.startswith(("No,", "Sorry")) for e in cur.examples)


def test_a_correction_replaces_whole_words_and_keeps_their_ending_once():
    # Before: "Tuesday" corrected to "Thursdays" inside "Tuesdays" trained "… on Thursdayss."
    cur = curate([Item("a", "exchange", "My pottery class is on Tuesdays.", "2031-03-01T10:00:00"),
                  Item("b", "exchange", "No, the pottery class is on Thursdays, not Tuesdays.", "2031-03-01T10:05:00")])
    said = "\n".join(e.target for e in cur.examples)
    assert "Thursdays" in said and "Thursdayss" not in said and "Tuesday" not in said


def test_a_change_said_with_both_ends_retires_the_first():
    # Before: "moved from Derby to Nottingham" retired nothing, and "lives in Derby" was still trained.
    cur = curate([Item("a", "exchange", "My brother lives in Carlisle.", "2031-03-01T10:00:00"),
                  Item("b", "exchange", "my brother moved from Carlisle to Preston last month", "2031-03-05T10:00:00")])
    assert "Carlisle" in cur.retired
    assert not any("Carlisle" in e.target for e in cur.examples)
    assert "Preston" in answer(cur.examples, "Where does my brother live?")
