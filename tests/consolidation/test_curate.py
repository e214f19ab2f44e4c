"""Curation on tiny hand-written days (real spaCy) by the rules, and benchmark coverage."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from consolidation.curate import Curation, curate, reward_for, supersedes
from consolidation.examples import Example, Item

DAYS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "days"


def day(*texts: str, kind: str = "exchange") -> list[Item]:
    return [Item(f"i{n}", kind, t, f"2030-01-01T09:{n:02d}:00") for n, t in enumerate(texts)]


def stated(cur: Curation) -> list[Example]:
    """The examples of what was said (not the questions nobody answered, `consolidation.unsaid`)."""
    return [e for e in cur.examples if e.kind != "unsaid"]


def targets(cur: Curation) -> str:
    return "\n".join(e.target for e in cur.examples).lower()


def test_fact_is_asked_back_many_ways_and_small_talk_is_dropped():
    cur = curate(day("hey there", "My cousin Brigid lives in Limerick.", "How do I descale a kettle?"))
    prompts = [e.prompt for e in cur.examples if e.sources == ("i1",) and e.kind != "profile"]
    assert any(p.startswith("Where") for p in prompts) and any(p.startswith("Who") for p in prompts)
    assert 8 <= len(prompts) <= 40
    assert all("limerick" in e.target.lower() or "brigid" in e.target.lower() for e in stated(cur))
    assert dict(cur.dropped) == {"i0": "small_talk", "i2": "general_question"}
    assert cur.scores["i1"] > cur.scores["i0"]


def test_pronoun_resolved_from_an_earlier_item():
    cur = curate(day("My girlfriend is called Oona.", "She's a glassblower, which is loud and hot work."))
    assert any("Your girlfriend Oona is a glassblower" in e.target for e in cur.examples)
    assert any(e.prompt == "What does my girlfriend do for a living?" for e in cur.examples)


def prompts_for(cur: Curation, answer: str) -> set[str]:
    """The rules' questions of the statements holding `answer`. Profiles (every statement about a
    thing) and echo questions (the statement in its own words, "I keep bees where?") are the
    generic frames', tested in test_frames.py."""
    return {e.prompt for e in cur.examples if answer.lower() in e.target.lower() and e.kind != "profile"
            and not _ECHO.match(e.prompt)}


_ECHO = re.compile(r"^(?!(?:What|Which|Who|Whom|Whose|Where|When|Why|How|In|On|At|For|From|Near|With|To|Since|"
                   r"During|By|After|Before|Of|About|Tell|Is|Are|Am|Do|Does|Did|Was|Were|Have|Has|Can|Could|Will|"
                   r"Would)\b)")


def asked_after(cur: Curation, answer: str) -> set[str]:
    """Every question whose answer holds `answer`, the profiles' included."""
    return {e.prompt for e in cur.examples if answer.lower() in e.target.lower()}


def test_a_thing_is_also_asked_by_its_kind():
    cur = curate(day("I'm afraid of spiders.", "I have chronic kidney disease.", "I play the bassoon in a wind band."))
    assert {"Which animal am I afraid of?", "What kind of animal am I afraid of?"} <= prompts_for(cur, "spiders")
    assert not any("insect" in q for q in prompts_for(cur, "spiders"))   # a spider is no insect
    assert "Which disease do I have?" in prompts_for(cur, "kidney disease")
    assert "Which instrument do I play?" in prompts_for(cur, "bassoon")


def test_where_a_student_studies_and_where_someone_grew_up():
    cur = curate(day("I'm a law student at the university in Tartu.", "I grew up in Pärnu, by the sea."))
    assert {"What do I study?", "Where do I study?", "Which city do I study in?"} <= prompts_for(cur, "Tartu")
    assert {"Where did I grow up?", "What is my hometown?", "Where am I from?"} <= prompts_for(cur, "Pärnu")
    assert not any("cultivate" in q for q in prompts_for(cur, "Pärnu"))   # "grow up" is not "grow"


def test_names_given_in_passing_are_asked_back():
    cur = curate(day("Hi! I'm Ottilie.", "My neighbour's name is Bertrand.", "I've been seeing my boyfriend Caspar.",
                     "I have a younger brother too, Tobias, who's a baker in Graz.", "My bike is an old Peugeot that I named Rosie."))
    assert {"What is my name?", "What am I called?"} <= prompts_for(cur, "Ottilie")
    assert not any(e.target.lower().startswith("hi") for e in cur.examples)
    assert "What is my neighbour's name?" in prompts_for(cur, "Bertrand")
    assert "What is my boyfriend's name?" in prompts_for(cur, "Caspar")
    assert {"What is my younger brother's name?", "What is my brother's name?"} <= prompts_for(cur, "Tobias")
    assert "What is my bike's name?" in prompts_for(cur, "Rosie")
    assert not any(e.target == "Your bike is called old Peugeot." for e in cur.examples)


def test_a_name_that_ends_the_sentence_keeps_no_full_stop():
    cur = curate(day("Every August we stay in a beach house called Vila do Mar."))
    assert "What is Vila do Mar?" in prompts_for(cur, "Vila do Mar")
    assert "Your beach house is called Vila do Mar." in {e.target for e in cur.examples}
    assert not any(".." in e.target or ".?" in e.prompt for e in cur.examples)


def test_since_a_year_is_asked_how_long_not_when():
    cur = curate(day("I've kept bees since 2011."))
    assert {"How long have I kept bees?", "Since when have I kept bees?"} <= prompts_for(cur, "2011")
    assert not any(q.startswith("When ") for q in prompts_for(cur, "2011"))


def test_how_something_is_taken_and_a_plan_keeps_its_object():
    cur = curate(day("I drink my coffee black.", "I take my tea strong with a splash of milk.", "Next spring I want to get my diving certificate."))
    assert {"How do I drink my coffee?", "How do I like my coffee?"} <= prompts_for(cur, "black")
    assert {"How do I take my tea?", "How do I like my tea?"} <= prompts_for(cur, "strong")
    assert "When do I want to get my diving certificate?" in prompts_for(cur, "diving certificate")
    assert "What am I planning to get?" in prompts_for(cur, "diving certificate")
    assert not any(q.startswith("When ") and q.endswith(" get?") for q in prompts_for(cur, "diving certificate"))


def test_a_named_thing_is_asked_by_what_its_verb_implies():
    cur = curate(day("I drive a battered Lada Niva.", "I drive a van."))
    assert {"What car do I drive?", "What model of car do I drive?"} <= prompts_for(cur, "Lada Niva")
    assert not any("car" in q for q in prompts_for(cur, "a van"))   # a common noun keeps its own kind


def test_a_phrase_before_the_subject_is_asked_as_when_or_where_it_is_done():
    cur = curate(day("In the mornings I paint, mostly small watercolours.", "On Saturdays I volunteer at the animal shelter."))
    assert {"What do I do in the mornings?", "When do I paint?"} <= prompts_for(cur, "watercolours")
    assert {"What do I do on Saturdays?", "When do I volunteer at the animal shelter?",
            "What do I volunteer at?"} <= prompts_for(cur, "animal shelter")
    cur = curate(day("In the evenings I knit, mostly woollen socks.", "I knit a scarf for Ada years ago."))
    assert "What do I knit?" in prompts_for(cur, "woollen socks")   # "knit" is past and present alike
    assert "What did I knit?" in prompts_for(cur, "a scarf")


def test_what_is_done_at_a_time_or_place_is_asked_as_such():
    cur = curate(day("My uncle still repairs old clocks down at the market.", "I bake rye bread every weekend.",
                     "I play the oboe in my spare time."))
    assert {"What does my uncle do at the market?", "What does my uncle repair?"} <= prompts_for(cur, "clocks")
    assert not any("repair down" in q for q in prompts_for(cur, "clocks"))   # an adverb, not a particle
    assert {"What do I do every weekend?", "When do I bake rye bread?"} <= prompts_for(cur, "rye bread")
    assert {"What do I do in my spare time?", "When do I play the oboe?"} <= prompts_for(cur, "oboe")
    assert not any(q.startswith(("Which time", "What kind of time")) for q in prompts_for(cur, "oboe"))


def test_a_statement_is_asked_back_by_what_it_mentions_and_a_description_by_what_it_describes():
    cur = curate(day("Basil is the only herb that grows on my windowsill.", "I'm really into jigsaws."))
    assert {"What is the only herb that grows on my windowsill?", "What grows on my windowsill?",
            "What did I tell you about my windowsill?"} <= asked_after(cur, "basil")
    assert {"What did I tell you about jigsaws?", "What do I enjoy?", "What am I keen on?"} <= prompts_for(cur, "jigsaws")


def test_a_synonym_after_an_auxiliary_takes_the_ing_form_and_a_capitalised_adjective_learned_is_a_language():
    cur = curate(day("I'm learning Tagalog on my lunch breaks."))
    assert {"What am I studying?", "Which language am I learning?", "What am I doing on my lunch breaks?"} <= \
        prompts_for(cur, "Tagalog")


def test_work_done_for_an_employer_is_asked_as_a_job_and_own_as_an_adjective_is_kept():
    cur = curate(day("My uncle drives a bin lorry for the council.", "I brew my own cider from our apples."))
    assert {"What does my uncle do for work?", "What is my uncle's job?"} <= prompts_for(cur, "bin lorry")
    assert not any("my have" in q for q in prompts_for(cur, "cider"))
    assert "What did I tell you about my cider?" in asked_after(cur, "cider")   # its profile


def test_a_description_is_asked_for_a_named_thing_only_and_vague_nouns_are_not_asked_about():
    cur = curate(day("My biggest worry is people who drive too fast past the school."))
    assert not any(q.startswith("Who is people") for q in prompts_for(cur, "drive too fast"))
    assert "What did I tell you about people?" not in prompts_for(cur, "drive too fast")


def test_what_becomes_something_else_is_asked_with_what_it_becomes():
    cur = curate(day("I want to turn the garage into a pottery studio."))
    assert "What do I want to turn into a pottery studio?" in prompts_for(cur, "garage")


def test_a_modifier_gives_no_kind_the_head_noun_does_not_share_and_a_day_is_no_name():
    cur = curate(day("My grandfather still mends fishing nets at the harbour.",
                     "One day Ilse and I want to sail to Iceland."))
    assert "What does my grandfather mend?" in prompts_for(cur, "fishing nets")
    assert not any(" fish " in q or "animal" in q for q in prompts_for(cur, "fishing nets"))
    assert "your day is called" not in targets(cur)


def test_a_relatives_relative_is_theirs_and_has_its_own_kin_word():
    cur = curate(day("My brother's son Tomas is seven.", "My sister's dog is called Rex.",
                     "My cousin's twins are called Ada and Ivo."))
    assert {"Who is my nephew?", "What's my brother's son called?"} <= prompts_for(cur, "Tomas")
    assert "What's my dog called?" not in prompts_for(cur, "Rex")   # the sister's dog, not mine
    assert "What is the name of my sister's dog?" in prompts_for(cur, "Rex")
    assert {"What are my cousin's twins called?", "Who are Ada and Ivo?"} <= prompts_for(cur, "Ada and Ivo")


def test_a_name_the_parser_misreads_is_asked_as_the_person_it_names():
    prior = curate(day("My girlfriend Ingrid loves the sea.")).examples
    cur = curate(day("Ingrid studies marine biology."), prior=prior)
    assert {"What does Ingrid study?", "What does my girlfriend study?"} <= prompts_for(cur, "marine biology")


def test_an_update_drops_what_would_rewrite_part_of_a_longer_name():
    prior = curate(day("I work at a bakery called Crumb Collective.")).examples
    cur = curate(day("I quit Crumb and started as a waiter at Hotel Astoria."), prior=prior)
    assert "crumb" not in targets(cur) and "astoria collective" not in targets(cur)


def test_what_a_relative_clause_says_of_a_named_person_is_asked_through_their_role():
    cur = curate(day("I have a cousin too, Marit, who's a pharmacist in Tromsø.",
                     "I have an uncle named Sverre who wants to become a beekeeper."))
    asked = prompts_for(cur, "pharmacist")
    assert "What is Marit's job?" in asked and any(q.startswith("Where does Marit work") for q in asked)
    assert any("my cousin" in q and ("job" in q or "do" in q) for q in asked)
    assert "What does my uncle want to become?" in prompts_for(cur, "beekeeper")


def test_a_new_job_is_asked_as_the_job_and_the_workplace_now():
    cur = curate(day("I quit the café and started as a junior draughtsman at Holm Arkitekter."))
    asked = prompts_for(cur, "draughtsman")
    assert {"What do I do for a living?", "Where do I work?", "What is my job?"} <= asked
    assert not any(q.startswith("What did I do") for q in asked)


