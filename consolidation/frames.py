"""Generic frames: every statement is also learned under the things it is about.

The question rules (`consolidation.questions`) ask a statement back by its parse, and a
statement whose shape no rule knows gets few questions or none. Whatever its shape, a
statement about someone or something of the user's is about *that*: "Your daughter Juniper
plays goalie" is what the user told about their daughter and about Juniper. So each night
every such thing gets one profile, the statements still true about it, asked as a person
asks after a thing ("What do you know about my daughter?", "Tell me about Juniper.").

Why one target holding them all, and not one example a statement: the same prompt taught
five different answers teaches none of them, and a question the rules never wrote ("How old
is my daughter now?") lands nearest the profile prompt, whose answer then holds it. The
profile is rebuilt from the live statements every night a statement about it is said, and the
older profile under the same prompt is retired (`ReplayBuffer.add`), so a corrected or
outdated value leaves it with its statement.

Keys come from the parse, not from a word list: a possessive ("your sister's dog", "Maya's
flat"), with the capitalised words after a role as its name ("your daughter Juniper"), and the
people the entity recogniser finds.

Two more frames need no rule either. The user's own statements join the part of a life they
belong to (work, home, food, health …, by the embedder) and are asked after by that part
(`own_life`: "What is my job?" answers with all that was said of work). And every statement is
asked back in its own words, one part at a time (`echoes`: "I keep bees on an allotment
where?"), so a question sharing its words finds it whatever its shape.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import takewhile
from typing import Iterable, Sequence

from consolidation import lexicon as lx
from consolidation.examples import Example

KIND = "profile"
STATED = ("fact", "preference", "correction", "update", "document")   # what the user said, not what was thought
MOST = 6            # statements a profile holds, the latest ones
_VAGUE = {"name", "names", "time", "times", "way", "day", "days", "life", "thing", "things", "lot", "bit", "own",
          "part", "kind", "sort", "favourite", "favorite", "one", "ones", "turn", "fault", "opinion", "mind", "side"}


@dataclass(frozen=True)
class Key:
    about: str          # as the user asks after it: "my daughter", "Juniper", "Maya's flat"
    names: tuple[str, ...] = ()   # names it goes by: "your daughter Juniper" → ("Juniper",)


@lru_cache(maxsize=8192)
def keys_of(statement: str) -> tuple[Key, ...]:
    """The things a second-person statement is about (see the module docstring)."""
    from consolidation.rephrase import parse

    doc = parse(statement)
    out: dict[str, set[str]] = {}
    for tok in doc:
        if tok.dep_ != "poss" or tok.head.pos_ not in ("NOUN", "PROPN"):
            continue
        owner = _owner(tok)
        if owner is None:
            continue
        head = tok.head
        phrase = [t for t in doc[tok.i + 1:head.i + 1] if t.dep_ in ("compound", "amod", "nmod") or t == head]
        words = [t.lower_ for t in phrase if not t.text[:1].isupper() and t.pos_ != "PROPN"]
        names = [t.text for t in phrase if t.text[:1].isupper() and t.pos_ == "PROPN"]
        if head.pos_ == "PROPN" and head.text[:1].isupper():
            names = list(dict.fromkeys(names + [head.text]))
        # "your mum Debs", however the parser hangs the name on her
        names += [t.text for t in takewhile(_named, doc[head.i + 1:head.i + 3])]
        words = [w for w in words if w not in lx.NOISE_ADJ and (w not in lx.ROLE_ADJ or " ".join(words) in lx.ROLES)]
        if not words or words[-1] in _VAGUE or not words[-1].isalpha():
            continue
        if head.dep_ == "poss" and not names and not _is_someone(" ".join(words)):
            continue   # "my skipper's licence" is about the licence; "my sister's dog" about her too
        about = f"{owner} {' '.join(words)}"
        out.setdefault(about, set()).update([" ".join(names)] if names else [])
    people = [ent.text for ent in doc.ents if ent.label_ == "PERSON"]
    people += [t.text for t in doc if t.dep_ in ("nsubj", "nsubjpass") and _named(t) and t.ent_type_ in ("", "PERSON")]
    for name in people:   # "Caroline went to a support group", "… with her friend Mel"
        name = name.removesuffix("'s").removesuffix("’s")
        if name[:1].isupper() and len(name) > 1 and not any(name in n for ns in out.values() for n in ns):
            out.setdefault(name, set())
    return tuple(Key(about, tuple(sorted(names))) for about, names in out.items())


def _named(tok) -> bool:
    return tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.text.isalpha()


def _owner(tok) -> str | None:
    """Whose: "your" is the user's ("my"); a name's is the name's; "your sister's" the sister's."""
    if tok.lower_ == "your":
        return "my"
    if tok.pos_ == "PROPN" and tok.text[:1].isupper():
        return tok.text.removesuffix("'s") + "'s"
    inner = next((c for c in tok.children if c.dep_ == "poss"), None)
    if tok.pos_ == "NOUN" and inner is not None and (owner := _owner(inner)):
        return f"{owner} {tok.lower_}'s"
    return None


