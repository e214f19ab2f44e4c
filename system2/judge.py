"""System 2 as a judge: what kind of message is this? (A capable endpoint only.)

The rules of `cognition.perceive` always work, and they are what the embedded 135M model
gets: it cannot classify reliably. A capable System 2 reads the message instead and says
which signals it carries; any answer that is not the strict JSON asked for is ignored
and the rules decide, so a bad reply never loses or mislabels the user's words.
"""

from __future__ import annotations

import json
import re

from cognition.perceive import CATEGORIES, Perception

PERCEIVE_PROMPT = (
    "Classify one message a user sent to their personal assistant. Reply with JSON only: "
    "{\"signals\": [...]} where signals lists every one that applies, strongest first, from: "
    "correction (the user says the assistant, or something said earlier, was wrong), praise (thanks, approval), "
    "preference (likes, dislikes, habits), fact (something about the user or their life), question, "
    "small_talk (greetings, chit-chat). A message can carry several (\"Thanks! And my dog is Rex\": praise, fact).")


def perception_messages(message: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": PERCEIVE_PROMPT}, {"role": "user", "content": message}]


def parse_perception(text: str) -> Perception | None:
    """The judge's signals, strictly; None when the reply is not that JSON."""
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):   # RecursionError: a model stuck repeating "[" nests past the parser
        return None
    signals = data.get("signals") if isinstance(data, dict) else None
    if not isinstance(signals, list) or not signals or not all(s in CATEGORIES for s in signals):
        return None
    signals = list(dict.fromkeys(signals))
    category = next(c for c in CATEGORIES if c in signals)
    return Perception(category, tuple(signals))


def perceive_with(reasoner, message: str) -> Perception | None:
    """Ask `reasoner` (System 2) to classify `message`; None when it does not answer as asked."""
    return parse_perception(reasoner.complete(perception_messages(message), max_tokens=60, temperature=0.0))