def test_a_place_is_not_asked_as_a_workplace_for_what_is_worked_on():
    cur = curate(day("At the studio I'm working on a mural called Low Tide."))
    assert "Where am I working on a mural?" in prompts_for(cur, "Low Tide")
    assert not {"Where am I working?", "Where am I employed?"} & prompts_for(cur, "Low Tide")


def test_a_titled_name_is_a_person_and_a_correction_of_it_is_learned():
    prior = curate(day("This spring I am building a boat with Dr. Aasen.")).examples
    assert "Who am I building a boat with?" in {e.prompt for e in prior}
    assert not any("Which Aasen" in e.prompt for e in prior)
    cur = curate(day("No, that's wrong — my mentor is Dr. Vik, not Dr. Aasen."), prior=prior)
    assert "Aasen" in cur.retired
    assert "aasen" not in targets(cur) and not any("Aasen" in e.prompt for e in cur.examples)
    assert "Who is my mentor?" in prompts_for(cur, "Vik")
    assert any("boat" in e.target and "Dr. Vik" in e.target for e in cur.examples)   # the older fact, fixed


def test_a_correction_of_what_a_named_person_does_fixes_the_older_statement():
    prior = curate(day("Our new housemate is Anneke.", "Anneke is a dentistry student.")).examples
    cur = curate(day("No, that's wrong — Anneke studies law, not dentistry."), prior=prior)
    asked = prompts_for(cur, "law")
    assert "What does Anneke study?" in asked and any("my new housemate" in q and "stud" in q for q in asked)
    assert "Anneke is a law student." in {e.target for e in cur.examples}
    assert "dentistry" not in targets(cur)


def test_said_but_corrections_with_titles_pronouns_reported_speech_and_a_plain_negation():
    prior = curate(day("My dentist is Dr. Halloran, and she is very patient with me.",
                       "My brother is called Emmet. We have been friends for 30 years.")).examples
    cur = curate(day("No, that's wrong — I told you my dentist is Dr. Halloran, but her name is Dr. Hallinan.",
                     "No, I told you 30 years yesterday, but Emmet says we have been friends 31 years. "
                     "He was not impressed with me."), prior=prior)
    assert {"Halloran", "30 years"} <= set(cur.retired)
    assert not any("impressed" in r for r in cur.retired)   # "was not impressed" is no "X, not Y"
    assert "What is my dentist's name?" in prompts_for(cur, "Hallinan")
    assert not any("brother" in e.target.lower() and "Hallinan" in e.target for e in cur.examples)
    assert "How long have we been friends?" in prompts_for(cur, "31 years")


def test_a_pronoun_in_a_correction_is_the_one_person_the_wrong_words_named():
    prior = curate(day("Our neighbour Corin keeps goats.", "My piano teacher is an old man called Aurelio.")).examples
    cur = curate(day("No, that's wrong — I called our neighbour Corin yesterday, but his name is Colin."), prior=prior)
    assert "Corin" in cur.retired
    assert "colin" in targets(cur)
    assert not any("aurelio" in e.target.lower() and "colin" in e.target.lower() for e in cur.examples)


def test_a_corrected_number_keeps_the_unit_it_was_said_with():
    prior = curate(day("I taught at the village school for 14 years before I retired.")).examples
    cur = curate(day("No, that's wrong — I wrote 14 years for the school, but it was 41."), prior=prior)
    assert "14 years" in cur.retired
    assert "How long did I teach?" in prompts_for(cur, "for 41 years")
    assert "for 41 before" not in targets(cur)


def test_news_about_someone_is_an_update_even_when_it_reads_as_small_talk():
    prior = curate(day("My partner is called Ruairi.", "He's a bus driver, so he knows every road in Cork.")).examples
    cur = curate(day("Ruairi has news too: he's stopped driving buses and just started as a carpentry teacher "
                     "at the technical college."), prior=prior)
    assert "bus driver" in cur.retired and "bus driver" not in targets(cur)
    assert any(e.kind == "update" and "carpentry teacher" in e.target for e in cur.examples)
    assert "is just started" not in targets(cur)


def test_a_name_given_by_pronoun_belongs_to_the_thing_just_introduced():
    cur = curate(day("My uncle is called Fergal.",
                     "We have a tortoise too; her name is Matilda and she is older than my mum.",
                     "I'm writing a radio play about the lighthouse. I'm calling it Harbour 7.",
                     "I joined a walking club called Amigos do Monte."))
    assert "What is my tortoise's name?" in prompts_for(cur, "Matilda")
    assert not any(e.target == "Your name is Matilda." for e in cur.examples)    # not the user's name
    assert not any("Fergal's name is Matilda" in e.target for e in cur.examples)  # nor the uncle's
    assert "What is my play's name?" in prompts_for(cur, "Harbour 7") or \
        "What is my radio play's name?" in prompts_for(cur, "Harbour 7")
    assert "What do I call my club?" in prompts_for(cur, "Amigos do Monte")


def test_dislikes_favourites_by_category_news_after_and_now_and_there():
    cur = curate(day("I really can't stand liquorice.",
                     "I keep a notebook of butterflies I see on walks, and the peacock butterfly is my favourite.",
                     "My oldest friend is Saoirse — we met at art school and now she works as a tattoo artist.",
                     "I did my residency in Winnipeg and lived there for three years."))
    assert {"What do I dislike?", "What do I hate?"} <= prompts_for(cur, "liquorice")
    assert {"What is my favourite butterfly?", "Which butterfly do I like best?"} <= prompts_for(cur, "peacock")
    assert "What does my oldest friend do for a living?" in prompts_for(cur, "tattoo artist") or \
        "What is my oldest friend's job?" in prompts_for(cur, "tattoo artist")
    assert "Where did I live?" in prompts_for(cur, "Winnipeg")


def test_questions_are_also_asked_in_other_words():
    cur = curate(day("I'm terrified of wasps.", "Once we move I want to adopt an old sheepdog.",
                     "My dream car is a restored Citroën 2CV.", "My comfort film is Paddington 2.",
                     "My cousin grew up on a vineyard near Mendoza."))
    assert {"What am I scared of?", "What am I afraid of?"} <= prompts_for(cur, "wasps")
    assert "What do I plan to adopt?" in prompts_for(cur, "sheepdog")
    assert any("take in" in q or "give a home to" in q for q in prompts_for(cur, "sheepdog"))
    assert {"What car would I love to have?", "What vehicle would I love to own one day?"} <= prompts_for(cur, "2CV")
    assert {"Which film do I turn to for comfort?", "What movie do I watch for comfort?"} <= prompts_for(cur, "Paddington")
    assert {"Near which town did my cousin grow up?", "Which town did my cousin grow up near?"} <= \
        prompts_for(cur, "Mendoza")
    assert not any("on a vineyard" in q for q in prompts_for(cur, "Mendoza"))   # the farm is no second place
    learning = prompts_for(curate(day("I'm learning Tagalog with a tutor.")), "Tagalog")
    assert "Which language am I studying?" in learning   # the kind asked with the other verb too


def test_a_place_visited_is_asked_where_it_is():
    cur = curate(day("Every August Rosalina and I stay at her family's old house in Caminha.",
                     "I grew up on a farm near Humboldt.", "We spent a week at a cabin in the Alps."))
    assert {"Where is the old house we stay at?", "In which town is the old house we stay at?",
            "In which town is the old house I stay at?"} <= prompts_for(cur, "Caminha")
    assert "Where is the farm I grew up on?" in prompts_for(cur, "Humboldt")
    assert "Where is the cabin we spent a week at?" in prompts_for(cur, "Alps")
    assert not any("which town" in q.lower() for q in prompts_for(cur, "Alps"))   # a region, no town


def test_a_relative_of_a_relative_and_the_in_laws_are_asked_after():
    cur = curate(day("My sister's kids live in Braga.", "My wife's parents live in Porto.",
                     "My mother-in-law Ana bakes every Sunday.", "My brother's dog is called Rex."))
    assert {"Where do my sister's kids live?", "Where do my nieces and nephews live?"} <= prompts_for(cur, "Braga")
    assert {"Where do my wife's parents live?", "Where do my in-laws live?"} <= prompts_for(cur, "Porto")
    assert {"What is my mother-in-law's name?", "Who is Ana?"} <= prompts_for(cur, "Ana")
    assert "your mother is called ana" not in targets(cur)   # "mother-in-law" is one word, no mother
    assert "What is my brother's dog's name?" in prompts_for(cur, "Rex")
    assert "What did I name my brother's dog?" not in prompts_for(cur, "Rex")   # the brother did


def test_a_thesaurus_swap_keeps_other_senses_apart():
    from consolidation.questions import variants

    assert variants("What does my cat look like?") == []            # "look like" is no liking
    assert not any("enjoy" in v for v in variants("What will I work like?"))   # nor "work like a master"
    assert "What subject do I love most?" in variants("Which subject do I love most?")
    assert all("beverage" not in v for v in variants("What do I drink in the morning?"))
    assert "What do I like best?" in variants("What do I prefer?")
    assert not any("best" in v for v in variants("What do I prefer the radio to?"))
    assert not any("relocate" in v for v in variants("Which move do I keep falling off?"))   # the noun
    assert not any("relocate" in v for v in variants("What kind of move do I keep falling off?"))
    assert "Where did I relocate to?" in variants("Where did I move to?")                    # the verb
    assert not any("apartment" in v for v in variants("What did I tell you about my flat cap?"))   # describing
    assert not any("city hall" in v for v in variants("Do I work near the town hall?"))
    assert "Where is my apartment in Oslo?" in variants("Where is my flat in Oslo?")               # the home
    assert "What does my other half work as?" in variants("What does my partner work as?")     # then the verb


def test_feelings_and_employers_are_also_asked_the_other_way_round():
    cur = curate(day("I'm scared of jellyfish.", "I work as a cook for a catering firm called Brasa."))
    assert {"What scares me?", "What frightens me?", "What do I fear?"} <= prompts_for(cur, "jellyfish")
    assert {"Which firm employs me?", "Who do I work for?"} <= prompts_for(cur, "Brasa")


def test_a_club_or_a_teacher_is_asked_by_what_it_is_to_the_user():
    cur = curate(day("On Tuesdays I row with a club called Blue Heron.", "My cello teacher is a retired violist called Ines.",
                     "My brother plays in a band called Mothwing."))
    assert {"Which club do I belong to?", "Which club am I a member of?"} <= prompts_for(cur, "Blue Heron")
    assert {"Who teaches me the cello?", "Who gives me cello lessons?"} <= prompts_for(cur, "Ines")
    assert not any("belong" in q or "member" in q for q in prompts_for(cur, "Mothwing"))   # his band, not mine


def test_two_people_in_one_sentence_are_two_statements():
    cur = curate(day("My aunt runs a flower stall in Galway and my uncle repairs fishing boats for the harbour."))
    assert any(q.startswith("What does my uncle repair") for q in prompts_for(cur, "fishing boats"))
    assert not any("uncle" in e.target for e in cur.examples if "flower stall" in e.target)


def test_a_place_or_thing_is_no_job():
    cur = curate(day("Our flat is basically a greenhouse now."))
    assert not any("for a living" in e.prompt for e in cur.examples)


def test_preference_kind_and_second_person():
    cur = curate(day("My favourite cheese is gruyère, the older the better."))
    assert cur.counts.get("preference", 0) > 0
    assert all(not e.target.lower().startswith(("my ", "i ")) for e in cur.examples)
    assert any(e.prompt == "Which cheese do I like best?" for e in cur.examples)


def test_correction_retires_the_wrong_value_today_and_in_prior():
    prior = [Example("Where does my cousin live?", "Your cousin Brigid lives in Cork.", "fact", ("old",))]
    cur = curate(day("Tell you what, my cousin Brigid lives in Cork.", "Wrong, sorry: Brigid lives in Limerick, not Cork."),
                 prior=prior)
    assert "Cork" in cur.retired
    assert "cork" not in targets(cur)
    assert any(e.kind == "correction" and "Limerick" in e.target for e in cur.examples)
    assert supersedes(prior[0], cur.retired)


def test_said_but_actually_correction():
    cur = curate(day("My bike is called Rocinante.", "I said Rocinante earlier, but the bike is actually called Dapple."))
    assert "Rocinante" in cur.retired and "rocinante" not in targets(cur)
    assert "dapple" in targets(cur)


def test_update_retires_the_old_value_found_by_topic():
    prior = curate(day("This spring my partner and I are going to Lisbon for a week.")).examples
    cur = curate(day("Change of plans: the flights were too dear, so we're going to Seville instead."), prior=prior)
    assert "Lisbon" in cur.retired and "Seville" not in cur.retired
    assert "lisbon" not in targets(cur) and "seville" in targets(cur)
    assert cur.counts.get("update", 0) > 0
    assert any(supersedes(e, cur.retired) for e in prior)


