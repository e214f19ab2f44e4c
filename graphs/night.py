"""Running a night: wire the sleep graph to an agent's home, start it or resume it.

`users/<u>/sleep.json` names the night in progress. A night that did not finish (the
process was killed, the machine went down) is resumed from its last checkpoint by the
next `reverie sleep`; a finished one is never run twice. One night runs for a user at a
time, whichever process starts it (`users/<u>/sleep.lock`): a second is refused, or waits.
"""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from filelock import FileLock, Timeout

from cognition.home import atomic_write_text
from cognition.presence import conversation_active
from consolidation.anchors import anchor_examples, anchor_passages
from consolidation.dataset import ReplayBuffer
from consolidation.neighbour import lower_priority, yielder
from graphs.agent import Agent
from graphs.sleep import SleepContext, builder

log = logging.getLogger(__name__)


class NightInProgress(BlockingIOError):
    """Another process is running this user's night."""


def make_trainer(base_dir: Path, agent: Agent, busy: Callable[[], bool],
                 passages: Callable[[], list[list[int]]] = lambda: []):
    """The train phase's collaborator: LoRA on the base, continuing from the parent adapter,
    anchored to the bare base on `passages` (token ids of general text)."""

    def trainer(batches, init_adapter, folder, on_event, pause) -> dict:
        from transformers import AutoTokenizer

        from consolidation.train import (QLORA, TrainingArgs, TrainingCallback, collate, load_for_training,
                                         save_adapter, train)

        s = agent.settings.sleep
        args = TrainingArgs(rank=s.lora_rank, alpha=2.0 * s.lora_rank, learning_rate=s.learning_rate,
                            iterations=len(batches), batch_size=s.batch_size, seed=agent.settings.seed,
                            anchor_weight=s.anchor_weight, guard_every=s.iterations_per_cycle,
                            converged_loss=s.converged_loss,
                            qlora=QLORA[s.qlora],
                            gradient_checkpointing=s.gradient_checkpointing)
        anchor = passages() if s.anchor_weight else []
        model = load_for_training(base_dir, args, init_adapter)
        tokenizer = AutoTokenizer.from_pretrained(base_dir)
        examples = [ex.messages() for batch in batches for ex in batch]

        def in_plan_order(dataset, batch_size, seed, pad_id):
            # The plan already mixed replay into every batch; keep its batches as they are.
            for start in range(0, len(dataset), batch_size):
                yield collate(dataset[start:start + batch_size], pad_id)

        class Progress(TrainingCallback):
            def on_step(self, info):
                on_event({"phase": "train", "step": info["step"], "of": info["of"], "loss": info["loss"]})

        guard = drift_guard(model, tokenizer, s.drift_bound, max(0.0, s.quiz_drop_bound - QUIZ_MARGIN))
        result = train(model, tokenizer, examples, args, Progress(), busy, batches=in_plan_order, anchor=anchor,
                       guard=guard)
        save_adapter(model, folder)
        return {"tokens": result.tokens, "seconds": result.seconds, "tokens_per_s": result.tokens_per_s,
                "steps": result.steps, "kept_steps": result.kept_steps, "stopped": result.stopped,
                "converged_at": result.converged_at, "losses": [round(x, 4) for x in result.losses],
                "backoffs": list(result.backoffs),
                "first_loss": round(result.losses[0], 4), "final_loss": round(result.final_loss, 4),
                "anchor_kl": None if result.anchor_kl is None else round(result.anchor_kl, 5),
                "learning_rate": result.learning_rate, "args": args.to_json()}

    return trainer


# The guard holds the quiz two questions inside the self-test's bound: the trainer's model and
# the runtime's may answer a question or two apart, and a night the guard lets through should
# not then be rolled back for the same fall.
QUIZ_MARGIN = 0.05


