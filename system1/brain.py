"""The lizard brain's two acts: associate on a message, and answer closed-book.

Neither sees the diary or any retrieved memory: whatever System 1 knows about the
user, it knows from its weights. That is what makes its provocation worth weighing,
and what the closed-book self-test and the `dream` arm of the benchmarks measure.
"""

from __future__ import annotations

from dataclasses import dataclass

from cognition.config import System1Settings
from system1.backends import System1Backend
from system1.prompts import answer_messages, associate_messages


# A provocation is one thought: generation stops at its first sentence.
SENTENCE_END = (". ", "! ", "? ", "\n")


@dataclass(frozen=True)
class Thought:
    text: str
    adapter: str | None
    seconds: float
    note: str | None = None


class LizardBrain:
    def __init__(self, backend: System1Backend, settings: System1Settings | None = None):
        self.backend = backend
        self.settings = settings or System1Settings()

    @property
    def adapter(self) -> str | None:
        return self.backend.adapter

    def associate(self, message: str, seed: int | None = None, max_tokens: int | None = None,
                  temperature: float | None = None) -> Thought:
        """A short associative provocation on the message alone (no retrieval)."""
        c = self.backend.complete(associate_messages(message), max_tokens=max_tokens or self.settings.associate_tokens,
                                  temperature=self.settings.temperature if temperature is None else temperature,
                                  seed=seed, stop=SENTENCE_END)
        return Thought(_first_sentences(c.text), c.adapter, c.seconds, c.note)

    def answer(self, question: str, closed_book: bool = True, max_tokens: int | None = None) -> Thought:
        """Answer from the weights alone. Greedy, so the same adapter gives the same answer."""
        if not closed_book:
            raise ValueError("System 1 only answers closed-book; open-book answers are System 2's deliberation")
        c = self.backend.complete(answer_messages(question), max_tokens=max_tokens or self.settings.answer_tokens,
                                  temperature=0.0)
        return Thought(c.text, c.adapter, c.seconds, c.note)

    def answer_many(self, questions: list[str]) -> list[Thought]:
        """Closed-book answers in one batch (self-test and benchmarks)."""
        out = self.backend.complete_many([answer_messages(q) for q in questions],
                                         max_tokens=self.settings.answer_tokens, temperature=0.0)
        return [Thought(c.text, c.adapter, c.seconds, c.note) for c in out]


def _first_sentences(text: str, limit: int = 2) -> str:
    """A provocation is short: keep at most two sentences of what the model produced."""
    import re

    parts = re.split(r"(?<=[.!?])\s+", text.strip())
    return " ".join(parts[:limit]).strip()