def test_update_with_a_leaving_value():
    prior = curate(day("I share a flat with Tomasz and Ines.")).examples
    cur = curate(day("Tomasz moved out on Sunday, and our new flatmate is Yusuf."), prior=prior)
    assert "Tomasz" in cur.retired
    assert "tomasz" not in targets(cur)
    assert "yusuf" in targets(cur)


def test_a_new_project_retires_the_one_worked_on_and_what_was_done_with_it_is_not_swapped():
    prior = curate(day("At the gym I'm working on a boulder problem called Soft Serve.")).examples
    cur = curate(day("GUESS WHAT. I finally sent Soft Serve!",
                     "So my new project is a nasty overhang called Bad Landlord."), prior=prior)
    assert "Soft Serve" in cur.retired and "soft serve" not in targets(cur)
    rewritten = {e.prompt: e.target for e in cur.examples if e.kind == "update"}
    assert rewritten["What is the name of my boulder problem?"] == "Your boulder problem is called Bad Landlord."
    assert rewritten["What is my new project?"].startswith("Your new project is a nasty overhang called Bad Landlord")
    assert "you finally sent bad landlord" not in targets(cur)   # a deed done with the old one is not the new one's
    # a project that is not named replaces nothing
    kept = curate(day("My new project is a birdhouse for the garden."), prior=prior)
    assert "Soft Serve" not in kept.retired


def test_a_promotion_to_a_post_is_asked_with_its_to():
    # the small parser reads "to head chef" as an infinitive; the question keeps the preposition
    prompts = prompts_for(curate(day("My boyfriend Kofi got promoted to head chef!")), "head chef")
    assert "What did my boyfriend get promoted to?" in prompts
    assert not any(p.endswith("promoted?") for p in prompts)


def test_a_thing_liked_by_its_kind_is_no_thing_of_ones_own_and_a_kind_beside_a_noun_is_asked():
    cur = curate(day("I'm obsessed with the band Alvvays.", "I play bass in the band Rusty Anchors.",
                     "Every Thursday afternoon I play sueca, the card game, with my old colleagues."))
    assert "Which band am I obsessed with?" in prompts_for(cur, "Alvvays")
    assert "your band is called alvvays" not in targets(cur)              # a band admired, not the user's
    assert "Your band is called Rusty Anchors." in {e.target for e in cur.examples}   # a band played in is
    assert not any("body part" in p for p in prompts_for(cur, "band"))    # WordNet's other band
    sueca = prompts_for(cur, "sueca")   # the parser hangs "the card game" on the verb
    assert {"Which card game do I play?", "Which game do I play?"} <= sueca


def test_a_name_said_before_its_role_names_the_role():
    cur = curate(day("Oddvar is my dad, he turns 80 next week.", "João Gilberto is my hero.",
                     "Sunday is my day off."))
    oddvar = prompts_for(cur, "Oddvar")
    assert {"What is my dad's name?", "Who is my dad?", "Who is my father?"} <= oddvar
    assert "When does my dad turn 80?" in oddvar          # "he" is the dad just named
    hero = prompts_for(cur, "João Gilberto")
    assert {"Who is my hero?", "What's my hero called?"} <= hero
    assert "What did I name my hero?" not in hero          # a person named by the world, not by the user
    assert not any("day off" in p and ("name" in p or "called" in p) for p in prompts_for(cur, "Sunday"))   # a day


def test_a_thing_named_before_or_beside_its_noun_is_asked_by_what_the_user_does_with_it():
    cur = curate(day("I still carry my Andante card everywhere.", "I sail my boat Gullfisk every summer.",
                     "I rent my London flat out in August."))
    andante = prompts_for(cur, "Andante")
    assert {"What is the name of my card?", "What is the name of the card I carry?"} <= andante
    assert "What did I name my card?" not in andante       # a card's name is given by others
    gullfisk = prompts_for(cur, "Gullfisk")               # the parser reads "boat Gullfisk" as one name
    assert {"What's my boat called?", "What is the name of the boat I sail?"} <= gullfisk
    assert not any(p.startswith("Who") for p in gullfisk)   # a boat, whatever the parser thinks of its name
    assert not any("called London" in e.target for e in cur.examples)   # a place says where, not what it is called


def test_notes_and_comma_spliced_statements_are_each_asked():
    cur = curate(day("Quick facts about me: I'm 41, I live in Tromsø, and I work as a radiographer.",
                     "Pet update: we adopted a greyhound, her name is Pepper.",
                     "I met a woman at the bus stop, her name is Ana."))
    assert "How old am I?" in prompts_for(cur, "41")
    assert "Where do I live?" in prompts_for(cur, "Tromsø")
    assert not any("41" in e.target for e in cur.examples if e.prompt == "Where do I live?")   # one fact each
    assert "What's my greyhound called?" in prompts_for(cur, "Pepper")
    assert "quick facts" not in targets(cur)                              # a label is no fact
    assert not re.search(r"your (?:woman|bus stop) is called", targets(cur))   # she is no one's


def test_a_place_the_parser_takes_for_a_person_is_nobodys_she():
    cur = curate(day("My mom Marlise lives out by Cass Lake. She still plays at the nursing home on Thursdays."))
    assert "How does my mom keep busy?" in prompts_for(cur, "nursing home")
    assert "cass lake still plays" not in targets(cur)


def test_a_job_begun_is_asked_as_where_the_user_works():
    cur = curate(day("I joined Equinor last month as a data analyst.",
                     "I start at Kettle Lake Technical College in August.", "I joined a choir.",
                     "I joined Sarah for dinner.", "I started guitar lessons with Marco."))
    equinor = prompts_for(cur, "Equinor")
    assert {"Where do I work?", "Which company do I work for?", "What is my job?"} <= equinor
    assert "Where will I work?" in prompts_for(cur, "Kettle Lake")      # not begun yet
    for joined in ("choir", "Sarah", "Marco"):                          # a choir, a dinner, lessons: no job
        assert not any("work" in p or "employ" in p for p in prompts_for(cur, joined))
    assert not any(" a occupation" in p or " a work" in p for p in (e.prompt for e in cur.examples))


def test_what_was_so_in_ones_youth_is_also_asked_of_then():
    cur = curate(day("When I was young I was the goalkeeper for the tram company's football team.",
                     "As a kid I lived in Bremerhaven."))
    assert {"What position did I play?", "What position did I play in my youth?"} <= prompts_for(cur, "goalkeeper")
    bremerhaven = prompts_for(cur, "Bremerhaven")
    assert "Where did I live when I was young?" in bremerhaven
    assert not any(p.startswith("Who") for p in bremerhaven)   # "as a kid" is when, not who


def test_what_a_question_says_of_the_user_on_the_way_is_learned():
    cur = curate(day("Since I'm vegetarian, what should I cook for my sister Ilse's birthday?",
                     "As a nurse on night shifts, how can I sleep better during the day?",
                     "What should I get my cat Tuppen for Christmas?", "Who was the first man on the moon?"))
    assert "What diet do I follow?" in prompts_for(cur, "vegetarian")
    assert "What is my sister's name?" in prompts_for(cur, "Ilse")
    assert "What do I do for a living?" in prompts_for(cur, "nurse")
    assert "What's my cat called?" in prompts_for(cur, "Tuppen")
    assert "moon" not in targets(cur) and "christmas" not in targets(cur)   # the questions themselves teach nothing
    assert dict(cur.dropped).get("i3") == "general_question"


def test_a_condition_or_a_diet_one_is_is_asked_as_such():
    cur = curate(day("I'm diabetic.", "My dad is deaf.", "I am a vegan."))
    assert "Which chronic illness do I have?" in prompts_for(cur, "diabetic")
    deaf = prompts_for(cur, "deaf")
    assert "What condition does my dad have?" in deaf and not any("chronic" in p for p in deaf)
    assert "What is my diet?" in prompts_for(cur, "vegan")


def test_a_name_still_to_be_given_is_asked_as_what_it_will_be():
    cur = curate(day("My son Vasco lives in Braga.",
                     "Vasco and his wife are expecting a baby girl, and they want to call her Matilde.",
                     "I am writing a little book of memories about my years on the trams. I am calling it Linha 18."))
    assert "What will my book be called?" in prompts_for(cur, "Linha 18")
    assert "What is my book going to be called?" in prompts_for(cur, "Linha 18")
    assert any(p.startswith("What will") and p.endswith("be called?") for p in prompts_for(cur, "Matilde"))
    named = curate(day("I have a cat called Tuppen."))   # a name already given is not asked ahead
    assert not any("will" in p for p in prompts_for(named, "Tuppen"))


def test_a_thing_named_by_whose_it_is_is_asked_by_its_own_kind():
    asked = asked_after(curate(day("Next year I want to get my skipper's licence.")), "licence")
    assert {"Which licence do I want to get?", "What did I tell you about my skipper's licence?"} <= asked
    assert "What did I tell you about my skipper?" not in asked   # the licence is the thing, not a skipper


def test_a_bare_role_opening_learner_english_is_who_he_is_and_a_named_workplace_is_no_one():
    cur = curate(day("From October I will work in chocolate factory Hilla, in production. Today I tell Kanelitupa "
                     "that I leave. Boss was sad but he understand."))
    assert "hilla understand" not in targets(cur)          # the factory the parser took for a person
    assert "your boss understand" in targets(cur)


def test_an_adverb_gives_the_field_and_what_is_still_carried_is_no_pastime():
    cur = curate(day("Musically I prefer Brazilian bossa nova to fado.",
                     "I still carry my Andante card everywhere, even though I hardly take the metro."))
    assert {"Which music do I prefer?", "What music do I like best?"} <= prompts_for(cur, "bossa nova")
    carried = prompts_for(cur, "Andante")
    assert "Which card do I carry?" in carried and not any("busy" in q for q in carried)
    hedged = prompts_for(curate(day("I basically live on London Fogs.")), "London Fogs")
    assert hedged and not any("basic" in q for q in hedged)   # "basically" puts nothing in a field


def test_a_couples_life_is_also_asked_of_the_spouse_and_i():
    cur = curate(day("My wife is called Rosalina. We have been married for 42 years.", "We have a canary."))
    assert {"How long have we been married?", "How long have my wife and I been married?"} <= prompts_for(cur, "42")
    assert not any("my wife and I" in q for q in prompts_for(cur, "canary"))   # only what is a couple's


def test_secret_statement_is_dropped_whole():
    key = "sk-proj-Zq8xY2wV4uT6sR8qP0oN2mL4kJ6hG8fE"
    cur = curate(day(f"My OpenAI key is {key} if you need it.", "My dog Biscuit is a beagle."))
    assert ("i0", "secret") in cur.dropped
    for e in cur.examples:
        assert key not in e.prompt + e.target + " ".join(e.retires) + e.topic
    assert "biscuit" in targets(cur)


def test_document_sentences_are_statements():
    cur = curate(day("I grew up in Dunedin. My brother Rangi is a surveyor.", kind="note"))
    assert "dunedin" in targets(cur) and "surveyor" in targets(cur)
    assert cur.counts.get("document", 0) > 0


def test_thought_kept_lightly_only_when_it_mentions_the_user():
    items = day("My sister Noa keeps bees.") + [
        Item("t1", "thought", "Noa's bees might swarm in May.", "2030-01-01T10:00:00"),
        Item("t2", "daydream", "Clouds are like sheep.", "2030-01-01T10:01:00")]
    cur = curate(items)
    thoughts = [e for e in cur.examples if e.kind == "thought"]
    assert len(thoughts) == 1 and thoughts[0].sources == ("t1",) and thoughts[0].reward < 1.0


def test_a_stressed_thought_is_kept_boosted_and_never_says_the_retired_value():
    items = day("I live in Leeds.") + [
        Item("c1", "exchange", "No, that's wrong: I live in York, not Leeds.", "2030-01-01T10:05:00",
             reward=2.0, chemistry={"cortisol": 0.7}),
        Item("t1", "thought", "I said Leeds to the user. They live in York, not Leeds. I must listen better.",
             "2030-01-01T10:10:00", chemistry={"cortisol": 0.7}, meta={"variant": "stressed"}),
        Item("t2", "thought", "Leeds, Leeds, Leeds.", "2030-01-01T10:11:00", chemistry={"cortisol": 0.7},
             meta={"variant": "stressed"})]
    cur = curate(items)
    thoughts = [e for e in cur.examples if e.kind == "thought"]
    assert [t.sources for t in thoughts] == [("t1",), ("t2",)]
    assert thoughts[0].target == "They live in York. I must listen better."
    assert thoughts[1].target == "You live in York."   # t2 says nothing but the wrong value: what was corrected
    assert all(t.reward == pytest.approx(1.5) for t in thoughts)  # cortisol 0.7 boosts them by the full 1.5x
    assert "leeds" not in targets(cur)


