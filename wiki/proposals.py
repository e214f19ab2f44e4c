"""Proposals, and the staging queue they wait in.

The worker never edits a node: it writes a proposal, and the heartbeat (or a person)
merges or rejects it. Each proposal names the nodes it concerns with the content hash
they had when it was made, its author (the worker, System 1's adapter, System 2's
model) and a rationale. Kinds:

- `split`: a node into named parts, with which text goes to each; the node becomes a
  short hub linking its parts, and the parts together hold all of its text;
- `crosslink`: a link from one node to another, with the sentence it goes in;
- `frame`: a new opening that says what the node is (the old text stays below it);
- `stale`: a claim in a node, why it is out of date, and the evidence;
- `dream`: a free association between nodes or memories; accepted, it is filed on the
  `Dreams` page, never into a node's text.

The queue is `proposals/{pending,merged,rejected}/` in the home, one JSON file per
proposal. A decision writes the proposal with its review into the new folder
atomically, then removes it from the old one; a file found in two folders counts where
it was decided. A file that does not parse moves to `rejected/` with the reason.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Iterator, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from cognition.home import atomic_write_text

log = logging.getLogger(__name__)

STATES = ("pending", "merged", "rejected")
KINDS = ("split", "crosslink", "frame", "stale", "dream")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Strict):
    worker: str = Field(description="What made it: 'worker', 'dreams', 'person', a benchmark.")
    system1: str | None = Field(None, description="System 1's adapter version, where it took part.")
    system2: str | None = Field(None, description="System 2's model, where it took part.")


class _Proposal(_Strict):
    id: str
    created: str
    author: Author
    rationale: str = Field(min_length=1)
    nodes: dict[str, str] = Field(description="Each node it concerns, with its content hash when proposed.")

    @field_validator("id")
    @classmethod
    def _safe_id(cls, v: str) -> str:
        if not v or not all(c.isalnum() or c in "-_" for c in v):
            raise ValueError(f"id {v!r}: letters, digits, '-' and '_' only")
        return v

    def touched(self) -> list[str]:
        """The nodes a merge would change: each must still hold the content it was proposed on."""
        return list(self.nodes)


class Part(_Strict):
    title: str = Field(min_length=1)
    text: str = Field(min_length=1, description="The node's text that goes into this part, verbatim.")


class Split(_Proposal):
    kind: Literal["split"] = "split"
    node: str
    parts: list[Part] = Field(min_length=2)
    hub: str = Field(description="What the node says after the split: a line that links every part.")


class Crosslink(_Proposal):
    kind: Literal["crosslink"] = "crosslink"
    source: str
    target: str
    sentence: str = Field(min_length=1, description="The sentence that carries the link, written into the source.")

    def touched(self) -> list[str]:
        return [self.source]   # the target is only linked to: any edit of it leaves the link right


class Frame(_Proposal):
    kind: Literal["frame"] = "frame"
    node: str
    opening: str = Field(min_length=1, description="A new first paragraph that says what the node is.")


class Stale(_Proposal):
    kind: Literal["stale"] = "stale"
    node: str
    claim: str = Field(min_length=1, description="The text in the node that is out of date.")
    why: str = Field(min_length=1)
    evidence: list[str] = Field(default_factory=list, description="Diary entry ids, retired values, sources.")


class Dream(_Proposal):
    kind: Literal["dream"] = "dream"
    text: str = Field(min_length=1)
    memories: list[str] = Field(default_factory=list, description="Diary entry ids it drew on.")

    def touched(self) -> list[str]:
        return []   # a dream is filed on the Dreams page; the nodes it names are only read


Proposal = Annotated[Union[Split, Crosslink, Frame, Stale, Dream], Field(discriminator="kind")]
PROPOSAL = TypeAdapter(Proposal)


def new_id(kind: str) -> str:
    return f"{kind}-{datetime.now(timezone.utc):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Review(_Strict):
    state: Literal["pending", "merged", "rejected"]
    reason: str | None = None
    at: str | None = None
    by: str | None = None   # 'heartbeat', 'person', the judge's model


class Staged(_Strict):
    """A proposal in the queue, with where it stands."""
    proposal: Proposal
    review: Review

    @property
    def id(self) -> str:
        return self.proposal.id


class Queue:
    def __init__(self, root: Path):
        self.root = Path(root)

    def folder(self, state: str) -> Path:
        return self.root / state

    def ensure(self) -> "Queue":
        for state in STATES:
            self.folder(state).mkdir(parents=True, exist_ok=True)
        return self

    def stage(self, proposal) -> Staged:
        staged = Staged(proposal=proposal, review=Review(state="pending"))
        self.ensure()
        atomic_write_text(self.folder("pending") / f"{proposal.id}.json", _dump(staged))
        return staged

    def list(self, state: str | None = None) -> list[Staged]:
        """Proposals oldest first, of one state or all. One caught in two folders by a crash
        (decided, not yet removed from pending) counts where it was decided."""
        out: dict[str, Staged] = {}
        for st in STATES if state is None else (state,):
            folder = self.folder(st)
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                staged = self._read(path, st)
                if staged is not None and not (st == "pending" and self._decided(staged.id)):
                    out[staged.id] = staged
        return sorted(out.values(), key=lambda s: (s.proposal.created, s.id))

    def pending(self) -> list[Staged]:
        return self.list("pending")

    def get(self, proposal_id: str) -> Staged | None:
        for st in ("merged", "rejected", "pending"):
            path = self.folder(st) / f"{proposal_id}.json"
            if path.is_file():
                return self._read(path, st)
        return None

    def decide(self, proposal_id: str, state: str, reason: str | None, by: str) -> Staged:
        """Move a pending proposal to merged or rejected, with the reason."""
        if state not in ("merged", "rejected"):
            raise ValueError(f"a proposal is decided as merged or rejected, not {state!r}")
        return self._move(proposal_id, "pending", state, reason, by)

    def reopen(self, proposal_id: str, reason: str) -> Staged:
        """A merged proposal whose merge was reverted goes to rejected with the reason."""
        return self._move(proposal_id, "merged", "rejected", reason, "person")

    def _move(self, proposal_id: str, source_state: str, state: str, reason: str | None, by: str) -> Staged:
        """Write the proposal with its review into its new folder atomically, then drop the old file."""
        source = self.folder(source_state) / f"{proposal_id}.json"
        staged = self._read(source, source_state) if source.is_file() else None
        if staged is None:
            raise KeyError(f"no {source_state} proposal {proposal_id!r}")
        decided = Staged(proposal=staged.proposal, review=Review(state=state, reason=reason, at=now(), by=by))
        self.ensure()
        atomic_write_text(self.folder(state) / f"{proposal_id}.json", _dump(decided))
        source.unlink(missing_ok=True)
        return decided

    def _decided(self, proposal_id: str) -> bool:
        return any((self.folder(st) / f"{proposal_id}.json").is_file() for st in ("merged", "rejected"))

    def _read(self, path: Path, state: str) -> Staged | None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if "proposal" not in raw:   # a bare proposal, as a person or a tool may drop one in
                raw = {"proposal": raw, "review": {"state": state}}
            return Staged.model_validate(raw)
        except FileNotFoundError:
            return None
        except (ValueError, ValidationError, UnicodeDecodeError) as exc:
            if state == "rejected":
                log.warning("proposals: %s is damaged and already rejected (%s)", path, exc)
                return None
            reason = f"damaged proposal file: {str(exc).splitlines()[0]}"
            log.warning("proposals: %s: %s; moved to rejected/", path, reason)
            self.folder("rejected").mkdir(parents=True, exist_ok=True)
            os.replace(path, self.folder("rejected") / f"{path.stem}.damaged")
            atomic_write_text(self.folder("rejected") / f"{path.stem}.reason.txt", reason + "\n")
            return None


def _dump(staged: Staged) -> str:
    return json.dumps(staged.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