_ASKS_AFTER = re.compile(r"^(?:What do you know about|Tell me about|What did I tell you about) (?:my |[A-Z])")


def asks_after(question: str) -> bool:
    """Does the question ask after a thing of the user's or a named one as a whole ("Tell me about my
    sister.")? Its answer is the profile, not one statement: the same prompt taught two answers
    teaches neither."""
    return bool(_ASKS_AFTER.match(question))


def prompts(key: Key) -> list[str]:
    about = key.about
    out = [f"What do you know about {about}?", f"Tell me about {about}.", f"What did I tell you about {about}?"]
    for name in key.names:
        out += [f"What do you know about {name}?", f"Tell me about {name}."]
    return out


def statements(examples: Iterable[Example]) -> dict[str, list[Example]]:
    """Each distinct statement (target) of what was said, with the examples that teach it, in order."""
    out: dict[str, list[Example]] = {}
    for ex in examples:
        if ex.kind in STATED and ex.target.strip():
            out.setdefault(ex.target, []).append(ex)
    return out


def profiles(today: Sequence[Example], older: Sequence[Example], night: str = "",
             stale: Iterable[str] = ()) -> list[Example]:
    """Tonight's profile examples: for each thing a statement of tonight is about, or whose older
    profile (its topic in `stale`) states a value tonight retired, its latest statements (older
    ones first), under every prompt that asks after it. `older` are the live examples from before
    tonight, already without the ones tonight retired."""
    stale = set(stale)
    said = statements([*older, *today])
    tonight = set(statements(today))
    by_key: dict[str, list[str]] = defaultdict(list)
    names: dict[str, set[str]] = defaultdict(set)
    for statement in said:
        for key in keys_of(statement):
            by_key[key.about].append(statement)
            names[key.about].update(key.names)
    for about, aliases in list(names.items()):   # what is said of "Juniper" is said of "my daughter"
        for name in aliases:
            if name in by_key and name != about:
                by_key[about] = list(dict.fromkeys(by_key[about] + by_key.pop(name)))
    out = []
    for about, stated in by_key.items():
        if not tonight.intersection(stated) and f"{KIND}:{about}" not in stale:
            continue
        out += _profile(prompts(Key(about, tuple(sorted(names.get(about, ()))))), stated, said, about, night)
    return out


def _profile(asked: list[str], stated: list[str], said: dict[str, list[Example]], topic: str,
             night: str) -> list[Example]:
    """One answer, the latest statements, under every prompt in `asked`; its provenance is every
    example that taught one of them, and a retired value one keeps of someone else stays kept."""
    kept = _latest(stated)
    teaching = [ex for s in kept for ex in said[s]]
    sources = tuple(dict.fromkeys(src for ex in teaching for src in ex.sources))
    keeps = tuple(dict.fromkeys(v for ex in teaching for v in ex.keeps))   # "Darwin is where my cousin is"
    reward = max(ex.reward for ex in teaching)
    target = " ".join(kept)
    return [Example(p, target, KIND, sources, reward, f"{KIND}:{topic}", (), night, keeps) for p in asked]


def _latest(stated: list[str]) -> list[str]:
    """The last `MOST` statements, leaving out one that another kept statement already says."""
    kept: list[str] = []
    for s in reversed(stated):
        if not any(s.rstrip(".").casefold() in k.casefold() for k in kept):
            kept.append(s)
        if len(kept) == MOST:
            break
    return kept[::-1]


def replaced(examples: Iterable[Example]) -> set[str]:
    """The prompts tonight's profiles answer anew: an older profile under one of them is out of date."""
    return {ex.prompt for ex in examples if ex.kind == KIND}