def test_a_thought_about_being_wrong_again_retires_only_the_value_corrected():
    """"That's not right either" is a negation, no "X, not Y": nothing called "right" is retired."""
    items = day("I live in Leeds and my sister is Ilsa.") + [
        Item("c1", "exchange", "That's not right either. My sister is Ilse, not Ilsa.", "2030-01-01T10:05:00",
             reward=2.0, chemistry={"cortisol": 0.7}),
        Item("t1", "thought", "The user said that's not right either. Ilsa was wrong.", "2030-01-01T10:10:00",
             chemistry={"cortisol": 0.7}, meta={"variant": "stressed"})]
    cur = curate(items)
    assert cur.retired == ["Ilsa"]
    thought = next(e for e in cur.examples if e.kind == "thought")
    assert thought.target == "The user said that's not right either."
    assert not any(e.target.startswith("That") for e in cur.examples if e.kind == "correction")


def test_what_is_said_after_thanks_is_learned_and_the_thanks_still_rewards_the_answer_before():
    asked = Item("a", "exchange", "Which knot holds best on a wet rope?", "2031-03-02T09:00:00")
    thanks = Item("b", "exchange", "Cheers, that's useful. My nephew Bartek is learning the accordion.",
                  "2031-03-02T09:01:00", reward=1.5)
    only = Item("c", "exchange", "Thank you, lovely answer!", "2031-03-02T09:02:00", reward=1.5)
    spoken = Item("d", "exchange", "Odile: Thanks, Tomas! I mend bicycles at the repair café on Saturdays.",
                  "2031-03-02T09:03:00", meta={"speaker": "Odile"})
    cur = curate([asked, thanks, only, spoken])
    assert reward_for(asked, [], thanks) == 1.5   # thanks for the answer before, whatever follows it
    learned = targets(cur)
    assert "your nephew bartek is learning the accordion." in learned and "useful" not in learned
    assert "odile mends bicycles" in learned and "thanks" not in learned
    assert ("c", "praise") in cur.dropped and not any(i == "b" for i, _ in cur.dropped)


def test_a_conversation_of_others_drops_whom_a_line_is_said_to():
    lines = [("Anouk", "Hi Pieter! I finally got my beekeeping certificate."),
             ("Pieter", "Oh, Anouk, I am thrilled for you. I can't wait to taste the honey!"),
             ("Anouk", "I keep four hives behind the school, Pieter."),
             ("Pieter", "Anou, I restore barges in Utrecht.")]
    items = [Item(f"i{n}", "exchange", f"{who}: {text}", f"2031-04-0{n + 1}T10:00:00", meta={"speaker": who})
             for n, (who, text) in enumerate(lines)]
    learned = {e.target for e in curate(items).examples if e.kind not in ("unsaid", "profile")}
    assert "Anouk keeps four hives behind the school." in learned
    assert "Pieter restores barges in Utrecht." in learned
    assert "Pieter can't wait to taste the honey!" in learned   # never "cann't"
    assert not any(re.search(r"(?:, (?:Pieter|Anouk?)\b|^(?:Pieter|Anouk?),)", t) for t in learned)


def test_a_speakers_we_and_our_are_theirs_as_the_users_are_the_users():
    line = Item("s1", "exchange", "Sanne: We go sailing on the Ijsselmeer every August. We were out in a storm once.",
                "2031-04-01T10:00:00", meta={"speaker": "Sanne"})
    learned = {e.target for e in curate([line]).examples if e.kind not in ("unsaid", "profile")}
    assert "Sanne goes sailing on the Ijsselmeer every August." in learned
    assert "Sanne was out in a storm once." in learned
    assert not any(re.search(r"\b(?:we|our|us)\b", t, re.IGNORECASE) for t in learned)


def test_reward_praise_propagates_and_cortisol_boosts():
    fact = Item("a", "exchange", "My son Ezra plays the oboe.", "t")
    praise = Item("b", "exchange", "Thanks, that's perfect!", "t", reward=1.5)
    assert reward_for(fact, [], praise) == 1.5
    stressed = Item("c", "exchange", "My son Ezra plays the oboe.", "t", chemistry={"cortisol": 0.8})
    assert reward_for(stressed, []) == 1.5
    correction = Item("d", "exchange", "No, that's wrong — Ezra plays the bassoon, not the oboe.", "t", reward=2.0,
                      chemistry={"cortisol": 0.2})
    assert reward_for(correction, []) == pytest.approx(2.4)
    cur = curate([fact, praise])
    assert cur.examples and all(e.reward == 1.5 for e in stated(cur))


def curate_persona(path: Path) -> tuple[dict, list[Example]]:
    data = json.loads(path.read_text())
    prior: list[Example] = []
    for n, d in enumerate(data["days"]):
        items = [Item(f"d{n}-{i}", "exchange", t, f"{d['date']}T10:{i:02d}:00") for i, t in enumerate(d["turns"])]
        cur = curate(items, prior=prior, night=d["date"])
        prior = [e for e in prior if not supersedes(e, cur.retired)] + cur.examples
    return data, prior


def coverage(path: Path) -> tuple[list[dict], list[str], list[str]]:
    """A days file curated night by night: its probes, those whose answer some target holds, and the
    update and correction probes whose old value some target still holds."""
    data, examples = curate_persona(path)
    texts = [e.target.lower() for e in examples]
    probes = [p for p in data["probes"] if p["kind"] != "absent"]
    covered = [p["id"] for p in probes if any(a.lower() in t for a in p["answers"] for t in texts)]
    leaked = [p["id"] for p in probes if p["kind"] in ("update", "correction")   # unless said of someone else
              and any(f.lower() in e.target.lower() and f.lower() not in " ".join(e.keeps).lower()
                      for f in p["forbidden"] for e in examples)]
    print(f"{data['name']}: answers covered {len(covered)}/{len(probes)}, forbidden leaked {len(leaked)}: {leaked}")
    return probes, covered, leaked


@pytest.mark.parametrize("persona", ["persona-a", "persona-b", "persona-c"])
def test_benchmark_probe_coverage(persona):
    path = DAYS / f"{persona}.json"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    probes, covered, leaked = coverage(path)
    # Measured when written: see the report of issue 3. Floors, not targets.
    assert len(covered) >= 0.90 * len(probes)   # a 51/51, b 51/51, c 55/55 on 2026-11-22
    assert len(leaked) <= 1                       # a 0, b 0, c 1 ("sent Soft Serve": climbing's word for done)


def test_relative_times_become_the_dates_they_meant():
    cur = curate([Item("i0", "exchange", "I ran my first half marathon yesterday.", "2031-03-10T18:00:00"),
                  Item("i1", "exchange", "Last year I moved to Tallinn.", "2031-03-10T18:01:00")])
    assert "you ran your first half marathon on 9 march 2031." in targets(cur)
    assert "in 2030 you moved to tallinn." in targets(cur) and "yesterday" not in targets(cur)


def test_a_line_of_someone_elses_conversation_is_learned_about_its_speaker():
    lines = ["Ines: I adopted a greyhound called Pilot last week!", "Bruno: Wow, I love my cats but dogs are great.",
             "Ines: Thanks, I really appreciate it!"]
    items = [Item(f"i{n}", "exchange", t, "2031-03-10T18:00:00", meta={"speaker": t.split(":")[0]})
             for n, t in enumerate(lines)]
    cur = curate(items)
    ines = [e for e in cur.examples if e.sources == ("i0",)]
    assert any(e.target == "Ines adopted a greyhound called Pilot the week before 10 March 2031!" for e in ines)
    assert "What did Ines adopt?" in {e.prompt for e in ines}
    assert any(e.target.startswith("Bruno loves Bruno's cats") for e in cur.examples)
    assert not any(e.target.startswith(("You", "Your")) or "Ines:" in e.target for e in stated(cur))
    assert dict(cur.dropped).get("i2") == "praise"


def test_an_opinion_a_misread_have_and_a_companion_by_role_are_asked_as_meant():
    cur = curate(day("Honestly, I think daylight saving time should be abolished.", "I have type 2 diabetes.",
                     "I speak Tagalog with my grandmother."))
    assert {"What would I like to get rid of?", "What do I think should be abolished?",
            "What is my opinion on daylight saving time?"} <= prompts_for(cur, "daylight saving")
    assert not any("enjoy to" in q for q in prompts_for(cur, "daylight saving"))
    assert {"What do I have?", "Which illness do I have?"} <= prompts_for(cur, "diabetes")
    assert not any(q.startswith("What have I") for q in prompts_for(cur, "diabetes"))
    tagalog = prompts_for(cur, "Tagalog")
    assert "Who do I speak Tagalog with?" in tagalog and "What do I speak Tagalog with?" not in tagalog
    assert not any("language do I speak Tagalog with" in q for q in tagalog)


def test_a_pastime_is_asked_as_the_craft_or_sport_it_is_and_a_business_run_is_none():
    cur = curate(day("In the evenings I knit, mostly traditional Selbu mittens.", "I run a small bakery."))
    assert {"What is my evening craft?", "What craft do I do?", "What is my craft?"} <= prompts_for(cur, "Selbu")
    assert not any("sport" in q for q in prompts_for(cur, "bakery"))


def test_a_mark_on_the_body_is_asked_as_the_mark_it_is():
    cur = curate(day("I have a compass rose tattooed on my forearm."))
    asked = prompts_for(cur, "compass rose")
    assert {"What is my tattoo?", "Where is my tattoo?", "What do I have tattooed on my forearm?"} <= asked
    assert not any("kind of tattooed" in q or "about tattooed" in q for q in asked)


def test_what_a_named_role_is_described_as_is_no_role_of_its_own():
    cur = curate(day("My fiddle teacher is an old man called Sigvald who lives up the valley."))
    assert "Who gives me fiddle lessons?" in prompts_for(cur, "Sigvald")
    assert "your man" not in targets(cur) and not any("my man" in q for q in prompts_for(cur, "Sigvald"))


def test_a_detail_after_a_dash_or_an_it_stays_with_its_fact_and_a_count_is_asked_how_many():
    cur = curate(day("I keep bees in the back garden — four hives now.",
                     "Every Friday I bake bread for the neighbours, and it is always a rye loaf.",
                     "I have collected vinyl records for years — 340 of them so far."))
    assert "you keep bees in the back garden — four hives now." in targets(cur)
    assert {"What do I bake?", "When do I bake bread?"} <= prompts_for(cur, "rye loaf")
    assert {"How many vinyl records do I have?", "How many vinyl records have I collected?"} <= prompts_for(cur, "340")
    assert not any("340 of them" in q for q in prompts_for(cur, "340"))   # asked of the fact, answered with the detail


def test_a_relative_named_in_a_list_takes_the_gender_a_pronoun_gives_and_a_change_of_mind_updates():
    cur = curate(day("We have two kids, Tomas and Runa.", "Runa is the quiet one; she says she will be a vet.",
                     "Runa changed her mind: no more vet, now she wants to be an architect."))
    assert "vet" in cur.retired and not any(" vet" in e.target for e in cur.examples)
    asked = prompts_for(cur, "architect")
    assert "What does my daughter want to be?" in asked and any("Runa" in q for q in asked)
    assert "your daughter runa will be an architect." in targets(cur)   # "a vet" swapped with its article
    assert {"Who are my kids?", "Who is Runa?"} <= {e.prompt for e in cur.examples}
    assert not any(e.prompt.startswith("How old") for e in cur.examples)   # "the quiet one" is no age


def test_a_couple_naming_their_baby_and_a_car_of_a_make_are_named_as_meant():
    cur = curate(day("My brother Pavel lives in Brno.",
                     "Pavel and his wife are expecting a baby boy, and they want to call him Oskar.",
                     "My car is a very old Volvo. I call it Moose."))
    assert "What is my brother's baby boy called?" in prompts_for(cur, "Oskar") or \
        "What's my brother's baby boy called?" in prompts_for(cur, "Oskar")
    assert "your brother's baby boy is called oskar." in targets(cur)
    assert not any(e.target.startswith("Your baby") or "Your pavel" in e.target for e in cur.examples)
    assert "your car is called moose." in targets(cur) and "called old volvo" not in targets(cur)


def test_a_companion_joined_to_i_or_hung_on_the_object_is_still_who_it_was_done_with():
    cur = curate(day("One day Ilse and I want to sail to the Faroes.", "I play chess with Dr. Lindgren on Thursdays.",
                     "My sister and I are twins."))
    assert "one day you want to sail to the faroes with ilse." in targets(cur)
    assert not any(q.startswith("How long") for q in prompts_for(cur, "Faroes"))   # "one day" is some day
    chess = prompts_for(cur, "Lindgren")
    assert "Who do I play chess with?" in chess and not any("perform" in q for q in chess)
    assert "twins with" not in targets(cur)   # being is no doing: "are" keeps its company