def drift_guard(model, tokenizer, bound: float, quiz_drop: float | None = None) -> Callable[[object], str | None]:
    """At the end of each REM cycle: has the adapter's perplexity on the reference text gone past
    `bound` times the bare base's, or (with `quiz_drop`) its general-knowledge quiz score fallen
    more than `quiz_drop` below the base's? Then the cycle is undone and the next learns more
    gently (`consolidation.train.train`); the self-test measures both again on the candidate,
    with the inference runtime."""
    from consolidation.quiz import MAX_NEW_TOKENS, quiz
    from consolidation.selftest import REFERENCE_TEXT
    from consolidation.train import generate_text, text_perplexity

    base = text_perplexity(model, tokenizer, REFERENCE_TEXT, adapter=False)

    def score(trained, adapter: bool) -> float:
        return quiz(lambda batch: generate_text(trained, tokenizer, batch, MAX_NEW_TOKENS, adapter=adapter)).score

    quiz_base = score(model, adapter=False) if quiz_drop is not None else None

    def guard(trained) -> str | None:
        ratio = text_perplexity(trained, tokenizer, REFERENCE_TEXT) / base
        if ratio > bound:
            return f"perplexity drift {ratio:.3f}x passed the bound {bound:.2f}x"
        if quiz_base is None:
            return None
        after = score(trained, adapter=True)
        return (f"general-knowledge quiz fell from {quiz_base:.0%} to {after:.0%}, past the guard's bound of "
                f"{quiz_drop:.0%}") if after < quiz_base - quiz_drop else None

    return guard


