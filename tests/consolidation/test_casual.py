"""Chat-style writing read as plain English (real spaCy, real WordNet)."""

from __future__ import annotations

import pytest

from consolidation.casual import normalize


@pytest.mark.parametrize("typed,plain", [
    ("my sis lives in darwin", "My sister lives in Darwin"),
    ("im 26, been with my bf kofi 2 yrs", "I'm 26, been with my boyfriend Kofi 2 years"),
    ("fav drink rn is iced coffee w oat milk lol", "My favourite drink right now is iced coffee with oat milk"),
    ("we have a ferret called waffles", "We have a ferret called Waffles"),
    ("just moved to bergen!!!", "I just moved to Bergen!"),
    ("ok gotta run to the shops b4 they close", "Ok I have to run to the shops before they close"),
    ("cant do dairy at all", "I can't do dairy at all"),
    ("gonna celebrate w pizza tonight", "I'm going to celebrate with pizza tonight"),
    ("no wait its august not sept", "No wait it's august not sept"),
    ("me im a nurse at the hospital", "I'm a nurse at the hospital"),
    ("26, been in geelong 2 yrs", "I'm 26. I've been in Geelong 2 years"),
    ("my bff is soph, we met in yr 7", "My best friend is Soph, we met in year 7"),
    ("my sister is tall and my cat is mochi", "My sister is tall and my cat is Mochi"),
])
def test_texting_is_spelled_out_and_names_capitalised(typed, plain):
    assert normalize(typed) == plain


@pytest.mark.parametrize("written", [
    "My husband is called Halvard.",
    "I'm a marine engineer — I work on the car ferries for a company called Nordvik Ferjer.",
    "Tell me how to store honey.",
    "Started in 2019, the club now has forty members.",
    "My ID card expired, so I'd better renew it.",
])
def test_written_english_passes_unchanged(written):
    assert normalize(written) == written


def test_an_aside_between_commas_is_taken_out():
    assert normalize("My favourite dish, should you ever need to know it, is rabbit stew.") == \
        "My favourite dish is rabbit stew."
    assert normalize("I have, incidentally, given up coffee.") == "I have given up coffee."


def test_a_question_or_an_instruction_gets_no_subject():
    assert normalize("whats a good stretch for sore wrists") == "What's a good stretch for sore wrists"
    assert normalize("Explain how a heat pump works.") == "Explain how a heat pump works."


@pytest.mark.parametrize("noted,plain", [
    ("Pet update: we adopted a greyhound, her name is Pepper.", "We adopted a greyhound. Her name is Pepper."),
    ("Work: started at Equinor last Monday as a data analyst.", "I started at Equinor last Monday as a data analyst."),
    ("Favourite foods: sushi and kottu.", "My favourite foods are sushi and kottu."),
    ("My favourite colour: mustard.", "My favourite colour is mustard."),
    ("Things I can't stand: olives, loud music, and people who are late.",
     "I can't stand olives, loud music, and people who are late."),
])
def test_a_line_written_as_a_note_is_read_as_a_statement(noted, plain):
    assert normalize(noted) == plain


@pytest.mark.parametrize("written", [
    "I have one rule: never on Sundays.",            # the label has a verb: a sentence, not a label
    "The answer is simple: I love her.",
    "Ines: I adopted a greyhound called Pilot.",     # a speaker's name: the words are hers, not the user's
    "Kid update: started school today!",             # news of someone else gets no "I"
    "As a gift for my sister, what should I buy?",   # no "I am a gift"
])
def test_a_colon_inside_a_sentence_is_no_label(written):
    assert normalize(written) == written


def test_a_name_said_after_a_role_goes_with_it():
    assert normalize("My wife, her name's Delphine, is a vet.") == "My wife Delphine, is a vet."
    assert normalize("We adopted a greyhound, her name is Pepper.") == "We adopted a greyhound. Her name is Pepper."
    assert normalize("In my opinion, his name is Silly.") == "In my opinion, his name is Silly."   # no one before
    assert normalize("Honestly, her name is Pepper.") == "Honestly, her name is Pepper."


@pytest.mark.parametrize("asked,plain", [
    ("Since I'm vegetarian, what should I cook tonight?", "I'm vegetarian. What should I cook tonight?"),
    ("As a nurse on night shifts, how can I sleep better?", "I am a nurse on night shifts. How can I sleep better?"),
    ("We fly to Lisbon on Friday - any tips for the airport?", "We fly to Lisbon on Friday. Any tips for the airport?"),
    ("As a matter of fact, what is the time?", "As a matter of fact, what is the time?"),
    ("As I said, what should I do?", "As I said, what should I do?"),
])
def test_what_a_question_says_of_the_user_is_said_first(asked, plain):
    assert normalize(asked) == plain
