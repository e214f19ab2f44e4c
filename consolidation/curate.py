"""Curation: from a day of items to the examples System 1 trains on tonight.

Score every item (personal facts, preferences and corrections high; small talk, thanks
and general questions dropped with their reason), turn each first-person statement into
short second-person targets with pronouns resolved, and ask each one back many ways
(`consolidation.questions`), so a fact said once is recalled however it is asked.
Corrections and updates retire the old value (`consolidation.revise`); statements holding
a secret are dropped whole (`consolidation.secrets`); the questions learned about someone,
asked of someone never mentioned, are answered "You haven't told me that."
(`consolidation.unsaid`).

Why rules and not the model: the embedded SmolLM2-135M-Instruct cannot curate. Asked to
turn each of 10 personal statements into a question/answer pair as JSON (greedy decoding,
this CPU, LocalRuntime on the converted model), it produced strictly parseable
JSON 0/10 times (every reply opens with "JSON:" or trailing commas; 4/10 parse when a
lenient regex cuts out the first {...}), and 0/10 correct pairs: in every parsed reply the
"question" is the statement echoed back, with the answer inside it. So the rules are the
floor, and a capable System 2 passed as `judge` is the curator on top (`consolidation.curator`:
it sees the date, the turns before and what is known, and its statements and retirements go
through the same bookkeeping), its JSON parsed strictly with the rules as the fallback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from cognition.diary import SAID
from cognition.perceive import perceive
from consolidation import lexicon as lx
from consolidation.curator import Curator, Judge
from consolidation.examples import Example, Item
from consolidation.frames import KIND as PROFILE, own_life, profiles
from consolidation.rephrase import sentences
from consolidation.secrets import has_secret
from consolidation.unsaid import KIND as UNSAID, unsaid

THOUGHT_WEIGHT = 0.5


@dataclass
class Curation:
    examples: list[Example] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for ex in self.examples:
            out[ex.kind] = out.get(ex.kind, 0) + 1
        return out


def reward_for(item: Item, previous_items: Sequence[Item] = (), next_item: Item | None = None) -> float:
    """How often `item`'s examples repeat: dopamine times the cortisol boost.

    Dopamine is the item's own tag (praise 1.5, correction 2.0, neutral 1.0), raised to
    1.5 when `next_item` is praise, because thanks praise the exchange before them.
    Cortisol is the item's chemistry snapshot (or, for items without one, the last
    snapshot among `previous_items`); a correction, or cortisol of 0.6 or more,
    multiplies by min(1.5, 1 + cortisol), as the design's "up to 1.5x" boost.
    """
    dopamine = item.reward
    if next_item is not None and perceive(next_item.text).is_praise:
        dopamine = max(dopamine, 1.5)
    cortisol = item.chemistry.get("cortisol")
    if cortisol is None:
        cortisol = next((p.chemistry["cortisol"] for p in reversed(previous_items) if "cortisol" in p.chemistry), 0.0)
    if perceive(item.text).is_correction or cortisol >= 0.6:
        dopamine *= min(1.5, 1.0 + cortisol)
    return round(dopamine, 3)


def supersedes(example: Example, retired: Sequence[str], topics: Sequence[str] = ()) -> bool:
    """Does tonight's curation make this (older) example wrong? Its target holds a retired
    value (case-insensitive), or its topic was replaced by an update tonight."""
    if example.states(retired):
        return True
    return bool(example.topic) and example.topic in set(topics) and example.kind not in ("correction", "update")


def curate(items: list[Item], *, prior: Sequence[Example] = (), judge: Judge | None = None,
           night: str = "", said: Iterable[str] = ()) -> Curation:
    """Today's training examples from today's items; see the module docstring. `said` is what the
    user said on earlier days (the diary), for the questions nobody answered (`unsaid`)."""
    from consolidation.writer import Writer   # the grammar layer loads spaCy on first use

    prior = [e for e in prior if e.kind != UNSAID]   # rebuilt every night from what is known
    writer = Writer(prior=[e for e in prior if e.kind != PROFILE], night=night)   # profiles are rebuilt, not revised
    cur = Curation()
    curator = Curator(judge, writer, known=[e.target for e in prior if e.kind not in (PROFILE, "thought")]) \
        if judge else None
    items = [_plain(item) for item in items]
    for i, item in enumerate(items):
        reward = reward_for(item, items[:i], items[i + 1] if i + 1 < len(items) else None)
        item = _past_thanks(item)   # "Thanks! My sister moved to Leeds.": the thanks was for the answer before
        score, reason = _score(item)
        made = curator.examples(item, reward, night) if curator and reason != "secret" else None
        if made is not None:   # the capable curator judged it, small talk and questions included
            score, reason = curator.score, "" if made or writer.retired_now else "curator_none"
        elif reason == "small_talk" and item.kind == "exchange" and (writer.owned_reference(item.text)
                                                                    or writer.people.resolve(item.text) != item.text):
            score, reason = 0.7, ""   # "The allotment is renowned for …", "He teaches chemistry": of one named before
        if reason in ("small_talk", "general_question") and made is None and item.kind == "exchange" \
                and (passing := writer.in_passing(item, reward)):
            made, score, reason = passing, 0.5, ""   # "any gift ideas for Jonas? he's into film cameras"
        cur.scores[item.id] = score
        if reason:
            cur.dropped.append((item.id, reason))
            if reason != "secret" and made is None and item.kind == "exchange":
                writer.departures(item)   # "the Leeds trip fell through" teaches nothing new, but retires
            if reason == "small_talk" and item.kind == "exchange":
                writer.last_said = item.text   # what a bare "no wait, eighty" after it corrects
            continue
        if made is None:
            made = writer.item(item, reward)
        if not made and not writer.retired_now:
            cur.dropped.append((item.id, "no_fact"))
        writer.retired_now = False
        cur.examples += made
    cur.examples, cur.retired = writer.finish(cur.examples)
    older = [e for e in prior if not supersedes(e, cur.retired)]
    stale = {e.topic for e in prior if e.kind == PROFILE and e.states(cur.retired)}
    cur.examples += profiles(cur.examples, older, night, stale) + own_life(cur.examples, older, night, stale)
    if cur.examples:   # a night with nothing new trains nothing, not even what was never said
        cur.examples += unsaid([*older, *cur.examples], night, [*said, *(i.text for i in items if i.kind in SAID)])
    return cur


def _plain(item: Item) -> Item:
    """The user's words in plain written English ("my sis lives in darwin" → "My sister lives in
    Darwin"): `consolidation.casual`; a slip the message repairs as it goes is left out. The model's own thoughts are left as written."""
    if item.kind in ("thought", "daydream"):
        return item
    from consolidation.casual import normalize
    from consolidation.revise import without_repairs
    from consolidation.writer import speaker_of, spoken_text

    speaker = speaker_of(item)   # "Ines: I adopted a greyhound": the speaker's name is no note's label
    text = without_repairs(normalize(spoken_text(item, speaker)))
    text = f"{speaker}: {text}" if speaker else text
    return item if text == item.text else replace(item, text=text)


