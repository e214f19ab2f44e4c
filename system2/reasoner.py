"""The reasoner interface, and the verdict on System 1's provocation.

A capable model is asked to state its verdict (accept / refine / discard) on a last
line. A small one cannot be relied on to follow that instruction (the embedded 135M
model does not), so the verdict is also measurable without the model's cooperation:
the cosine similarity between the provocation and the final answer says whether the
answer took it over, built on it, or went elsewhere. A stated verdict wins when present;
the measured one is always computed and reported beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal, Protocol, Sequence

from cognition.config import System2Settings
from cognition.index import cosine, embed

Verdict = Literal["accept", "refine", "discard"]
VERDICTS: tuple[str, ...] = ("accept", "refine", "discard")
NO_ANSWER = "I don't have an answer to that."
# The line's own punctuation ("**Verdict:** accept.") but never a newline at either end: `\W*` there
# took the answer's last line with it when it held no word ("```" closing a code block, ")", "---").
_STATED = re.compile(r"^[^\w\n]*verdict\W*(accept|refine|discard)[^\w\n]*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Deliberation:
    answer: str
    verdict: Verdict | None          # None when there was no provocation
    verdict_source: str | None       # "stated" or "measured"
    similarity: float | None         # provocation ↔ answer, cosine
    seconds: float
    first_token_s: float | None = None
    note: str | None = None
    usage: tuple[int, int] | None = None   # (prompt, completion) tokens, where the backend knows them


class Reasoner(Protocol):
    name: str

    def deliberate(self, message: str, memories: Sequence[str], provocation: str | None,
                   history: Sequence[tuple[str, str]] = (),
                   on_text: Callable[[str], None] | None = None, seed: int | None = None,
                   max_tokens: int | None = None, temperature: float | None = None) -> Deliberation: ...

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.0) -> str: ...


def split_stated_verdict(text: str) -> tuple[str, Verdict | None]:
    """Remove a 'Verdict: …' line from an answer and return it separately."""
    matches = list(_STATED.finditer(text))
    if not matches:
        return text.strip(), None
    last = matches[-1]
    return (text[: last.start()] + text[last.end():]).strip(), last.group(1).lower()  # type: ignore[return-value]


def measure_verdict(provocation: str, answer: str, settings: System2Settings,
                    embedder: str = "all-MiniLM-L6-v2") -> tuple[Verdict, float]:
    a, b = embed([provocation, answer], embedder)
    sim = cosine(a, b)
    if sim >= settings.accept_at:
        return "accept", sim
    if sim >= settings.refine_at:
        return "refine", sim
    return "discard", sim


def conclude(raw: str, provocation: str | None, settings: System2Settings, embedder: str, seconds: float,
             first_token_s: float | None = None, note: str | None = None,
             usage: tuple[int, int] | None = None) -> Deliberation:
    """Turn a backend's raw answer into a Deliberation with its verdict."""
    from dataclasses import replace

    return replace(_conclude(raw, provocation, settings, embedder, seconds, first_token_s, note), usage=usage)


def _conclude(raw, provocation, settings, embedder, seconds, first_token_s, note) -> Deliberation:
    answer, stated = split_stated_verdict(raw)
    if not answer:
        # A model can stop at once (a small one often does on an odd prompt). The turn
        # still owes the user an answer: System 1's provocation taken as it is, or a
        # plain admission.
        if provocation:
            return Deliberation(provocation, "accept", "fallback", 1.0, seconds, first_token_s,
                                _join(note, "System 2 gave no answer; System 1's provocation stands in"))
        return Deliberation(NO_ANSWER, None, None, None, seconds, first_token_s, _join(note, "System 2 gave no answer"))
    if not provocation:
        return Deliberation(answer, None, None, None, seconds, first_token_s, note)
    measured, sim = measure_verdict(provocation, answer, settings, embedder)
    verdict, source = (stated, "stated") if stated else (measured, "measured")
    return Deliberation(answer, verdict, source, round(sim, 4), seconds, first_token_s, note)


def _join(*notes: str | None) -> str:
    return "; ".join(n for n in notes if n)
