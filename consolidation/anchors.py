"""Anchors: the base's own answers to general questions, rehearsed every night.

Measured on the embedded base: every learning rate that teaches personal facts also
teaches the model to answer everything as one ("The capital of France is Porto"), and
the reference perplexity drifts past its bound after a single night. Mixing the base's
own answers to general questions into the replay share of every batch anchors the
adapter to what the base already did well (self-distillation, no external data).
The answers are generated once per base and cached beside the user's adapters.
"""

from __future__ import annotations

import json
from pathlib import Path

from cognition.home import atomic_write_text
from consolidation.examples import Example
from system1.prompts import answer_messages

# Written for this project: everyday knowledge, nothing personal.
QUESTIONS = (
    "What is the capital of France?", "How many days are there in a week?", "What colour is the sky on a clear day?",
    "What do bees make?", "What is the boiling point of water at sea level?", "Which planet is closest to the sun?",
    "What is the largest ocean on Earth?", "How many legs does a spider have?", "What is frozen water called?",
    "What gas do plants take in from the air?", "Who wrote Romeo and Juliet?", "What is the opposite of hot?",
    "What is two plus three?", "Which animal is known as the king of the jungle?", "What do you call a baby cat?",
    "What language is spoken in Spain?", "How many hours are in a day?", "What is the main ingredient of bread?",
    "What instrument has black and white keys?", "What is the tallest mountain in the world?",
    "Which season comes after winter?", "What do cows drink?", "What is the chemical symbol for gold?",
    "How many continents are there?", "What is the currency of Japan?", "What does a thermometer measure?",
    "Which organ pumps blood through the body?", "What shape has three sides?", "What is the capital of Italy?",
    "What do caterpillars turn into?", "What is the largest planet in the solar system?",
    "Which direction does the sun rise in?",
)


def anchor_examples(runtime, cache: Path, base_hash: str, max_new_tokens: int = 40) -> list[Example]:
    """The base's greedy answers (adapter off), cached per base."""
    cache = Path(cache)
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("base") == base_hash and len(data.get("answers", [])) == len(QUESTIONS):
            return _examples(data["answers"])
    except (FileNotFoundError, ValueError):
        pass
    outs = runtime.generate([answer_messages(q) for q in QUESTIONS], adapter=False, max_new_tokens=max_new_tokens)
    answers = [g.text for g in outs]
    atomic_write_text(cache, json.dumps({"base": base_hash, "answers": answers}, ensure_ascii=False))
    return _examples(answers)


def _examples(answers: list[str]) -> list[Example]:
    return [Example(q, a, "anchor", ("anchor",)) for q, a in zip(QUESTIONS, answers) if a.strip()]
