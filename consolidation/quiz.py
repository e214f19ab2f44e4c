"""A fixed general-knowledge quiz: drift beyond perplexity.

Perplexity on the reference text says whether the language bends; the quiz says whether
what the base knew about the world survives the nights. Forty questions written for this
project, none of them among the anchors' (`consolidation.anchors.QUESTIONS`) that are
rehearsed in training, so the quiz stays a held-out measure. An answer passes when it
contains one of the accepted strings (case-insensitive).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from cognition.runtime import Messages
from system1.prompts import answer_messages

QUIZ: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What is the capital of Germany?", ("berlin",)),
    ("What is the capital of Spain?", ("madrid",)),
    ("What is the capital of the United Kingdom?", ("london",)),
    ("What is the capital of Japan?", ("tokyo",)),
    ("How many minutes are in an hour?", ("60", "sixty")),
    ("How many months are in a year?", ("12", "twelve")),
    ("How many sides does a square have?", ("4", "four")),
    ("How many wheels does a bicycle have?", ("2", "two")),
    ("What colour is grass?", ("green",)),
    ("What colour is snow?", ("white",)),
    ("What colour are ripe bananas?", ("yellow",)),
    ("What is the freezing point of water in degrees Celsius?", ("0", "zero")),
    ("Which planet is known as the Red Planet?", ("mars",)),
    ("What is the closest star to the Earth?", ("sun",)),
    ("What do we call the natural satellite of the Earth?", ("moon",)),
    ("Which animal says 'moo'?", ("cow",)),
    ("Which animal barks?", ("dog",)),
    ("What do fish use to breathe?", ("gill",)),
    ("What is the largest mammal on Earth?", ("whale",)),
    ("What is the fastest land animal?", ("cheetah",)),
    ("What do you call a baby dog?", ("puppy", "pup")),
    ("Who painted the Mona Lisa?", ("leonardo", "da vinci")),
    ("Who developed the theory of relativity?", ("einstein",)),
    ("What is the chemical symbol for water?", ("h2o",)),
    ("What gas do humans need to breathe to live?", ("oxygen",)),
    ("What is the hardest natural substance?", ("diamond",)),
    ("What is the longest river in Africa?", ("nile",)),
    ("On which continent is Brazil?", ("south america",)),
    ("On which continent is Egypt?", ("africa",)),
    ("What language is mainly spoken in Brazil?", ("portuguese",)),
    ("What language is spoken in France?", ("french",)),
    ("What is ten minus four?", ("6", "six")),
    ("What is three times three?", ("9", "nine")),
    ("What is half of twenty?", ("10", "ten")),
    ("What do you use to write on a blackboard?", ("chalk",)),
    ("What season comes after summer?", ("autumn", "fall")),
    ("What is the opposite of up?", ("down",)),
    ("What is the opposite of day?", ("night",)),
    ("Which organ do we use to think?", ("brain",)),
    ("How many legs does an insect have?", ("6", "six")),
)


@dataclass
class QuizResult:
    score: float
    passed: int
    asked: int
    failures: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"score": round(self.score, 4), "passed": self.passed, "asked": self.asked,
                "failures": self.failures[:10]}


def grade(answer: str, accepted: tuple[str, ...]) -> bool:
    text = answer.casefold()
    return any(a.casefold() in text for a in accepted)


MAX_NEW_TOKENS = 24   # every accepted answer comes in the first words of a reply


def run_quiz(runtime, adapter: bool, max_new_tokens: int = MAX_NEW_TOKENS, batch_size: int = 20) -> QuizResult:
    """Ask every quiz question (greedy, System 1's answer prompt), with the adapter on or off."""
    return quiz(lambda batch: [g.text for g in runtime.generate(batch, adapter=adapter,
                                                               max_new_tokens=max_new_tokens)], batch_size)


def quiz(answer: Callable[[list[Messages]], list[str]], batch_size: int = 20) -> QuizResult:
    """Ask every quiz question through `answer` (chat prompts in, one reply each out), in batches."""
    passed, failures = 0, []
    for start in range(0, len(QUIZ), batch_size):
        chunk = QUIZ[start:start + batch_size]
        outs = answer([answer_messages(q) for q, _ in chunk])
        for (question, accepted), out in zip(chunk, outs):
            if grade(out, accepted):
                passed += 1
            else:
                failures.append({"question": question, "accepted": list(accepted), "answer": out})
    return QuizResult(passed / len(QUIZ), passed, len(QUIZ), failures)