def _past_thanks(item: Item) -> Item:
    """What a message says after thanking or praising the answer before it, when that says
    something of a life ("Thanks, that helps. I start at the bakery on Monday." is the bakery);
    the item as it is otherwise. Thanks that say nothing more stay praise."""
    from consolidation.writer import speaker_of, spoken_text

    if item.kind != "exchange" or not perceive(item.text).is_praise:
        return item
    speaker = speaker_of(item)
    said = sentences(spoken_text(item, speaker))
    rest = [s for s in said if not perceive(s).is_praise]
    if not rest or len(rest) == len(said) or perceive(" ".join(rest)).category not in ("fact", "preference",
                                                                                      "correction"):
        return item
    return replace(item, text=f"{speaker}: {' '.join(rest)}" if speaker else " ".join(rest))


# -- scoring ------------------------------------------------------------------------------

_GENERAL_Q = re.compile(r"\?\s*$|^(what|how|why|can|could|is|are|do|does|any|should|which|where|when)\b", re.I)


def _score(item: Item) -> tuple[float, str]:
    """(training value 0..1, reason to drop or "")."""
    if has_secret(item.text) or (item.reply and has_secret(item.reply) and item.kind != "exchange"):
        return 0.0, "secret"
    if item.kind in ("thought", "daydream"):
        return 0.3, ""
    if item.kind in ("document", "note"):
        return 0.6, ""
    from consolidation.writer import ANNOUNCED, spoken_text

    text = spoken_text(item)
    p, said = perceive(text), sentences(text)
    if p.category == "correction" or ANNOUNCED.match(text):
        return 1.0, ""
    if p.category in ("preference", "fact"):
        return 0.9 if p.category == "fact" else 0.8, ""
    if p.category == "question":   # "I go to chess club, name is Ratsu. …, in English is knight?": the statement stays
        stated = [s for s in said if not s.rstrip().endswith("?")]
        if stated and perceive(" ".join(stated)).category in ("fact", "preference", "correction"):
            return 0.8, ""
        if _NAMED_ROLE.search(text):   # "What should I get my cat Tuppen for Christmas?": the cat's name stays
            return 0.6, ""
        return 0.1, "general_question"
    if p.category == "praise":
        return 0.1, "praise"
    if any(_ABOUT_SOMEONE.match(s) and len(s.split()) >= 4 for s in said):
        return 0.7, ""   # "She's a glassblower": a fact about someone named earlier, in any sentence
    return 0.0, "small_talk"


_NAMED_ROLE = re.compile(rf"\bmy (?:{lx.ROLES_PATTERN}),? [A-Z][a-z]+")
_ABOUT_SOMEONE = re.compile(r"^(?:(?:and|also|oh,? and|so|plus),?\s+)?"
                            r"(?!(?:hi|hello|hey|okay|ok|good|bye|thanks|right|well|alright|great|sure|cool|yes|no)\b)"
                            r"(?:(?:he|she|(?:(?:mr|mrs|ms|dr|prof)\.?\s+)?[A-Z][a-z]+)(?:'s\s|\s+(?:is|has|was|grew|went|got|came|made|took|had|"
                            r"(?!this\b|thanks\b)\w+(?<!s)s|\w+ed)\b)|"
                            # "Vasco and his wife are expecting", "Ana and Rui got married": two people at once
                            r"[A-Z][a-z]+ and (?:(?:his|her|their) \w+|[A-Z][a-z]+) (?:are|were|have|had|\w+ed)\b)",
                            re.IGNORECASE)
