"""Anchors: what keeps the adapter the base everywhere but in the memories.

Measured on the embedded base: every learning rate that teaches personal facts also
teaches the model to answer everything as one ("The capital of France is Porto"), and
the reference perplexity drifted 1.2-2.0x after a single night. Two anchors, both the
base's own output (self-distillation, no external data), generated once per base and
cached beside the user's adapters:

- answers: the base's greedy answers to general questions, mixed into the replay share
  of every batch as ordinary examples (the assistant's frame stays general);
- passages: the base's own short essays on general topics; every training step takes
  the KL divergence from the bare base's next-token distributions on one of them
  (`consolidation.train.anchor_loss`), so the language itself does not bend.
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


# Written for this project: everyday subjects, none of them the reference text's (water, libraries).
TOPICS = (
    "how bread is baked", "the rules of chess", "why leaves change colour in autumn", "how a bicycle works",
    "the life of honeybees", "how trains run on time", "what volcanoes are", "how to plant a tomato",
    "the history of the printing press", "why the moon has phases", "how a refrigerator keeps food cold",
    "what makes a good cup of tea", "how birds migrate", "the game of football", "how paper is made",
    "what a rainbow is", "how bridges carry weight", "the planets of the solar system", "how cheese is made",
    "why we sleep", "how a piano makes sound", "what the desert is like at night", "how ships float",
    "the invention of the telephone",
)
PASSAGE_PROMPT = "Write a short paragraph about {}."


def anchor_passages(runtime, cache: Path, base_hash: str, max_new_tokens: int = 96, seed: int = 0) -> list[list[int]]:
    """Token ids of the base's own paragraphs (adapter off, sampled), rendered in the chat frame; cached per base."""
    cache = Path(cache)
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data.get("base") == base_hash and len(data.get("passages", [])) == len(TOPICS):
            return data["passages"]
    except (FileNotFoundError, ValueError):
        pass
    asks = [[{"role": "user", "content": PASSAGE_PROMPT.format(t)}] for t in TOPICS]
    outs = runtime.generate(asks, adapter=False, max_new_tokens=max_new_tokens, temperature=0.7, seed=seed)
    passages = []
    for ask, out in zip(asks, outs):
        text = runtime.render(ask + [{"role": "assistant", "content": out.text}], add_generation_prompt=False)
        passages.append(runtime.tokenizer(text, add_special_tokens=False)["input_ids"])
    atomic_write_text(cache, json.dumps({"base": base_hash, "passages": passages}))
    return passages


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