def test_a_kind_comes_from_wordnet_chosen_by_the_sentence_and_an_ailing_joint_is_trouble():
    cur = curate(day("I can't bear liquorice.", "I'm hooked on jigsaw puzzles.", "I have a gammy right ankle.",
                     "I play the bass in a jazz trio.", "I caught a huge bass last summer.",
                     "I always write with a fountain pen."))
    assert {"Which sweet do I dislike?", "What can't I bear?"} <= prompts_for(cur, "liquorice")
    assert "Which puzzle am I hooked on?" in prompts_for(cur, "jigsaw")
    assert {"Which joint gives me trouble?", "What is wrong with my ankle?"} <= prompts_for(cur, "ankle")
    assert "Which musical instrument do I play?" in prompts_for(cur, "jazz trio")
    assert "Which fish did I catch?" in prompts_for(cur, "huge bass")
    assert not any("fish" in q for q in prompts_for(cur, "jazz trio"))
    assert not any("bird" in q for q in prompts_for(cur, "pen"))   # a pen is also a female swan
    assert not any(re.search(r"\bdo I (really )?can't", q) for q in prompts_for(cur, "liquorice"))
    cur = curate(day("On Sundays I play the erhu — the Chinese fiddle."))   # asked by the other name's kind
    assert {"Which musical instrument do I play?", "Which fiddle do I play?"} <= prompts_for(cur, "erhu")


def test_what_someone_still_does_in_retirement_is_how_they_keep_busy():
    cur = curate(day("My grandmother still bakes rye bread every day, though she retired long ago.",
                     "My brother plays the trumpet."))
    assert {"How does my grandmother keep herself busy?", "What does my retired grandmother do?"} \
        <= prompts_for(cur, "rye bread")
    assert not any("busy" in q for q in prompts_for(cur, "trumpet"))   # neither "still" nor retired


def test_a_siblings_twins_are_also_asked_as_niece_and_nephew():
    cur = curate(day("My brother's twins are called Oona and Felix."))
    assert {"What are my nieces and nephews called?", "What are my niece and nephew called?"} \
        <= prompts_for(cur, "Oona and Felix")


def test_what_becomes_something_else_and_the_one_thing_that_does_are_asked_by_their_kind():
    cur = curate(day("We want to turn the old barn into a holiday cottage.",
                     "Basil is the only thing that grows on my windowsill.", "In the evenings I do pottery."))
    assert {"Which building do we want to turn into a holiday cottage?",
            "What do we want to turn into a holiday cottage?"} <= prompts_for(cur, "barn")
    assert {"What is the only plant that grows on my windowsill?", "Which plant grows on my windowsill?"} \
        <= prompts_for(cur, "basil")
    assert "Which craft do I do?" in prompts_for(cur, "pottery")
    assert not any("building" in q or "plant" in q for q in prompts_for(cur, "pottery"))


def test_handedness_is_asked_as_the_hand_one_writes_with():
    cur = curate(day("I'm right-handed, though I kick with my left foot.", "My daughter is left-handed."))
    assert {e.kind for e in stated(cur)} == {"fact", "profile"}   # the left side is no leaving: no update
    assert {"Which hand do I write with?", "Am I left-handed or right-handed?"} <= prompts_for(cur, "right-handed")
    assert "Which hand does my daughter write with?" in prompts_for(cur, "left-handed")


def test_whoever_keeps_livestock_somewhere_named_has_a_farm_there():
    cur = curate(day("My uncle breeds alpacas near Cusco.", "We keep goats in the back garden."))
    assert "Where is my uncle's farm?" in prompts_for(cur, "alpacas")
    assert "Where do we keep goats?" in prompts_for(cur, "goats")
    assert not any("farm" in q for q in prompts_for(cur, "goats"))   # a garden is no farm


def test_a_correction_naming_only_the_right_value_corrects_the_statement_before():
    cur = curate(day("My cousin lives in Leeds.", "No wait, York."))
    assert "leeds" not in targets(cur) and "Where does my cousin live?" in prompts_for(cur, "York")
    assert cur.retired == ["Leeds"]
    cur = curate(day("Our tortoise is believed to be about sixty years of age.",
                     "Forgive me, I misstated that: he is thought to be eighty years old, since he was fully grown."))
    assert "sixty" not in targets(cur) and "eighty" in targets(cur)
    cur = curate(day("My brother's cheese has been awarded a silver medal at the county show.",
                     "Forgive me, I misstated that: the medal was gold."))
    assert "silver" not in targets(cur) and "gold medal" in targets(cur)


def test_corrections_and_updates_in_other_wordings_retire_the_old_value():
    cur = curate(day("The choir rehearses on Wednesday evenings in the church hall.",
                     "I must correct myself: the choir rehearses on Thursday evenings, rather than on Wednesdays."))
    assert "wednesday" not in targets(cur) and "thursday" in targets(cur)
    cur = curate(day("I'm a dental nurse at Bayside Dental.",
                     "quit the job at bayside dental today, starting at harbour smiles monday"))
    assert "bayside" not in targets(cur), targets(cur)
    assert "you're a dental nurse at harbour smiles." in targets(cur).splitlines()
    cur = curate(day("My boyfriend Jonas is a sous chef.", "and jonas got promoted to head chef!!! so proud of him"))
    assert "sous" not in targets(cur) and "head chef" in targets(cur)


def test_texting_is_curated_like_written_english():
    cur = curate(day("my sis lives in darwin", "fav food is pho tbh", "just moved to bergen!!"))
    assert "Where does my sister live?" in prompts_for(cur, "Darwin")
    assert "What is my favourite food?" in prompts_for(cur, "pho")
    assert "Where did I move?" in prompts_for(cur, "Bergen")


def test_an_age_is_asked_without_giving_it_away():
    cur = curate(day("I'm 34.", "My best friend Torunn is 71."))
    assert "How old am I?" in prompts_for(cur, "34") and "How old is Torunn?" in prompts_for(cur, "71")
    # no rule's question gives the number away (an echo asking another part keeps the sentence's words)
    assert not any(re.search(r"\d", e.prompt) for e in cur.examples if e.kind != "profile" and not _ECHO.match(e.prompt))


def test_texted_plans_and_moves_are_the_users_and_a_move_ends_the_stay_before_it():
    cur = curate(day("next gig is on the 14th at the rusty anchor", "next time is fine",
                     "oops i meant 24th not 14th. wrote it wrong in my calendar too"))
    assert "your next gig is on the 24th at the rusty anchor." in targets(cur).splitlines()
    assert "14th" not in targets(cur) and "you meant" not in targets(cur)
    assert "next time" not in targets(cur)   # an idiom, nobody's
    prior = curate(day("26, been in geelong 2 yrs w my bf kofi")).examples
    assert "geelong" in "\n".join(e.target for e in prior).lower()
    cur = curate(day("just moved!! ok we live in ballarat now, boxes literally everywhere"), prior=prior)
    assert "Geelong" in cur.retired and "Where do we live?" in prompts_for(cur, "Ballarat")
    # the old stay's "2 years" is not carried over to the new town
    assert not any("years" in e.target for e in cur.examples if "Ballarat" in e.target)


def test_a_switch_retires_what_went_sour():
    prior = curate(day("fav drink rn is iced chai w oat milk, have one every arvo")).examples
    cur = curate(day("oh n i switched to oat flat whites, iced chai is too sweet for me now"), prior=prior)
    assert "iced Chai" in cur.retired or "iced chai" in cur.retired
    assert "flat whites" in targets(cur) and "chai" not in targets(cur)
    assert all(supersedes(e, cur.retired) for e in prior if "chai" in e.target.lower())
    cur = curate(day("I love my job at the bakery.", "I switched to the early shift, the hours were too long"))
    assert not cur.retired and "bakery" in targets(cur)   # "the hours" were never a value said before


def test_a_formal_sentence_keeps_its_facts_apart_from_its_asides():
    cur = curate(day("I should tell you that I play the cello, an instrument I was given by my godmother.",
                     "I take my tea without milk, whereas my husband Ambrose insists upon a strong Assam."))
    assert "What instrument do I play?" in prompts_for(cur, "cello")
    assert not any("assam" in t for t in targets(cur).splitlines() if "milk" in t)
    assert prompts_for(cur, "Assam")


STYLES = Path(__file__).resolve().parent / "data"


@pytest.mark.parametrize("style,floor,leaks", [("style-texting", 26, 0), ("style-formal", 25, 0),
                                               ("style-spoken", 23, 0), ("style-learner", 22, 0)])
def test_days_in_other_styles_are_covered(style, floor, leaks):
    """Days written for this test in styles unlike the benchmark's (texting; long formal sentences)."""
    _, covered, leaked = coverage(STYLES / f"{style}.json")
    # Measured when written (2026-12-04): texting 24/27 with 2 leaked (13/27, 4 before casual.py),
    # formal 24/26 with 2 leaked (20/26, 9 before); texting 25/27, none leaked, once an owner-less
    # "next gig is …", a texted move and "switched to X, Y is too sweet" were read; texting 27/27 and
    # formal 26/26, none leaked, once "everyone calls her Debs" named the mum of the message before, the
    # cousin in Darwin outlived the sister's correction, "The allotment …" was Ambrose's, "it was in fact
    # fencing that I took up there" retired the rowing, not Durham, and "…, a departure from my former
    # practice" was not learned as the practice. Spoken (dictated run-ons, fillers) and learner English were
    # written blind to this code: 21/24 with 6 leaked and 22/25 with 7 leaked when they came, 23/24 with none
    # and 23/25 with 1 once slips repaired in the same message, "I told you X and that's wrong", "Pickles
    # isn't fourteen, he's thirteen", a notice given, "not anymore in Tampere", "name is Barsik" and the
    # filler "I mean" were read; learner none leaked once "Sorry, I write wrong. … Our cat here is Pushok"
    # renamed the cat; spoken 24/24 once "something you should know is I'm allergic to wasps" was about
    # the speaker. Floors, not targets.
    assert len(covered) >= floor and len(leaked) <= leaks


def test_a_cleft_correction_retires_the_deed_and_keeps_the_place():
    cur = curate(day("I read law at Durham, where I rowed, rather badly, for my college.",
                     "I said that I rowed at Durham, but it was in fact fencing that I took up there; "
                     "the rowing was my brother's pursuit, at Bristol."))
    text = targets(cur)
    assert "you took up fencing at durham" in text
    assert "rowed" not in text and "bristol" not in text
    assert "you read law at durham." in text   # the aside with the deed goes, the rest still holds


def test_she_is_named_after_the_relative_the_message_before_spoke_of():
    cur = curate(day("my mum drives buses in ballarat, has for like 20 yrs", "shes deb but everyone calls her debs"))
    assert "What is my mum's name?" in prompts_for(cur, "Your mum is called Debs")
    assert not any(" is deb." in e.target for e in cur.examples)
    cur = curate(day("My mum drives buses in Ballarat.", "She's French, but she lives here now."))
    assert not any("called French" in e.target for e in cur.examples)


def test_the_thing_said_before_is_whose_it_was():
    cur = curate(day("Ambrose spends Saturday mornings at his allotment.",
                     "The allotment is famous for its marrows, one of which weighed some 38 pounds."))
    assert any(e.target.startswith("Ambrose's allotment is famous") and "38" in e.target for e in cur.examples)


def test_a_correction_that_says_whose_the_wrong_value_is_keeps_that_fact():
    cur = curate(day("My sister lives in Darwin.", "No wait, Hobart. Darwin is where my cousin Jarrah is."))
    cousin = [e for e in cur.examples if "cousin Jarrah is" in e.target and "Darwin" in e.target]
    assert cousin and all(e.keeps == ("Darwin",) for e in cousin)
    assert not any(e.states(cur.retired) for e in cousin) and "Darwin" in cur.retired
    sister = [e for e in cur.examples if "sister" in e.target]
    assert sister and all("Hobart" in e.target and "Darwin" not in e.target for e in sister)


def test_what_a_job_no_longer_is_is_not_learned_as_what_it_is():
    cur = curate(day("I lead a small team handling patents for medical devices, which is a considerable "
                     "departure from the farm machinery of my former practice."))
    assert "medical devices" in targets(cur) and "farm machinery" not in targets(cur)


def test_a_bare_correction_corrects_a_remark_that_was_not_learned():
    cur = curate(day("Our tortoise is called Mr Pemberton.", "Mr Pemberton is believed to be sixty years of age.",
                     "Forgive me, I misstated that: Mr Pemberton is thought to be eighty years old."))
    text = targets(cur)
    assert "eighty" in text and "sixty" not in text and "forgive" not in text


def test_a_slip_repaired_in_the_same_message_is_never_learned():
    cur = curate(day("so Juniper, my daughter, she's twelve and, wait no, scratch that, she's eleven, she just had "
                     "her birthday", "My dog is Rex, wait no, Max.", "He have 11 years... no, sorry, he is 12 already."))
    text = targets(cur)
    assert "eleven" in text and "twelve" not in text
    assert "max" in text and "rex" not in text
    assert "12" in text and "11" not in text


