"""Coordination on the embedded default: weigh System 1 against the diary, by a rule.

A capable System 2 reads System 1's provocation beside the recalled memories and states its
verdict. The embedded 135M model cannot weigh them: shown a provocation it takes it over what
retrieval found, and asked about something never said it makes something up. So for a
question, where System 1's provocation is its closed-book answer, the turn measures before
System 2 runs, and decides (a request that asks without a question mark, "remind me of my
library card number", is a question here too):

- grounded: the diary entry closest to System 1's answer (where the answer came from) is
  close to the question too. A fact learned from the diary comes back with its entry; an
  answer to something never said is some other learned fact, or an invention, and the entry
  nearest it is about something else;
- recalled: a memory is close to the question itself;
- about the user: the question speaks in the first person, or a memory is close to it.

| about the user | System 1 grounded | memory near the question | decision |
|---|---|---|---|
| no | - | - | discard: a general question, System 2's to answer |
| yes | yes | - | accept: System 1's answer is the answer |
| yes | no | yes | discard: System 2 answers from the memories alone |
| yes | no | no | abstain: "You haven't told me that." |

System 1 declining closed-book ("You haven't told me that.", learned from
`consolidation.unsaid`) is never grounded: it came from no entry.

A memory here is something the user said or noted that is not itself a question (asking
"what is my brother called?" twice grounds nothing), never one of the agent's own thoughts.
Statements, questions System 1 did not answer (with System 1 off, the ablation's `rag` arm),
and every turn of a capable System 2 go to System 2 as before, with the verdict stated or
measured.

Measured on a five-night persona-a home (the same adapters before and after): the full
turn's recall 0.41 -> 0.75 (System 1 closed-book 0.80, System 2 with the memories 0.29), its
4 questions about things never said declined 0 -> 2, and 72 never-said questions written
blind (`eval/never-said.json`) answered with an invention 100% -> 21% of the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal

from cognition.diary import SAID
from system1.prompts import NOT_TOLD

# A message that opens by asking holds no answer ("What is my locker code?"); one that states
# first and asks after does ("My locker code is 4471, can you remember it?").
_ASKING = re.compile(r"^\W*(what|what's|whats|where|who|whom|whose|when|why|how|which|do|does|did|is|are|was|were|"
                     r"can|could|should|would|will|have|has|remind|tell)\b", re.IGNORECASE)

Decision = Literal["accept", "discard", "abstain", "deliberate"]
_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|i'd|i'll|me|my|mine|myself|we|we're|our|ours|us)\b", re.IGNORECASE)


def holds_facts(memory: dict) -> bool:
    """Is a memory the user's words that may hold an answer: said or noted, and not just a question?"""
    return memory.get("kind") in SAID and not asks(memory.get("text") or "")


def asks(message: str) -> bool:
    """Does the message ask for something, question mark or not ("remind me of my locker code",
    "whats the wifi password")?"""
    return bool(_ASKING.match(message))


def declines(answer: str) -> bool:
    """Is System 1's answer the one it learned for what was never said (`consolidation.unsaid`)?"""
    return answer.strip().casefold().startswith(NOT_TOLD[:-1].casefold())


def about_the_user(message: str) -> bool:
    """Does the message speak of the user's own life (in the first person)?"""
    return bool(_FIRST_PERSON.search(message))


@dataclass(frozen=True)
class Coordination:
    decision: Decision
    reason: str
    grounding: float | None = None    # distance from the question to the entry System 1's answer came from
    recall: float | None = None       # distance from the question to the nearest memory

    def to_json(self) -> dict:
        return {"decision": self.decision, "reason": self.reason, "grounding": self.grounding, "recall": self.recall}


def coordinate(message: str, question: bool, provocation: str | None, memories: list[dict],
               source: Callable[[str], str | None], distance: Callable[[str, str], float],
               grounded_at: float, recalled_at: float) -> Coordination:
    """The rule of the table above. `memories` carry their `kind`, `text` and `distance` to the
    message; `source(text)` is the text of the memory holding facts nearest a text (None: none);
    `distance(a, b)` is the embedding distance between two texts."""
    if not question:
        return Coordination("deliberate", "not a question: System 2 weighs the provocation")
    if not provocation:   # System 1 off (the ablation) or silent: nothing to weigh, System 2 as ever
        return Coordination("deliberate", "no answer from System 1: System 2 answers from the memories")
    recall = min((m["distance"] for m in memories if holds_facts(m)), default=None)
    recalled = recall is not None and recall <= recalled_at
    if not (about_the_user(message) or recalled):
        return Coordination("discard", "a general question: System 2 answers it", None, recall)
    origin = None if declines(provocation) else source(provocation)   # "You haven't told me that." comes from no entry
    grounding = round(distance(message, origin), 4) if origin else None
    if grounding is not None and grounding <= grounded_at:
        return Coordination("accept", f"System 1's answer comes from a diary entry about the question "
                                      f"(distance {grounding:.2f})", grounding, recall)
    if recalled:
        return Coordination("discard", f"System 1's answer is not grounded; a memory is near the question "
                                       f"(distance {recall:.2f})", grounding, recall)
    return Coordination("abstain", "about the user's life, and neither System 1 nor the memories have it",
                        grounding, recall)
