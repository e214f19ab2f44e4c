"""Perception: what kind of message is this? Rules that work without any model.

The embedded 135M model cannot classify reliably, so perception is a set of rules
over the wording that people use for corrections, praise, preferences and personal
facts. A capable System 2 can be asked as a judge by the layers above; these rules
remain the floor that always works.

Categories: correction, praise, preference, fact, question, small_talk. A message can
carry several signals ("Thanks! And my dog is called Rex" is praise and a fact); the
category is the strongest one, and `signals` lists them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CATEGORIES = ("correction", "praise", "preference", "fact", "question", "small_talk")

_CORRECTION = re.compile(
    r"^\s*(no\s?[,.!—–-]|nope|not quite|actually[, ]|wrong|sorry,? (that'?s|that is|i) (wrong|meant|mixed)|correction)"
    r"|\b(that'?s|that is|you'?re|you are) (wrong|not right|incorrect|mistaken)"
    r"|\bi meant\b|\bi mean,? (?:\S+ ?){1,3}[.!]?$|\bi (said|wrote|typed) .{1,60}\b(but|,) (it'?s|it is|actually|i meant)"
    r"|\bnot .{1,40}, (but|it'?s)\b|\b(mixed|mix) (it|them) up\b|\bi misspoke\b|\bcorrect(ion)?:"
    r"|^\s*(no+,? wait|wait,? no|oh,? wait|oops|whoops|scratch that|my bad)\b"
    r"|\b(typo|autocorrect(ed)?|misstated|misspoke|correct myself|i was wrong|i got (that|it) wrong|i made a mistake)\b",
    re.IGNORECASE)
_PRAISE = re.compile(
    r"\b(thanks?( you)?|thx|perfect|great (answer|tip|idea|job)|exactly what i needed|that'?s (really )?(helpful|great|"
    r"perfect|brilliant|spot on|right|useful|clearer)|well done|good job|nice one|brilliant|spot on|you'?re right|"
    r"love (it|that)|very helpful|clearer than)\b", re.IGNORECASE)
_PREFERENCE = re.compile(
    r"\bi (really |absolutely |just |do not |don'?t |can'?t |cannot )?(love|like|prefer|enjoy|hate|dislike|adore|"
    r"(?:can'?t|cannot) (?:stand|bear|abide)|loathe|detest|avoid|never eat|always|usually|drink|eat|take my)\b"
    r"|\b(i'?m|i am|we'?re|we are) (\w+ )?(obsessed with|crazy about|mad about|nuts about|passionate about"
    r"|(a )?(huge|big) fan of)\b"
    r"|\b(my )?(absolute |all-time )?favou?rite\b|\ballergic to\b|\bi'?m (a )?(vegetarian|vegan)\b|\bplease (never|always)\b",
    re.IGNORECASE)
_FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|my|mine|we|we're|our|me)\b", re.IGNORECASE)
# The speaker as subject or owner ("I", "we", "my", "our"); "me" alone ("tell me") is not
# a statement about oneself.
_SELF = re.compile(r"\b(i|we|my|our)\b", re.IGNORECASE)
_FACT_VERB = re.compile(
    r"\b(is|are|am|'m|was|were|'ve|been|live[sd]?|work(s|ed)?|called|named|born|grew|moved|started|have|has|own|"
    r"drive|play|study|studied|married|turn(ed|s)?|got|just|now|since|years? old|\d+)\b", re.IGNORECASE)
# Replies that mention the speaker but say nothing about them.
_PHATIC = re.compile(
    r"^\s*(i (see|agree|understand|guess|suppose|know|think so|don'?t know|'?m not sure)|"
    r"i'?m (fine|good|ok|okay|great|well|back|here|sorry|glad|done|ready)|me too|same here)\b[\s.!,]*$",
    re.IGNORECASE)
# Any sentence ending in "?" asks something. A message that only opens like a question
# ("When I was young ...") is a statement when it ends with a full stop; requests
# ("tell me ...", "explain ...") ask either way.
_QUESTION = re.compile(
    r"\?(\s|$)|^\s*(tell me|explain|give me|suggest|recommend)\b"
    r"|^\s*(what|when|where|who|whom|which|why|how|can|could|would|should|is|are|do|does|did|will|any)\b.*[^.!\s]\s*$",
    re.IGNORECASE)
# Statements with this many words or more that speak of the speaker are personal facts,
# whatever their verb ("my son runs a surf school", "I grew up in Moose Jaw").
_FACT_MIN_WORDS = 5
_SMALL_TALK = re.compile(r"^\s*(hi|hello|hey|good (morning|evening|night|afternoon)|bye|see you|talk (soon|tomorrow|"
                         r"later)|ok(ay)?|cool|haha|lol|how are you)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Perception:
    category: str
    signals: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_correction(self) -> bool:
        return "correction" in self.signals

    @property
    def is_praise(self) -> bool:
        return "praise" in self.signals


def perceive(message: str) -> Perception:
    """Classify a user's message by its wording."""
    text = " ".join(message.split()).replace("\u2019", "'")  # curly apostrophes from phones
    signals = []
    if _CORRECTION.search(text):
        signals.append("correction")
    if _PRAISE.search(text):
        signals.append("praise")
    personal = bool(_FIRST_PERSON.search(text))
    question = bool(_QUESTION.search(text))
    if personal and _PREFERENCE.search(text):
        signals.append("preference")
    elif (_SELF.search(text) and not question and not _PHATIC.match(text)
          and (_FACT_VERB.search(text) or len(text.split()) >= _FACT_MIN_WORDS)):
        signals.append("fact")
    if question:
        signals.append("question")
    if not signals:
        signals.append("small_talk")
    elif _SMALL_TALK.search(text) and signals == ["question"] and len(text) < 40:
        signals = ["small_talk"]
    category = next(c for c in CATEGORIES if c in signals)
    return Perception(category, tuple(signals))