# -- the user's own life, by the parts people ask after as a whole -------------------------------

# Each part of a life with the questions that ask after it as a whole. A statement of the
# user's own joins the part whose questions it answers best (all-MiniLM-L6-v2), so "Which firm
# do I work for now?" finds what was said of work however it was said.
DOMAINS = {
    "work": ("job, career, employer, company, office, boss, colleagues, shifts, salary",
             ["What do I do for work?", "What is my job?", "Where do I work?", "Tell me about my work."]),
    "home": ("home, house, flat, town, city, neighbourhood, street, moving house",
             ["Where do I live?", "Where is my home?", "Tell me about my home."]),
    "origin": ("age, birthday, born, grew up, childhood, nationality, name",
               ["What age am I?", "Where am I from?", "Where did I grow up?", "Tell me about myself."]),
    "food": ("food, drink, cooking, meals, coffee, tea, favourite dish, dislikes eating",
             ["What do I like to eat?", "What do I like to drink?", "Which foods do I love or hate?",
              "Tell me what I eat and drink."]),
    "health": ("health, illness, doctor, hospital, medicine, pills, allergy, injury, diet, sleep",
               ["What health problems do I have?", "What am I allergic to?", "What medicine do I take?",
                "Tell me about my health."]),
    "pastimes": ("hobbies, sport, games, music, instruments, bands, books, films, clubs, weekends",
                 ["What are my hobbies?", "What do I do in my free time?", "Which sport do I play?",
                  "What music do I like?", "Tell me about my hobbies."]),
    "learning": ("school, university, studying, exams, courses, degree, languages, teachers",
                 ["What am I studying?", "Which languages do I speak?", "Where did I go to school?",
                  "Tell me about my studies."]),
    "plans": ("plans, trips, holidays, travel, flights, appointments, next week, next month",
              ["What are my plans?", "Where am I going soon?", "Tell me about my plans."]),
    "belongings": ("car, bike, phone, computer, clothes, things I own, money",
                   ["What car do I drive?", "What things do I own?", "Tell me about my things."]),
}
FIT = 0.2   # the least cosine between a statement and a part for it to join that part (MiniLM runs low)


def own_life(today: Sequence[Example], older: Sequence[Example], night: str = "",
             stale: Iterable[str] = ()) -> list[Example]:
    """The user's own statements by part of life, each part asked after by its questions: the
    parts a statement of tonight joined, with their latest statements (as `profiles`)."""
    said = statements([*older, *today])
    mine = [s for s in said if _of_the_user(s)]
    if not mine:
        return []
    parts = _parts(mine)
    tonight = set(statements(today))
    out = []
    stale = set(stale)
    for part, stated in parts.items():
        if tonight.intersection(stated) or f"{KIND}:{part}" in stale:
            out += _profile(DOMAINS[part][1], stated, said, part, night)
    return out


@lru_cache(maxsize=8192)
def _of_the_user(statement: str) -> bool:
    """Said of the user themself: "you" is a subject, or "your" owns the subject and it is no one."""
    from consolidation.rephrase import parse

    for tok in parse(statement):
        if tok.lower_ == "you" and tok.dep_ in ("nsubj", "nsubjpass"):
            return True
        if tok.lower_ == "your" and tok.head.dep_ in ("nsubj", "nsubjpass") and not _is_someone(tok.head.lower_):
            return True
    return False


def _is_someone(word: str) -> bool:
    return word in lx.ROLES or lx.is_person_role(word)


@lru_cache(maxsize=1)
def _part_vectors():
    """Each part's description and questions embedded once, with the part each row belongs to."""
    import numpy as np

    from cognition.index import embed

    owner = [n for n, (about, asks) in DOMAINS.items() for _ in (about, *asks)]
    return np.array(embed([q for about, asks in DOMAINS.values() for q in (about, *asks)])), owner


def _parts(mine: list[str]) -> dict[str, list[str]]:
    import numpy as np

    from cognition.index import embed

    parts, owner = _part_vectors()
    scores = np.array(embed(mine)) @ parts.T   # unit vectors: the cosines
    out: dict[str, list[str]] = defaultdict(list)
    for statement, row in zip(mine, scores):
        if row.max() >= FIT:
            out[owner[int(row.argmax())]].append(statement)
    return out