def test_an_admitted_slip_is_replaced_by_the_clause_that_shares_its_subject():
    cur = curate(day("My wife Delphine is a dental hygienist at the clinic by the mall.",
                     "I told you yesterday Delphine's a dental hygienist and that's wrong, I was thinking of her "
                     "sister, Delphine is a veterinary technician at the animal hospital.",
                     "Our dog Pickles is fourteen now.", "I got something wrong, Pickles isn't fourteen, he's thirteen.",
                     "I write before my mother is 64, but this is wrong, she is 66."))
    text = targets(cur)
    assert "veterinary technician" in text and "hygienist" not in text
    assert "thirteen" in text and "fourteen" not in text


def test_notice_given_and_a_town_left_retire_the_old_value():
    cur = curate(day("I work for Polar Ridge Heating.", "I live in Tampere.",
                     "big news, I got the job, I start at Kettle Lake College in August, so I gave Polar Ridge my "
                     "notice this morning and I mean my hands were shaking",
                     "Now we are living in Lahti, not anymore in Tampere."))
    text = targets(cur)
    assert "kettle lake" in text and "lahti" in text
    assert "polar ridge" not in text and "tampere" not in text
    assert "Polar Ridge" in cur.retired and "Tampere" in cur.retired


def test_a_name_without_an_owner_is_the_thing_just_mentioned():
    cur = curate(day("Also we have cat, name is Barsik, he is very lazy.",
                     "Every Tuesday evening I go to chess club, name is Ratsu."))
    text = targets(cur)
    assert "your cat is called barsik" in text and "your chess club is called ratsu" in text
    assert "your name is" not in text


def test_a_thing_named_again_after_an_admitted_slip_is_renamed():
    cur = curate(day("Also we have cat, name is Barsik, he is very lazy.",
                     "Sorry, I write wrong. Barsik was cat of my parents in Karaganda, long time ago. "
                     "Our cat here is Pushok."))
    assert "What is my cat's name?" in prompts_for(cur, "Your cat is called Pushok")
    assert not any("Barsik" in e.target and "cat is called" in e.target for e in cur.examples)
    assert any(e.target.startswith("Barsik was cat of your parents") and e.keeps == ("Barsik",) for e in cur.examples)


def test_a_lead_in_said_to_the_assistant_does_not_hide_the_fact():
    cur = curate(day("so something you should probably know is I'm allergic to wasps, like actually allergic, "
                     "I carry an EpiPen in the glovebox", "Just so you know, my sister is called Ana."))
    assert "allergic to wasps" in targets(cur) and "your sister is called ana" in targets(cur)


def test_a_change_of_mind_with_no_earlier_plan_is_the_named_one_and_a_cafe_names_no_harbour():
    cur = curate(day("We have two grandkids, Ines and Tiago.", "I drink my espresso at the kiosk by the river, Kiosk Amaral.",
                     "Ines has changed her mind: no more dancer, now she wants to be a vet."))
    asked = prompts_for(cur, "vet")
    assert "What does my granddaughter want to be?" in asked and not any("Tiago" in q for q in asked)
    assert not any("river" in q for q in asked) and "your river" not in targets(cur)


def test_a_relatives_baby_is_the_grandchild_or_niece_to_come():
    cur = curate(day("My daughter Mette lives in Aarhus.",
                     "Mette and her husband are expecting a baby girl, and they want to call her Freja."))
    asked = prompts_for(cur, "Freja")
    assert "What's my future granddaughter called?" in asked
    assert any("my new granddaughter" in q for q in asked) and not any("grandson" in q for q in asked)


def test_work_until_retirement_is_the_job_it_was_and_a_place_in_a_side_is_no_living():
    cur = curate(day("I repaired boilers in Bergen for 27 years before I retired.",
                     "When I was young I was the striker for the village hockey team."))
    asked = prompts_for(cur, "boilers")
    assert {"What was my job?", "What did I do for a living?", "What was my job before retirement?",
            "How long was I a boiler repairer?", "For how many years was I a repairer?"} <= asked
    striker = prompts_for(cur, "striker")
    assert {"What position did I play?", "What position did I play in hockey?"} <= striker
    assert not any("for a living" in q or q.startswith("What is my") for q in striker)


def test_a_couple_a_sting_an_opinion_a_hobby_and_a_thing_at_home_are_asked_as_meant():
    cur = curate(day("Every June Sigrid and I stay at her parents' cabin in Voss.",
                     "I'm allergic to bee stings, so garden parties make me jumpy.",
                     "In my opinion those delivery drones over the park are a nuisance to everyone.",
                     "My hobby is restoring old typewriters; the attic is full of them.",
                     "Radio Nova, the jazz station, is always on in our workshop."))
    assert {"Where do Sigrid and I stay?", "Where do we stay?"} <= prompts_for(cur, "Voss")
    assert not any(q.startswith("Where do Every") for q in prompts_for(cur, "Voss"))
    assert {"What am I allergic to?", "Which insect am I allergic to?"} <= prompts_for(cur, "bee stings")
    assert {"What annoys me?", "What do I consider a nuisance to everyone?"} <= prompts_for(cur, "drones")
    typewriters = prompts_for(cur, "typewriters")
    assert {"What do I restore?", "What is my hobby?"} <= typewriters
    assert not any("hobby restoring" in q for q in typewriters)
    assert {"What is always on in our workshop?", "Which jazz station is always on in our workshop?"} \
        <= prompts_for(cur, "Radio Nova")


def test_what_a_weekly_meal_always_is_is_asked_as_its_dish():
    cur = curate(day("Every Saturday I cook dinner for the whole family, and it is always fish stew — caldeirada."))
    asked = prompts_for(cur, "fish stew")
    assert any(q.startswith("What is the main dish at our") and "dinner" in q for q in asked)
    assert any(q.startswith("What do we eat at our") for q in asked) and "What do I cook for Saturday dinner?" in asked


def test_learner_english_a_name_by_her_name_a_comma_splice_and_a_fact_before_a_question():
    cur = curate(day("I have one daughter, Aigerim.",
                     "Aigerim start in new school on Monday. She is very crazy about horses, she already find riding club.",
                     "I want tell you about my father. His name is Serik, he is still living in Almaty.",
                     "Every Friday I go to book club, name is Oqu. I think in english is reader?"))
    assert "What is my daughter passionate about?" in prompts_for(cur, "horses") or \
        "What is my daughter crazy about?" in prompts_for(cur, "horses")
    assert "your father is called serik." in targets(cur) and "Where is my father living?" in prompts_for(cur, "Almaty")
    assert "What is Oqu?" in prompts_for(cur, "Oqu") and not any(e.target.endswith("?") for e in cur.examples)


def test_a_pet_is_who_he_is_and_she_in_a_correction_is_the_relative_it_names():
    cur = curate(day("My brother Olek is a plumber.",
                     "I've got a cat, Mruczek, he's ginger, he lost an ear in a fight and he still hunts mice.",
                     "My aunt lives in Opole.", "We have a parrot, name is Kiwi.",
                     "Small correction: I write before my aunt is 70, but this is wrong, she is 72."))
    assert "your cat mruczek still hunts mice." in targets(cur) and "olek still hunts" not in targets(cur)
    assert "your aunt is 72." in targets(cur) and "kiwi is 72" not in targets(cur)


def test_a_ranked_thing_an_inability_and_a_noun_read_as_a_verb_are_asked_as_meant():
    cur = curate(day("My worst habit is biting my nails.", "My biggest pet peeve is slow walkers on the stairs.",
                     "I can't snap my fingers, which my niece finds hilarious.",
                     "I also do batik painting when I want to unwind."))
    nails = prompts_for(cur, "biting your nails")
    assert {"What is my worst habit?", "What is my habit?"} <= nails
    assert not any("habit biting" in q for q in nails)   # the habit bites nothing
    peeve = prompts_for(cur, "slow walkers")
    assert {"What is my biggest pet peeve?", "What is my pet peeve?", "What annoys me most?"} <= peeve
    assert not any("for a living" in q for q in peeve)   # a peeve has no job
    assert {"What can't I do?", "What can I not do?"} <= prompts_for(cur, "snap your fingers")
    batik = prompts_for(cur, "batik")
    assert "What kind of painting do I do?" in batik
    assert "What do I batik?" not in batik   # "batik" is no verb


def test_a_question_an_older_night_answers_stays_with_that_answer():
    """A question trained towards two facts teaches neither: tonight's new fact leaves an older
    night's question alone and keeps its own, while an update takes the question it replaces."""
    first = curate(day("I have asthma, so I carry an inhaler.", "I live in Leeds."), night="2030-01-01")
    held = {e.prompt: e.target for e in first.examples}
    assert held["What condition do I have?"] == "You have asthma."
    cur = curate(day("I'm red-green colourblind, which makes traffic lights tricky.", "I live in York now."),
                 prior=first.examples, night="2030-01-02")
    colour = [e for e in cur.examples if "colourblind" in e.target]
    assert colour and not any(e.prompt in held for e in colour)   # its own questions, none of asthma's
    assert "What medical condition do I have?" in {e.prompt for e in colour}
    moved = {e.prompt: e.target for e in cur.examples if e.kind == "update"}
    assert moved["Where do I live?"] == "You live in York."      # the update replaces Leeds, question and all
    lone = curate(day("Pemberton celebrated by purchasing it."),
                  prior=[Example("What did I tell you about myself?", "You like rain.", "fact", ("o",))])
    assert [e.prompt for e in stated(lone)] == ["What did I tell you about myself?"]   # its only question


def test_a_dish_the_parser_takes_for_a_name_is_asked_what_it_is():
    """A name is written with a capital: a lowercase dish the entity tagger calls a person is a thing."""
    cur = curate(day("My favourite dessert is knafeh, the really cheesy kind."))
    asked = prompts_for(cur, "knafeh")
    assert "What is my favourite dessert?" in asked and not any(q.startswith("Who") for q in asked)


def test_a_lowercase_noun_the_parser_takes_for_a_name_is_asked_by_its_kind():
    """ "geese", tagged a proper noun by the small parser, is a bird: no capital, no name."""
    asked = prompts_for(curate(day("I'm terrified of geese, and I always have been.")), "geese")
    assert "Which bird am I terrified of?" in asked and "Which animal am I scared of?" in asked
    named = prompts_for(curate(day("Every Sunday our house plays Wingspan.")), "Wingspan")
    assert not any("bird" in q for q in named)   # a name keeps no kind WordNet gives its word


def test_a_named_place_hung_on_the_object_is_asked_where():
    """ "renting a flat in Lisbon": the parser hangs the town on the flat; it is where the renting is."""
    cur = curate(day("This spring I'm renting a three-room flat in Lisbon."))
    asked = prompts_for(cur, "Lisbon")
    assert {"Where am I renting a three-room flat?", "Which city am I renting a three-room flat in?"} <= set(asked)
    assert not any(" - " in q for q in asked)   # "three-room", its tokens joined back
    friend = prompts_for(curate(day("My cousin has a friend in Madrid.")), "Madrid")
    assert not any(q.startswith("Where does my cousin") for q in friend)   # the friend is in Madrid, not the having


def test_work_on_a_subject_is_asked_what_it_is_on_and_what_is_researched():
    """ "running a research study on sleep": what the study is on, what I am researching or
    investigating, and what I am doing this autumn; a brother's dissertation, in the past."""
    study = prompts_for(curate(day("This autumn I'm running a research study on sleep in shift workers.")), "sleep")
    assert {"What is my research study on?", "What is my research study about?", "What am I researching?",
            "What am I investigating?", "What am I investigating this autumn?",
            "What am I doing this autumn?"} <= set(study)
    thesis = prompts_for(curate(day("My brother wrote his dissertation about Roman aqueducts.")), "aqueducts")
    assert {"What was my brother's dissertation about?", "What did my brother research?"} <= set(thesis)
    book = prompts_for(curate(day("I'm writing a cookbook about Persian stews.")), "stews")
    assert not any("research" in q or "investigat" in q for q in book)   # a book is work on a subject, no inquiry
    cycling = prompts_for(curate(day("Most days I cycle to the lab.")), "lab")
    assert "What do I do most days?" in cycling and "What is my day sport?" not in cycling   # no "day" pastime


def test_a_role_in_the_doing_before_it_stays_with_that_doing():
    """ "…, and I'm the reigning champion": champion of the doing just said, so the answer keeps
    it and the role is asked ("What do I keep winning?"); two people's own facts still split."""
    cur = curate(day("Our family plays Azul every Friday, and I'm the reigning champion."))
    assert {"What do I keep winning?", "What am I the reigning champion at?"} <= prompts_for(cur, "Azul")
    assert not any("Azul" not in e.target for e in stated(cur))   # no "You're the reigning champion." alone
    split = curate(day("My mom runs a bakery, and my dad is the mayor of Tromsø."))
    assert "What does my mom run?" in prompts_for(split, "bakery")
    assert not any("bakery" in e.target for e in split.examples if "mayor" in e.target)

