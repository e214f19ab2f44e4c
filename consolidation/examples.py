"""What sleep works on: collected items in, training examples out.

An `Item` is one thing that happened (an exchange, a thought, a daydream, a note or a
chunk of an ingested document) with its provenance. An `Example` is one closed-book
question/answer pair for System 1, naming the items it came from, so that a fact in
the weights can be traced back to the conversation that taught it.

Examples are framed exactly as System 1 is asked (`system1.prompts.answer_messages`),
so the adapter learns in the frame it answers in.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field

from system1.prompts import answer_messages

EXAMPLE_KINDS = ("fact", "preference", "correction", "update", "thought", "document", "rewrite", "anchor", "profile",
                 "unsaid")


@dataclass(frozen=True)
class Item:
    id: str
    kind: str                 # exchange | thought | daydream | note | document
    text: str                 # the user's words, the thought, or the document chunk
    time: str                 # ISO time
    reply: str | None = None  # the agent's answer, for an exchange
    reward: float = 1.0       # dopamine tag of the entry
    chemistry: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Example:
    prompt: str                       # the question System 1 is asked
    target: str                       # the answer it should give
    kind: str                         # one of EXAMPLE_KINDS
    sources: tuple[str, ...]          # ids of the items it came from
    reward: float = 1.0               # dopamine x cortisol boost: how often it repeats
    topic: str = ""                   # what it is about, for superseding older values
    retires: tuple[str, ...] = ()     # wrong or outdated values this example replaces
    night: str = ""                   # ISO date of the night that made it
    keeps: tuple[str, ...] = ()       # retired values it states of someone else ("Darwin is where my cousin is")

    @property
    def id(self) -> str:
        return hashlib.sha1(f"{self.prompt}\x00{self.target}".encode()).hexdigest()[:12]

    def unkept(self, retired) -> list[str]:
        """The retired values this example does not keep as true of someone else."""
        kept = {v.casefold() for v in self.keeps}
        return [v for v in retired if v and v.casefold() not in kept]

    def states(self, retired) -> bool:
        """Does its answer state a corrected or replaced value (case-insensitive) that it does not
        keep as true of someone else?"""
        return any(mentions(self.target, v) for v in self.unkept(retired))

    def messages(self) -> list[dict[str, str]]:
        return answer_messages(self.prompt) + [{"role": "assistant", "content": self.target}]

    def to_json(self) -> dict:
        return {"id": self.id, **asdict(self), "sources": list(self.sources), "retires": list(self.retires),
                "keeps": list(self.keeps)}

    @classmethod
    def from_json(cls, data: dict) -> "Example":
        data = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        data["sources"] = tuple(data.get("sources") or ())
        data["retires"] = tuple(data.get("retires") or ())
        data["keeps"] = tuple(data.get("keeps") or ())
        return cls(**data)

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


def mentions(text: str, value: str) -> bool:
    """Does `text` say `value` in whole words (case-insensitive, an ending allowed: "Tuesdays" says
    Tuesday)? "tea" is not said in "steam", nor "Ann" in "Annual"."""
    return bool(value) and re.search(rf"(?<!\w){re.escape(value)}(?:'s|es|s)?(?!\w)", text, re.IGNORECASE) is not None
