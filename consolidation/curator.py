"""The capable curator: a System 2 endpoint as a source of statements, pairs and retirements.

Curation has one bookkeeping and two sources of questions (see `consolidation.curate`).
This is the source a real deployment uses: a capable model reads each message with what a
reader would have beside it (the date it was said, the turns before it today, the facts
already known that share its words) and returns, as strict JSON:

- `statements`: every fact the message states about the user or someone in their life, in
  the user's voice, pronouns replaced by who they mean and relative dates made absolute;
- `pairs`: questions in the user's voice with short second-person answers;
- `retires`: the values the message says are wrong or no longer true.

The bookkeeping is the rules' own, whoever wrote the questions: each statement goes through
the writer (`Writer.examples_for`: the second person, its own echo questions, names asked
back, the day's topics for later updates), the retirements through `Writer.retire` (so
`finish` rewrites or drops every example, today's and the replay buffer's, that still
states one), relative dates through `ground_time` again, and anything holding a secret is
dropped. A reply that is not the JSON asked for returns None and the rules write that item.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from pydantic import BaseModel, ConfigDict, ValidationError

from consolidation.examples import Example, Item, mentions
from consolidation.secrets import has_secret

Judge = Callable[[list[dict]], str]
KINDS = ("fact", "preference", "correction", "update", "rewrite", "none")
TURNS_BEFORE = 4      # the day's turns the curator sees before the message
MOST_KNOWN = 12       # known facts shown, those sharing most words with the message first
_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_COMMON = frozenset("the and for with that this you your are was were have has had not but from they them "
                    "their what when where who how about just really very been will would could should "
                    "i'm it's don't can't also there here some into out our ours his her him she he".split())


class _Pair(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    answer: str


class Verdict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: float
    kind: str
    statements: list[str] = []
    pairs: list[_Pair] = []
    retires: list[str] = []


PROMPT = (
    "You curate training data for a personal assistant that learns about its user. You are given the date, "
    "facts already known about the user, today's conversation so far, and one new message from the user (with "
    "the assistant's reply). Reply with JSON only:\n"
    "{\"score\": 0..1 (personal facts, preferences and corrections high; small talk and general questions low), "
    "\"kind\": one of fact|preference|correction|update|rewrite|none, "
    "\"statements\": every fact the message states about the user or someone in their life, one sentence each, "
    "in the user's voice (I, my), with every pronoun replaced by who it means and every relative date "
    "(yesterday, next Friday) made absolute from the date given; facts said in passing inside a request or a "
    "question count; "
    "\"pairs\": 8 to 20 objects {\"question\": asked in the user's voice the way a person would ask, "
    "\"answer\": short, second person, the current value only}, "
    "\"retires\": the exact words of values the message says are wrong or no longer true (an old employer "
    "after a job change, a corrected name), as they appear in the known facts or the conversation}.\n"
    "For a general question whose reply is useful, kind is rewrite and pairs holds the question with a "
    "corrected, concise answer.")


def parse_verdict(text: str) -> Verdict | None:
    """The curator's JSON, strictly: a fenced or bare object, no extra keys; None when it is not that."""
    text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text.strip())
    try:
        verdict = Verdict.model_validate(json.loads(text))
    except (ValueError, ValidationError, RecursionError):   # RecursionError: JSON nested past the parser
        return None
    return verdict if verdict.kind in KINDS else None


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _COMMON}


def relevant(known: Sequence[str], text: str, most: int = MOST_KNOWN) -> list[str]:
    """The known facts sharing most content words with `text` (ties: the latest first)."""
    words = _words(text)
    scored = [(len(words & _words(fact)), -i, fact) for i, fact in enumerate(reversed(list(dict.fromkeys(known))))]
    return [fact for overlap, _, fact in sorted(scored, reverse=True) if overlap][:most]


@dataclass
class Curator:
    """One day's capable curator: `examples(item, reward)` per item, in order."""

    judge: Judge
    writer: object                        # consolidation.writer.Writer: the bookkeeping
    known: list[str] = field(default_factory=list)   # second-person statements of older nights, then today's
    before: list[Item] = field(default_factory=list)
    score: float = 0.0                    # the last verdict's

    def messages(self, item: Item) -> list[dict]:
        lines = [f"Date: {_date_of(item)}"]
        turns = self.before[-TURNS_BEFORE:]
        facts = relevant(self.known, " ".join([t.text for t in turns] + [item.text]))   # "her" may be named before
        lines += ["Known facts:"] + [f"- {fact}" for fact in facts] if facts else ["Known facts: none that bear on it"]
        if turns:
            lines.append("Today so far:")
            for turn in turns:
                lines.append(f"User: {turn.text}" + (f"\nAssistant: {turn.reply[:300]}" if turn.reply else ""))
        lines.append(f"New message:\nUser: {item.text}" + (f"\nAssistant: {item.reply}" if item.reply else ""))
        return [{"role": "system", "content": PROMPT}, {"role": "user", "content": "\n".join(lines)}]

    def examples(self, item: Item, reward: float, night: str) -> list[Example] | None:
        """The item's examples by the curator; None when its reply is not the JSON asked for."""
        verdict = parse_verdict(self.judge(self.messages(item)))
        self.before.append(item)
        if verdict is None or (verdict.kind != "none" and not (verdict.pairs or verdict.statements)):
            return None
        self.score = max(0.0, min(1.0, verdict.score))
        if verdict.kind == "none" or verdict.score < 0.3:
            return []
        w = self.writer
        w.when = time_of(item)
        retires = tuple(r.strip() for r in verdict.retires if r.strip())
        for old in retires:
            w.retire(old, "", "correction" if verdict.kind == "correction" else "update")
        w.retired_now = bool(retires)
        kind = verdict.kind if verdict.kind != "rewrite" else "fact"
        out: list[Example] = []
        for said in verdict.statements:
            said = w.people.resolve(said.strip())
            if said and not has_secret(said) and not _states(said, retires):
                made = w.examples_for(said, kind, (item.id,), reward)
                out += made
                self.known += [made[0].target] if made else []
        for p in verdict.pairs:
            question, answer = p.question.strip(), w.grounded(p.answer.strip())
            if question and answer and not has_secret(f"{question} {answer}") and not _states(answer, retires):
                out.append(Example(question, answer, verdict.kind, (item.id,), reward, "", retires, night))
        return out


def _states(text: str, values: Sequence[str]) -> bool:
    return any(mentions(text, v) for v in values)


def _date_of(item: Item) -> str:
    when = time_of(item)
    return when.strftime("%A %d %B %Y") if when else "unknown"


def time_of(item: Item):
    """When the item was said (`consolidation.writer.time_of`; the writer loads the parser lazily)."""
    from consolidation.writer import time_of as said_at

    return said_at(item)