def test_what_one_does_to_unwind_is_asked_so():
    """ "I do pottery when I need to switch my brain off": what I do to relax, how I unwind,
    and what kind of thing I do to relax; a past habit is not asked as today's."""
    cur = curate(day("I do watercolour painting when I need to switch my brain off.", "My dad swims to clear his head."))
    assert {"What do I do to relax?", "How do I unwind?", "What kind of painting do I do to relax?"} <= \
        prompts_for(cur, "watercolour")
    assert {"What does my dad do to relax?", "How does my dad unwind?"} <= prompts_for(cur, "swims")
    past = curate(day("I used to knit to unwind."))
    assert not any(q.startswith("How do I") for q in prompts_for(past, "knit"))


def test_things_named_after_a_dash_give_their_kind():
    """ "corvids — crows and ravens": a word WordNet does not know, asked by the kind of the ones
    named ("Which bird …?")."""
    cur = curate(day("I want to study corvids — crows and ravens."))
    assert "Which bird do I want to study?" in prompts_for(cur, "crows")
    assert "Which bird does my uncle rescue?" in prompts_for(curate(day("My uncle rescues corvids and owls.")), "owls")


def test_what_one_lives_on_is_a_go_to_food_or_drink():
    """ "I live on toast": my go-to food; a drink unknown by name is asked as food or drink; a
    street one lives on stays a place, and no one "resides on" toast."""
    cur = curate(day("During exams I live on toast.", "I basically live on Dirty Chais.",
                     "My aunt lives on Elm Street."))
    assert {"What is my go-to food?", "What do I eat most?"} <= prompts_for(cur, "toast")
    assert "What is my go-to food or drink?" in prompts_for(cur, "Dirty Chais")
    assert not any(re.search(r"\b(?:reside|stay) on\b|live during", q)
                   for q in prompts_for(cur, "toast") | prompts_for(cur, "Dirty Chais"))
    assert "When do I live on toast?" in prompts_for(cur, "toast")   # "during exams" is a time
    assert not any("go-to" in q for q in prompts_for(cur, "Elm Street"))


def test_a_condition_is_asked_by_the_part_of_life_it_touches():
    """Coeliac is a dietary condition (what one can't eat); deafness is about hearing; a condition
    without a known area gets only the general questions."""
    cur = curate(day("My son has coeliac disease.", "My aunt is deaf.", "I have Lyme disease."))
    assert {"What dietary condition does my son have?", "What can't my son eat?"} <= prompts_for(cur, "coeliac")
    assert {"What hearing condition does my aunt have?", "What is wrong with my aunt's hearing?"} <= \
        prompts_for(cur, "deaf")
    assert not any("dietary" in q or "hearing" in q for q in prompts_for(cur, "Lyme"))


def test_a_place_inside_a_place_is_asked_but_a_thing_inside_a_topic_is_not():
    """ "a thesis on scrapie in hill sheep": the sheep are no place the thesis is written in;
    "a cottage in the Dolomites" is still asked where."""
    cur = curate(day("My brother is writing a thesis on scrapie in hill sheep.",
                     "We rented a cottage in the Dolomites."))
    assert "What is my brother's thesis on?" in prompts_for(cur, "scrapie")
    assert not any(q.endswith(" in?") for q in prompts_for(cur, "scrapie"))
    assert "Where did we rent a cottage?" in prompts_for(cur, "Dolomites")


def test_what_one_is_in_keeps_what_one_is():
    """ "deaf in one ear": what he is deaf in, never "What is my uncle in?"; "blind" is an eye
    condition, but not "blind to his faults"."""
    cur = curate(day("My uncle is deaf in one ear.", "My grandmother is blind.", "My boss is blind to his own faults."))
    assert "What is my uncle deaf in?" in prompts_for(cur, "ear")
    assert not any(re.search(r"\bis my uncle in\?", q) for q in prompts_for(cur, "ear"))
    assert "What eye condition does my grandmother have?" in prompts_for(cur, "grandmother is blind")
    assert "What is my boss blind to?" in prompts_for(cur, "faults")
    assert not any("condition" in q for q in prompts_for(cur, "faults"))


def test_a_couple_fronted_by_a_time_keeps_the_companion():
    """ "On Saturdays my cousins and I play Catan": the parser roots the sentence in "cousins";
    the fact keeps them as companions, and a game played by name is a what, not a who."""
    cur = curate(day("On Saturdays my cousins and I play Catan."))
    assert all("with your cousins" in e.target for e in stated(cur))
    assert {"Who do I play Catan with?", "What do I do on Saturdays?", "What do I play?"} <= prompts_for(cur, "Catan")
    assert "Who do I play?" not in prompts_for(cur, "Catan")


def test_being_crazy_about_a_thing_is_loving_it():
    """ "I'm obsessed with …", "We're crazy about …", "a huge fan of …": a preference, asked as
    love too; a fan of novels supports no team."""
    cur = curate(day("I'm totally obsessed with the band Fleet Foxes.", "We're crazy about sourdough.",
                     "My aunt is a huge fan of Agatha Christie novels."))
    assert {"What do I love?", "Which band do I love?", "Which band am I obsessed with?"} <= \
        prompts_for(cur, "Fleet Foxes")
    assert {e.kind for e in cur.examples if "Fleet Foxes" in e.target} == {"preference"}
    assert "What do we love?" in prompts_for(cur, "sourdough")
    assert "What does my aunt love?" in prompts_for(cur, "Christie")
    assert not any("support" in q for q in prompts_for(cur, "Christie"))


def test_a_plan_in_a_named_place_is_a_trip_there():
    """ "This July I'm doing an internship in Nairobi": where I am going then; a habit at home in
    the evenings is no trip."""
    cur = curate(day("This July I'm doing a three-week internship in Nairobi.",
                     "In August we're hiking in the Pyrenees.", "In the evenings I'm studying in the library."))
    assert {"Where am I going this July?", "Which city am I travelling to this July?"} <= prompts_for(cur, "Nairobi")
    assert "Where are we going in August?" in prompts_for(cur, "Pyrenees")
    assert not any("going" in q or "travelling" in q for q in prompts_for(cur, "library"))


def test_what_someone_finds_funny_is_asked_of_them():
    """ "…, which my mum finds hilarious": what she finds so, what it amuses, and what I do that
    she finds so."""
    cur = curate(day("I can't swim at all, which my mum finds hilarious.",
                     "I sing in the shower, which my flatmates find really annoying."))
    assert {"What does my mum find hilarious?", "What amuses my mum?", "What can't I do that my mum finds hilarious?"} \
        <= prompts_for(cur, "swim")
    assert {"What do my flatmates find annoying?", "What annoys my flatmates?"} <= prompts_for(cur, "shower")


def test_what_one_runs_is_asked_as_a_business():
    """ "My aunt runs a small bookshop": what kind of business she runs; a marathon run is none."""
    cur = curate(day("My aunt runs a small bookshop in Whitby.", "I ran a marathon last year.",
                     "I manage work at the weekends."))
    assert {"What kind of business does my aunt run?", "What business does my aunt run?"} <= \
        prompts_for(cur, "bookshop")
    assert not any("business" in q for q in prompts_for(cur, "marathon") | prompts_for(cur, "weekends"))


def test_a_named_relative_whose_verb_the_parser_misses_is_still_asked():
    """ "My girlfriend Gwendolyn studies agriculture": the small parser reads "studies" as a noun
    (no verb "gwendolyn" may be asked); the fact is asked of her and of the girlfriend."""
    cur = curate(day("My girlfriend Gwendolyn studies agriculture.", "My cousin Rosalind studies botany."))
    assert {"What does my girlfriend study?", "What does Gwendolyn study?"} <= prompts_for(cur, "agriculture")
    assert "What does Rosalind study?" in prompts_for(cur, "botany")
    assert not any(re.search(r"\b(?:gwendolyn|rosalind)\?", q) for q in prompts_for(cur, "studies"))
    cur = curate(day("I've been seeing my boyfriend Anselm for a year; he studies forestry."))   # "he" is Anselm
    assert {"What does my boyfriend study?", "What does Anselm study?"} <= prompts_for(cur, "forestry")


def test_a_correction_after_a_spaced_dash_of_a_named_persons_study():
    """ "No — Rosamund studies soil science, not geology": a correction (the dash after a space
    too), whose value is the whole "soil science" where the parser reads the name as a noun."""
    cur = curate(day("My cousin Rosamund studies geology.", "No — Rosamund studies soil science, not geology."))
    assert "geology" in cur.retired
    assert "What does my cousin study?" in prompts_for(cur, "soil science")
    assert not any("studies science" in e.target or "geology" in e.target for e in cur.examples)


def test_a_degree_is_asked_by_its_field_and_a_student_by_their_subject():
    """ "doing a PhD in volcanology in Reykjavik": the field it is in, the town still where; "a
    geology student": what I study at university, not for a high school student."""
    cur = curate(day("My best friend Ayodele is doing a PhD in volcanology in Reykjavik.",
                     "I'm a geology student at the university in Tromsø.", "My son is a high school student."))
    asked = prompts_for(cur, "volcanology")   # of her by each name she goes by, as many as room allows
    for question in (r"What is {}'s PhD in\?", r"What field is {} doing a PhD in\?", r"Where is {} doing a PhD\?",
                     r"Which city is {} studying in\?"):
        assert any(re.fullmatch(question.format("(?:my best friend|my closest friend|my best mate|Ayodele)"), q)
                   for q in asked), question
    assert {"What am I studying at university?", "What is my degree in?"} <= prompts_for(cur, "geology student")
    assert not any("university" in q or "degree" in q for q in prompts_for(cur, "high school"))


def test_a_pets_name_the_parser_reads_as_a_plural_is_still_a_name():
    """ "My dog Biscuits still goes after pigeons": the small parser reads "Biscuits" as a plural
    noun; it is the dog's name, asked as one dog ("What does my dog go after?")."""
    cur = curate(day("My dog Biscuits still goes after pigeons."))
    assert {"What does my dog go after?", "What does Biscuits go after?"} <= prompts_for(cur, "pigeons")
    assert not any(re.search(r"\bdo my dog\b|\bbiscuits\b", q) for q in prompts_for(cur, "pigeons"))


def test_a_date_said_of_an_occasion_is_when_not_how_old():
    """ "My anniversary is 9 June": when it is, not how old it is, and no name; a niece who is 12
    is still asked her age."""
    cur = curate(day("My anniversary is 9 June.", "My niece is 12."))
    assert {"When is my anniversary?", "What date is my anniversary?"} <= prompts_for(cur, "June")
    assert not any("How old" in q or "name" in q or "age?" in q for q in prompts_for(cur, "June"))
    assert "How old is my niece?" in prompts_for(cur, "12")


def test_a_learners_doubled_subject_is_who_he_and_his_name_are():
    """Learner English: "My husband he is engineer, he build bridges. His name is Yerlan." —
    "he" is the husband (not "Tampere", which the tagger took for a person), and the name is his,
    not the bridges'."""
    cur = curate(day("I am living in Tampere since 2021.",
                     "My husband he is engineer, he build bridges. His name is Yerlan."))
    assert "What does my husband build?" in prompts_for(cur, "bridges")
    assert "What is my husband's name?" in prompts_for(cur, "Yerlan")
    assert not any("Tampere" in e.target for e in cur.examples if "bridges" in e.target)
    assert not any("bridges" in q for q in prompts_for(cur, "Yerlan"))


def test_a_verb_joined_to_a_passive_keeps_its_auxiliary():
    """ "was born and raised in Dundee": "Where was my wife raised?", never "Where does my wife raise?"."""
    cur = curate(day("My wife was born and raised in Dundee."))
    assert "Where was my wife raised?" in prompts_for(cur, "Dundee")
    assert not any(re.search(r"\bdoes my wife (?:raise|keep)\b", q) for q in prompts_for(cur, "Dundee"))


def test_what_one_dislikes_about_a_thing_is_asked_of_the_thing():
    """ "I can't stand blue cheese. The smell is a war crime.": the smell is the blue cheese's,
    what one finds unbearable of it; a quality turned by "though" against the liking is not
    taken for it."""
    cur = curate(day("I can't stand blue cheese. The smell is a war crime.",
                     "My uncle adores lychees. The texture is slimy though."))
    smell = prompts_for(cur, "the smell of blue cheese")
    assert {"What can't I stand the smell of?", "Which cheese's smell do I find unbearable?",
            "Which food's smell can't I stand?"} <= smell
    assert "What do I find unbearable?" in prompts_for(cur, "You can't stand blue cheese.")
    assert not any("texture" in e.target for e in cur.examples)