class Night:
    def __init__(self, agent: Agent, on_event: Callable[[dict], None] = lambda e: None,
                 now: Callable[[], datetime] | None = None, judge=None, stop: Callable[[], object] | None = None):
        """`stop` is called at every pause point (between phases and training steps); it may
        raise to abandon the night there, which then resumes from its checkpoint next time."""
        self.agent = agent
        self.stop = stop or (lambda: None)
        self.on_event = on_event
        self.now = now or (lambda: datetime.now().astimezone())
        self.judge = judge if judge is not None else agent.curation_judge()
        self.marker = agent.user_home.root / "sleep.json"

    def base(self) -> tuple[Path, str]:
        source = self.agent.base_source()
        return source.path, source.id

    def context(self) -> SleepContext:
        from cognition.models import base_hash

        base_dir, base_id = self.base()
        digest = base_hash(base_dir)
        root = self.agent.user_home.root
        stop, wait = self.stop, yielder(root)

        def busy() -> bool:
            stop()
            return conversation_active(root)

        def pause() -> float:
            stop()
            return wait()

        return SleepContext(
            settings=self.agent.settings, user_home=self.agent.user_home, diary=self.agent.diary,
            adapters=self.agent.adapters, replay=ReplayBuffer(self.agent.user_home.replay),
            chemistry=self.agent.chemistry, base_dir=base_dir, base_id=base_id, base_hash=digest,
            trainer=make_trainer(base_dir, self.agent, busy,
                                 lambda: anchor_passages(self.agent.runtime, root / "passages.json", digest)),
            runtime=lambda: self.agent.runtime,
            anchors=lambda: anchor_examples(self.agent.runtime, root / "anchors.json", digest),
            judge=self.judge, on_event=self.on_event, pause=pause, now=self.now,
            dreams=self.dreams)

    def dreams(self, state: dict) -> list[dict]:
        from graphs.wiki import night_dreams

        return night_dreams(self.agent, state)

    def pending(self) -> str | None:
        try:
            info = json.loads(self.marker.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return info.get("thread") if info.get("status") == "running" else None

    def run(self, priority: bool = True, wait: float = 0.0) -> dict[str, Any]:
        """Sleep now (or finish the interrupted night) and return the final state. While another
        process runs this user's night, wait up to `wait` seconds for it (-1: as long as it takes),
        then raise NightInProgress. After a wait, the night takes what came after the other one."""
        lock = FileLock(str(self.agent.user_home.root / "sleep.lock"))
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise NightInProgress(
                f"a night is already running for user {self.agent.settings.user!r} (another `reverie sleep`, the "
                "daemon or the server); wait for it to finish, or run `reverie sleep --wait`") from None
        try:
            return self._run(priority)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
                raise
            raise OSError(exc.errno, f"the night stopped: no room to write {exc.filename or 'its files'} "
                                     f"({exc.strerror}). System 1 still serves "
                                     f"{self.agent.adapters.resolve().version or 'no adapter (the base alone)'} and "
                                     "the diary is as it was; free some space and run `reverie sleep` to finish the "
                                     "night") from exc
        finally:
            lock.release()

    def _run(self, priority: bool) -> dict[str, Any]:
        from langgraph.checkpoint.sqlite import SqliteSaver

        if priority:
            lower_priority()
        started = time.perf_counter()
        conn = sqlite3.connect(str(self.agent.user_home.sleep_db), check_same_thread=False)
        try:
            graph = builder.compile(checkpointer=SqliteSaver(conn))
            thread = self.pending()
            ctx = self.context()
            if thread and graph.get_state({"configurable": {"thread_id": thread}}).next:
                self.on_event({"resumed": thread})
                state = graph.invoke(None, {"configurable": {"thread_id": thread}}, context=ctx, durability="sync")
            else:
                night = self.now()
                thread = f"{self.agent.settings.user}:{night.isoformat()}"
                self._mark(thread, "running", night)
                chem = self.agent.chemistry.load()
                # "sync": each phase's checkpoint is on disk before the next phase begins, so a
                # night killed anywhere resumes at the phase it was in (LangGraph's default writes
                # checkpoints in the background, and a kill could lose the last one).
                state = graph.invoke({"night": night.isoformat(), "since": chem.slept},
                                     {"configurable": {"thread_id": thread}}, context=ctx, durability="sync")
            self._mark(thread, "done", datetime.fromisoformat(state["night"]))
        finally:
            conn.close()
        if "brain" in self.agent.__dict__ and hasattr(self.agent.brain.backend, "reload"):
            try:
                self.agent.brain.backend.reload()  # serve what the night promoted
            except ConnectionError as exc:   # a vLLM that is down: the night stands, the next call registers it
                log.warning("the night promoted %s but System 1's server could not take it now: %s",
                            state.get("version"), exc)
                state.setdefault("errors", []).append(f"serving the new adapter: {exc}")
        state["seconds"] = round(time.perf_counter() - started, 3)
        return state

    def _mark(self, thread: str, status: str, night: datetime) -> None:
        atomic_write_text(self.marker, json.dumps({"thread": thread, "status": status, "night": night.isoformat()}))


def summary(state: dict) -> dict[str, Any]:
    """DESIGN.md's `reverie sleep --json` contract, plus a little more."""
    train = state.get("train") or {}
    curation = state.get("curation") or {}
    return {
        "promoted": bool(state.get("promoted")),
        "version": state.get("version"),
        "candidate": state.get("candidate"),
        "self_test": (state.get("self_test") or {}).get("score"),
        "held_out": _held_out_score(state),
        "examples": {**(curation.get("by_kind") or {}), "total": curation.get("examples", 0),
                     "boosted": (state.get("dataset") or {}).get("boosted", 0),
                     "boosted_by_kind": (state.get("dataset") or {}).get("boosted_by_kind", {})},
        "dataset": state.get("dataset"),
        "train": {"tokens": train.get("tokens"), "seconds": train.get("seconds"),
                  "tokens_per_s": train.get("tokens_per_s"), "steps": train.get("steps"),
                  "converged_at": train.get("converged_at")},
        "phases": state.get("phases") or {},
        "rolled_back_because": state.get("rolled_back_because"),
        "drift": state.get("drift"),
        "merge": state.get("merge"),
        "briefing": state.get("briefing"),
        "errors": state.get("errors") or [],
        "seconds": state.get("seconds"),
    }


def _held_out_score(state: dict) -> float | None:
    """The self-test on questions held out of training; None when the night held none out."""
    held = (state.get("self_test") or {}).get("held_out") or {}
    return held.get("score") if held.get("asked") else None