# -- echo questions: the statement itself, with one of its parts asked ------------------------------

_PLACES = ("GPE", "LOC", "FAC")
_TIMES = ("DATE", "TIME")
_AMOUNTS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")
_WHERE_PREPS = {"in", "at", "to", "from", "near", "into", "outside"}   # "live on London Fogs" is no place
_PLACE_OR_TIME = _WHERE_PREPS | {"on", "during", "since", "by"}
MOST_ECHOES = 6


def echoes(clause: str, most: int = MOST_ECHOES) -> list[str]:
    """A first-person statement asked back in its own words, one part at a time ("I work nights at
    Mardyke General" → "I work nights at which general?", "Where do I work nights?" is the rules'):
    whatever the sentence's shape, a question that shares its words with the statement finds it,
    which is how a small model answers a wording no rule wrote."""
    from consolidation.rephrase import parse

    doc = parse(clause.strip())
    ents = [e for e in doc.ents if e.label_ in _TIMES + _AMOUNTS + _PLACES + ("PERSON",)
            and (e.label_ not in _TIMES or any(t.like_num or t.text[:1].isupper() for t in e))]   # no "for when"
    chunks = [c for c in doc.noun_chunks if c.root.pos_ != "PRON"
              and not any(c.start < e.end and e.start < c.end for e in ents)]
    spans = [s for s in ents + chunks if not _owner_subject(s) and s.start > 0]
    out = []
    for span in sorted(spans, key=lambda s: s.start):
        start, end = span.start, span.end
        named = [t for t in span if t.pos_ == "PROPN"]
        if named and named[0].i > start and span[named[0].i - start - 1].pos_ == "NOUN":
            start = named[0].i   # "her husband Tom": who he is, not which husband
        prep = span.root.head if span.root.dep_ == "pobj" else None
        wh = _wh(doc[start:end], prep)
        if wh in ("where", "when") and prep is not None and prep.i == start - 1 and prep.lower_ in _PLACE_OR_TIME:
            start -= 1   # "in Cork" is where, "on Fridays" when
        if start == 0 or not wh:
            continue   # "On Saturdays I volunteer": a question opening on "When" is the rules' to write
        kept = lambda part: " ".join(t.text for t in part if not _hedge(t))   # noqa: E731
        text = " ".join([kept(doc[:start]), wh, kept(doc[end:])]).replace(" ,", ",").replace(" '", "'").strip(" .!,;")
        question = text[:1].upper() + text[1:] + "?"
        if question not in out and len(doc[:start]) + len(doc[end:]) >= 2:
            out.append(question)
    return out[:most]


def _hedge(tok) -> bool:
    """"basically", "honestly": a speaker's hedge, no part of what is asked."""
    return tok.dep_ == "advmod" and tok.lower_.endswith("ly") and tok.head.pos_ in ("VERB", "AUX")


def _owner_subject(chunk) -> bool:
    """The subject is what the statement is about, not a part to ask (the rules ask "Who …?"); nor
    is the role before a name, which the name asks ("her husband" of "her husband Tom")."""
    doc = chunk.doc
    named = chunk.end < len(doc) and doc[chunk.end].pos_ == "PROPN"
    after_role = chunk.start > 0 and doc[chunk.start - 1].pos_ == "NOUN" and chunk.root.pos_ == "PROPN"
    subject = chunk.root.dep_ in ("nsubj", "nsubjpass") or after_role and doc[chunk.start - 1].dep_ in ("nsubj", "nsubjpass")
    return subject or named


def _wh(span, prep=None) -> str:
    label = span.root.ent_type_
    if label == "PERSON":
        return "who"
    if label in _PLACES or span.root.pos_ == "PROPN" and prep is not None and prep.lower_ in _WHERE_PREPS:
        return "where"
    if len(span) == 1 and span.root.like_num and span.root.head.lemma_ == "be":
        return ""   # "Torunn is 71": a measure whose unit goes unsaid (the rules ask "How old")
    if label in _TIMES:
        return "when"
    if label in _AMOUNTS or span.root.like_num:
        return "how many" if span.root.like_num and span.root == span[-1] else "what number"
    root = span.root
    if root.pos_ == "PROPN" or not root.is_alpha:
        return "what"
    return f"which {root.text}" if any(t.dep_ in ("det", "poss", "amod", "compound") for t in span) else "what"