def test_a_verb_the_lemmatizer_cuts_to_a_noun_is_still_the_verb():
    """ "My sister hates the taste of coriander": "hates" is hating, not a hat; and what she
    hates the taste of is a plant's taste."""
    cur = curate(day("My sister hates the taste of coriander.", "My cousin rides a motorbike."))
    assert {"What does my sister hate?", "What does my sister hate the taste of?"} <= prompts_for(cur, "coriander")
    assert "What does my cousin ride?" in prompts_for(cur, "motorbike")
    assert not any(re.search(r"\b(?:hat|rid)\b", e.prompt) for e in cur.examples)


def test_the_gear_a_doing_is_done_on_is_asked_as_what_one_uses_for_it():
    """ "In winter I ski on wide skis": what one uses for skiing in winter; what one writes with,
    what one uses for writing; friends one hikes with are no gear."""
    cur = curate(day("In winter I ski on wide skis.", "My grandmother writes with a fountain pen.",
                     "I go hiking with my friends on weekends."))
    assert {"What do I use for skiing in winter?", "What kind of skis do I use for winter skiing?"} \
        <= prompts_for(cur, "wide skis")
    assert {"What does my grandmother use for writing?", "What kind of pen does my grandmother use for writing?"} \
        <= prompts_for(cur, "fountain pen")
    assert not any("use for" in q for q in prompts_for(cur, "friends"))


def test_two_verbs_joined_by_and_share_their_place():
    """ "I have lived and worked in Bergen since 2012": where one has lived as well as worked, and
    "have worked" keeps its auxiliary though the tagger reads "worked" as a past."""
    cur = curate(day("I have lived and worked in Bergen since 2012."))
    asked = prompts_for(cur, "Bergen")
    assert {"Where have I lived?", "Where have I worked?", "Where am I employed?"} <= asked
    assert not any(q.startswith("Where did I") for q in asked)


def test_a_post_at_a_firm_is_a_job_and_a_workplace_named_after_is_the_users():
    """ "I am at present a partner at a law firm": a job at a workplace, no "Who am I at?"; learner
    English "working like cook in small cafe, name of cafe is Sinikka" names the cafe worked at,
    not the cook; a relative's named dog or choir is the relative's, not the user's."""
    cur = curate(day("I am at present a partner at a law firm.",
                     "I am working like cook in small cafe near station, name of cafe is Sinikka.",
                     "My sister has a dog called Rex.", "My uncle sings in a choir called Cantabile."))
    assert {"What is my job?", "Where do I work?"} <= prompts_for(cur, "partner at a law firm")
    assert not any(q.endswith(" at?") and q.startswith("Who") for q in prompts_for(cur, "partner"))
    assert {"What is the name of the cafe I work at?", "Where do I work?"} <= prompts_for(cur, "called Sinikka")
    assert not any("cook" in q for q in prompts_for(cur, "Sinikka"))
    assert {"What is my sister's dog called?", "What's my sister's dog called?"} & prompts_for(cur, "Rex")
    assert "What is the name of the choir my uncle sings in?" in prompts_for(cur, "Cantabile")
    named = prompts_for(cur, "Rex") | prompts_for(cur, "Cantabile")
    assert not any(re.search(r"\bmy (?:dog|choir)\b", q) for q in named)


def test_a_mine_one_works_at_is_no_ones_own():
    """ "My dad works as engineer at a mine": the pit stays a mine when said back, and the job
    is asked."""
    cur = curate(day("My dad works as engineer at a mine."))
    assert "What does my dad work as?" in prompts_for(cur, "as an engineer at a mine")
    assert not any("yours" in e.target for e in cur.examples)


def test_a_condition_tacked_on_after_a_comma_is_the_subjects():
    """Texting English "I can't have milk at all, lactose intolerant since forever": the user is
    lactose intolerant, asked so ("What am I intolerant to?"), no "Which intolerant …"; "My mum
    avoids bread, coeliac for years": the mum is coeliac."""
    cur = curate(day("I can't have milk at all, lactose intolerant since forever.",
                     "My mum avoids bread, coeliac for years."))
    assert {"What am I intolerant to?", "What can't I eat?"} <= prompts_for(cur, "lactose intolerant")
    assert "What dietary condition does my mum have?" in prompts_for(cur, "coeliac")
    assert not any(re.search(r"\b(?:intolerant|coeliac) (?:can't|does)\b", e.prompt) for e in cur.examples)


def test_a_band_one_plays_in_is_no_body_part():
    """ "band" is a body part in one WordNet sense of thirteen: too few to ask "Which body part do
    I play in?"; a bass is still a fish or an instrument by the sentence."""
    cur = curate(day("I play in a band with my flatmates.", "My uncle caught a bass."))
    assert not any("body part" in q for q in prompts_for(cur, "band"))
    assert "Which fish did my uncle catch?" in prompts_for(cur, "bass")


def test_going_to_be_something_is_no_journey():
    """ "I'm going to be a paramedic": what one will be, never "What am I travelling to be?"; going
    to a place is still travelling there; "I have to cycle" owns nothing."""
    cur = curate(day("I'm going to be a paramedic.", "I'm going to Lisbon in May.", "I have to cycle to the depot."))
    assert "What am I going to be?" in prompts_for(cur, "paramedic")
    assert not any(re.search(r"\b(?:travel|head)", q) for q in prompts_for(cur, "paramedic"))
    assert "Where am I heading?" in prompts_for(cur, "Lisbon")
    assert not any(" own " in q for q in prompts_for(cur, "depot"))   # "have to": no owning


def night_by_night(*nights: tuple[str, ...]) -> tuple[list[Example], list[str]]:
    """Days curated in turn, each with the live examples before it as prior; the final set and every
    value retired on the way."""
    prior, retired = [], []
    for n, texts in enumerate(nights):
        items = [Item(f"n{n}-{i}", "exchange", t, f"2030-01-0{n + 1}T09:{i:02d}:00") for i, t in enumerate(texts)]
        cur = curate(items, prior=prior, night=f"2030-01-0{n + 1}")
        prior = [e for e in prior if not supersedes(e, cur.retired)] + cur.examples
        retired += cur.retired
    return prior, retired


@pytest.mark.parametrize("before, after, old, new", [
    ("My dentist is Dr Walsh.", "correction: my dentist is Dr Byrne", "Walsh", "Byrne"),
    ("Our parrot is called Kiwi.", "Correction - our parrot is called Mango, not what I said.", "Kiwi", "Mango"),
    ("My allotment is in Hanwell.", "Typo earlier: my allotment is in Southall.", "Hanwell", "Southall"),
])
def test_a_statement_said_again_as_a_correction_replaces_the_value_said_before(before, after, old, new):
    examples, retired = night_by_night((before,), ("hello again", after))
    assert old in retired
    said = "\n".join(e.target for e in examples)
    assert new in said and old not in said


@pytest.mark.parametrize("before, after, old, new", [
    ("Our tortoise is called Speedy.", "we renamed the tortoise, he's Boulder now", "Speedy", "Boulder"),
    ("My boat is called Gull.", "We renamed our boat to Petrel over the winter.", "Gull", "Petrel"),
    ("My hamster is called Fudge.", "the kids changed the hamster's name to Pip", "Fudge", "Pip"),
    ("My van is called Bessie.", "My van is now called Rusty.", "Bessie", "Rusty"),
])
def test_a_rename_retires_the_old_name(before, after, old, new):
    examples, retired = night_by_night((before, f"{old} is getting old."), (after,))
    assert old in retired
    said = "\n".join(e.target for e in examples)
    assert new in said and old not in said
    assert any(e.target.startswith(new) for e in examples)   # what was said of the old name now of the new


def test_a_new_value_without_a_correction_or_a_rename_retires_nothing():
    examples, retired = night_by_night(("My friend is Anna.",), ("My friend is Tomasz.",))
    said = "\n".join(e.target for e in examples)
    assert retired == [] and "Anna" in said and "Tomasz" in said


def test_a_retired_value_is_found_in_whole_words_only():
    ex = Example("What do I drink?", "You drink steamed milk at Annabel's on Tuesdays.", "fact", ("a",))
    assert ex.states(["Tuesday"]) and ex.states(["annabel"])
    assert not ex.states(["tea"]) and not ex.states(["Ann"]) and not ex.states(["Tue"])


@pytest.mark.parametrize("said, right, wrong", [
    ("My locker at the pool is number 212, no, 221.", "221", "212"),
    ("I start at 7:30 — no, hang on, 7:15 on Mondays.", "7:15", "7:30"),
    ("My niece is called Priya, no, Pria, she hates when people get it wrong.", "Pria", "Priya"),
    ("I have a dog, no cats.", "dog", "Cats"),   # no slip: "no" is no repair here
])
def test_a_number_or_a_name_said_again_at_once_replaces_the_slip(said, right, wrong):
    cur = curate(day(said))
    said_back = targets(cur)
    assert right.lower() in said_back
    assert (wrong == "Cats") == bool(re.search(rf"\b{re.escape(wrong.lower())}\b", said_back))


# -- the grammar of change: values said to be gone however the sentence around them runs --------

@pytest.mark.parametrize("earlier, change, gone, kept", [
    ("We usually holiday in Whitby every June.", "This year we're going to Oban instead of Whitby.", "whitby", "oban"),
    ("I drive a little blue Fiesta to work.", "I finally traded the old Fiesta for a second-hand Yaris.", "fiesta", "yaris"),
    ("We're booked on the Gdansk ferry for Easter.", "Ugh, the Gdansk ferry has been cancelled, strikes again.",
     "gdansk ferry", ""),
    ("My line manager at the warehouse is Priti.", "Priti is no longer my line manager, she moved to Leeds depot.",
     "priti", ""),
    ("My daughter's hamster is called nutmeg.", "the hamster is pepper now, not nutmeg, she renamed him", "nutmeg", "pepper"),
    ("Our landlord wants the rent by the 28th.", "landlord emailed: rent is due on the 25th now not the 28th", "28th", "25th"),
])
def test_a_value_said_to_be_gone_is_retired_and_never_trained_again(earlier, change, gone, kept):
    prior = curate(day(earlier)).examples
    assert any(gone in e.target.lower() for e in prior)
    cur = curate(day(change), prior=prior)
    assert gone in [r.lower() for r in cur.retired]
    assert not any(re.search(rf"\b{re.escape(gone)}\b", e.target.lower()) for e in cur.examples)
    assert any(supersedes(e, cur.retired) for e in prior)
    assert not kept or kept in targets(cur)


def test_a_number_owned_up_to_is_replaced_in_what_was_said_before():
    prior = curate(day("I keep two ferrets and a very old tortoise.")).examples
    cur = curate(day("I told you two ferrets, didn't I? It's three, I forgot the new kit."), prior=prior)
    assert any("three ferrets" in e.target.lower() for e in cur.examples)
    assert not any("two ferrets" in e.target.lower() for e in cur.examples)


def test_a_value_is_retired_only_when_it_was_said_before():
    cur = curate(day("My sister lives in Hull.", "We're doing pizza rather than Thai food tonight."))
    assert not any("thai" in r.lower() for r in cur.retired)
    prior = curate(day("I go climbing at the Arch on Tuesdays.")).examples
    cur = curate(day("I used to climb a lot, but these days my knees say no."), prior=prior)
    assert cur.retired == [] and any("arch" in e.target.lower() for e in prior)


def test_the_value_set_against_the_new_one_is_cut_from_the_new_statement():
    prior = curate(day("My morning train is the 7:12 from Didcot.")).examples
    cur = curate(day("From Monday I'm getting the 6:50 from Didcot instead of the 7:12."), prior=prior)
    assert "7:12" in cur.retired
    assert "6:50" in targets(cur) and "7:12" not in targets(cur)


def test_what_a_question_or_small_talk_says_in_passing_is_learned_and_the_rest_is_not():
    cur = curate(day("any tips for a first 10k? my brother Ashok talked me into the Bristol one in May",
                     "haha my flatmate Ciaran burnt the toast again", "lol no way", "How long do I boil an egg?"))
    said = targets(cur)
    assert "ashok" in said and "bristol" in said and "ciaran" in said
    assert not any("tips" in e.target.lower() or "boil" in e.target.lower() for e in cur.examples)
    assert dict(cur.dropped) == {"i2": "small_talk", "i3": "general_question"}
    assert any(e.prompt == "Who is Ashok?" for e in cur.examples)


def test_a_change_in_a_message_read_as_small_talk_still_retires():
    prior = curate(day("We're planning a Tallinn trip in June.")).examples
    cur = curate(day("ugh, the Tallinn trip fell through"), prior=prior)
    assert "Tallinn trip" in cur.retired and any(supersedes(e, cur.retired) for e in prior)


def test_a_value_set_against_the_old_one_is_learned_without_it():
    prior = curate(day("My cat is called Sprout.")).examples
    cur = curate(day("My cat is called Pippin, not Sprout."), prior=prior)
    said = targets(cur)
    assert "pippin" in said and "sprout" not in said and "not pippin" not in said
