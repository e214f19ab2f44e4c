"""The agent: one user's memory, chemistry and both systems, wired from settings.

The surfaces (CLI, server, daemon, benchmarks) open an `Agent` and call `say()`; the
turn graph does the work. Factories import their heavy libraries inside, so opening an
agent for `status` or `memory search` never loads the language model.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from cognition.chemistry import ChemistryStore
from cognition.config import Settings
from cognition.diary import Diary
from cognition.home import Home
from cognition.index import MemoryIndex
from cognition.presence import mark_active
from system1.adapters import AdapterStore

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 8 * 1024 * 1024


class EmptyMessage(ValueError):
    pass


@dataclass
class TurnResult:
    answer: str
    system1: str | None
    verdict: str | None
    memories: list[str]
    timings: dict[str, float]
    entry: str
    category: str
    adapter: str | None
    chemistry: dict[str, float]
    verdict_source: str | None = None
    first_token_s: float | None = None
    notes: list[str] = field(default_factory=list)
    usage: tuple[int, int] | None = None   # System 2's (prompt, completion) tokens, where counted

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "system1": self.system1, "verdict": self.verdict, "memories": self.memories,
                "timings": self.timings, "entry": self.entry, "category": self.category, "adapter": self.adapter,
                "verdict_source": self.verdict_source, "chemistry": self.chemistry, "notes": self.notes}


def validate_message(text: str) -> str:
    if not text or not text.strip():
        raise EmptyMessage("the message is empty; say something (for example: reverie say \"Hello\")")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise ValueError(f"the message is {size} bytes; the limit is {MAX_MESSAGE_BYTES} bytes. "
                         "Add long documents with `reverie ingest FILE` instead")
    return text


class Agent:
    def __init__(self, settings: Settings, serving: bool = False):
        self.settings = settings
        self.serving = serving   # one of many concurrent users of a process (the server)
        self.home = Home(settings.home)
        self.user_home = self.home.user(settings.user).ensure()
        self.diary = Diary(self.user_home.memory)
        self.index = MemoryIndex(self.user_home.index, settings.memory.embedder)
        self.chemistry = ChemistryStore(self.user_home.chemistry, settings.chemistry)
        self.adapters = AdapterStore(self.user_home.adapters)

    # -- the models, built on first use -------------------------------------------

    def base_model_id(self) -> str:
        """The configured base, or the user's own merged base after a monthly merge."""
        from consolidation.merge import BaseFile

        merged = BaseFile(self.user_home.root / "BASE").read().get("base")
        return merged or self.settings.model.id

    def base_source(self):
        from cognition.models import resolve

        return resolve(self.base_model_id(), self.settings.models_path)

    @cached_property
    def runtime(self):
        from cognition.runtime import shared_runtime

        m = self.settings.model
        return shared_runtime(self.base_source(), m.dtype, m.context_tokens, m.threads)

    @cached_property
    def brain(self):
        from system1.brain import LizardBrain

        s1 = self.settings.system1
        if s1.backend == "vllm":
            from system1.backends.vllm import VLLMBackend

            if not s1.base_url:
                raise ValueError("system1.backend = 'vllm' needs system1.base_url (REVERIE_SYSTEM1__BASE_URL)")
            backend = VLLMBackend(s1.base_url, self.adapters, self.settings.user, self.settings.model.id)
        else:
            from system1.backends.local import LocalBackend

            backend = LocalBackend(self.runtime, self.adapters, self.settings.user, batched=self.serving)
        return LizardBrain(backend, s1)

    @cached_property
    def reasoner(self):
        s2 = self.settings.system2
        if s2.backend == "openai":
            from system2.openai_backend import OpenAIReasoner

            return OpenAIReasoner(s2, self.settings.memory.embedder)
        from system2.embedded import EmbeddedReasoner

        return EmbeddedReasoner(self.runtime, s2, self.settings.memory.embedder)

    @cached_property
    def checkpointer(self):
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(str(self.user_home.conversation_db), check_same_thread=False)
        return SqliteSaver(conn)

    @cached_property
    def turn_graph(self):
        from graphs.turn import builder

        return builder.compile(checkpointer=self.checkpointer)

    @cached_property
    def probe_graph(self):
        """The turn without a checkpointer: probes, and conversations their caller carries."""
        from graphs.turn import builder

        return builder.compile()

    @property
    def capable(self) -> bool:
        """Is System 2 a capable model (an endpoint) that can judge and write, not the embedded 135M base?"""
        return self.settings.system2.backend == "openai"

    def curation_judge(self) -> Callable[[list[dict]], str] | None:
        """System 2 as the night's judge and writer when it is capable; None leaves curation to the rules."""
        if not self.capable:
            return None
        return lambda messages: self.reasoner.complete(messages, max_tokens=1024, temperature=0.0)

    def perception_judge(self):
        if not self.capable:
            return None
        from system2.judge import perceive_with

        return lambda message: perceive_with(self.reasoner, message)

    def context(self, system1: bool):
        from graphs.turn import TurnContext

        return TurnContext(diary=self.diary, index=self.index, chemistry=self.chemistry, reasoner=self.reasoner,
                           brain=self.brain if system1 else None, recall_k=self.settings.memory.recall_k,
                           history_turns=self.settings.system2.history, seed=self.settings.seed,
                           judge=self.perception_judge(),
                           coordinate=self.settings.system2.coordinate and not self.capable,
                           grounded_at=self.settings.system2.grounded_at,
                           recalled_at=self.settings.system2.recalled_at)

    # -- acts ------------------------------------------------------------------------

    def say(self, message: str, system1: bool | None = None, thread: str = "main",
            on_text: Callable[[str], None] | None = None, record: bool = True,
            history: list[tuple[str, str]] | None = None, max_tokens: int | None = None,
            temperature: float | None = None) -> TurnResult:
        """One coordinated turn. `system1=False` is the ablation; None follows the config.

        `record=False` answers a probe: nothing is written (diary, index, chemistry), and the
        turn runs without a checkpointer so the conversation's history is untouched.
        `history` (earlier user/assistant pairs) is a conversation the caller carries, as an
        OpenAI client does: the turn is recorded but no thread's checkpoint is read or written,
        so concurrent turns of one user stay independent. `max_tokens` and `temperature`
        override System 2's settings for this turn.
        """
        validate_message(message)
        if record:
            mark_active(self.user_home.root)
        use_s1 = self.settings.system1.enabled if system1 is None else system1
        config = {"configurable": {"thread_id": f"{self.settings.user}:{thread}"}}
        graph = self.turn_graph if record and history is None else self.probe_graph
        started = time.perf_counter()
        state: dict = {}
        inputs = {"message": message, "system1_enabled": use_s1, "record": record, "max_tokens": max_tokens,
                  "temperature": temperature}
        if history:
            from graphs.turn import HISTORY_CHARS

            inputs["history"] = [[u[:HISTORY_CHARS], a[:HISTORY_CHARS]] for u, a in history]
        for mode, chunk in graph.stream(inputs, config, context=self.context(use_s1),
                                        stream_mode=["custom", "values"]):
            if mode == "custom" and on_text is not None:
                on_text(chunk["token"])
            elif mode == "values":
                state = chunk
        if record:
            mark_active(self.user_home.root)
        timings = dict(state.get("timings") or {})
        timings["total"] = round(time.perf_counter() - started, 4)
        return TurnResult(
            answer=state["answer"], system1=state.get("system1") if use_s1 else None, verdict=state.get("verdict"),
            memories=[m["id"] for m in state.get("memories") or []], timings=timings, entry=state["entry_id"],
            category=state["category"], adapter=state.get("adapter"), chemistry=state.get("chemistry") or {},
            verdict_source=state.get("verdict_source"), first_token_s=state.get("first_token_s"),
            notes=list(state.get("notes") or []), usage=tuple(state["usage"]) if state.get("usage") else None)

    def ask_closed_book(self, question: str) -> dict[str, Any]:
        validate_message(question)
        thought = self.brain.answer(question, closed_book=True)
        return {"answer": thought.text, "adapter": thought.adapter, "seconds": round(thought.seconds, 4),
                "notes": [thought.note] if thought.note else []}

    def forget(self, entry_ids: list[str]) -> dict[str, Any]:
        """Forget diary entries: tombstones in the diary, out of the index and the replay buffer.

        `forgotten.jsonl` in the user's home keeps which ids were forgotten and when, never
        what they said.
        """
        import json

        from consolidation.dataset import ReplayBuffer
        from cognition.diary import now as diary_now

        gone = self.diary.forget(entry_ids)
        if not gone:
            return {"forgotten": [], "examples_removed": 0}
        self.index.delete(gone)
        removed = ReplayBuffer(self.user_home.replay).forget(gone)
        with open(self.user_home.root / "forgotten.jsonl", "a", encoding="utf-8") as fh:
            for entry_id in gone:
                fh.write(json.dumps({"id": entry_id, "at": diary_now().isoformat()}) + "\n")
            fh.flush()
        return {"forgotten": gone, "examples_removed": removed}

    def think(self, messages: list[dict[str, str]], temperature: float, seed: int) -> str:
        """A private thought from System 2 (idle cognition's language model); never shown as an answer."""
        return self.reasoner.complete(messages, max_tokens=self.settings.idle.thought_tokens, temperature=temperature)

    def mind(self, think: Callable | None = None):
        """This user's idle mind (rumination, daydreams), thinking with System 2 unless told otherwise."""
        from cognition.idle import Idle

        return Idle(self.diary, self.chemistry, think or self.think, self.settings.idle, seed=self.settings.seed)

    def status(self) -> dict[str, Any]:
        from cognition.notices import Notices

        chem = self.chemistry.load()
        resolved = self.adapters.resolve()
        return {
            "user": self.settings.user, "home": str(self.home.root),
            "chemistry": {**chem.snapshot(), "updated": chem.updated, "sleep_due": self.chemistry.sleep_due(chem),
                          "stressed": self.chemistry.stressed(chem)},
            "adapter": {"current": self.adapters.current(), "serving": resolved.version,
                        "versions": self.adapters.versions(), "refused": list(resolved.refused)},
            "last_sleep": chem.slept,
            "diary": {"days": len(self.diary.days()), **self.diary.counts()},
            "system1": {"enabled": self.settings.system1.enabled, "backend": self.settings.system1.backend},
            "system2": {"backend": self.settings.system2.backend, "base_url": self.settings.system2.base_url},
            "model": self.settings.model.id,
            "notices": Notices(self.user_home.root).pending(),
        }

    def close(self) -> None:
        if "checkpointer" in self.__dict__:
            self.checkpointer.conn.close()
