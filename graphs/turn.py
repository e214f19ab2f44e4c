"""One coordinated turn: perceive → (recall ‖ intuit) → deliberate → remember.

- perceive classifies the message, updates the chemistry and writes the user's words
  to the diary before any model runs, so nothing said is lost if a later step fails;
- recall (Chroma over the diary) and intuit (System 1 on the message alone) run in the
  same superstep, in parallel; with System 1 off, intuit is not scheduled at all;
- deliberate is System 2: it answers from the message, the memories and the
  provocation, streams its tokens to the caller, and returns its verdict. On the
  embedded default a question is first coordinated by rule (`graphs.coordinate`):
  System 1's closed-book answer is taken where the diary grounds it, set aside for
  the memories where it does not, or the turn says the user never told it;
- remember appends the reply to the diary, then indexes the exchange.

The state is checkpointed per user thread (SQLite), which carries the running
conversation from one turn to the next. Collaborators arrive as the run's context
(`TurnContext`), so the graph itself is module-level and holds no objects.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import date
from typing import Annotated, Any, Callable, TypedDict

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from cognition.chemistry import ChemistryStore
from graphs.coordinate import Coordination, asks, coordinate, holds_facts
from cognition.diary import SAID, Diary
from cognition.index import MemoryIndex, cosine, embed
from cognition.perceive import Perception
from cognition.perceive import perceive as classify
from system1.brain import LizardBrain
from system1.prompts import NOT_TOLD
from system2.reasoner import Reasoner

HISTORY_CHARS = 2000  # a thread's history keeps this much of each past message


@dataclass
class TurnContext:
    diary: Diary
    index: MemoryIndex
    chemistry: ChemistryStore
    reasoner: Reasoner
    brain: LizardBrain | None = None
    recall_k: int = 5
    history_turns: int = 4
    seed: int | None = None
    judge: Callable[[str], Perception | None] | None = None  # a capable System 2 classifying the message
    coordinate: bool = False          # weigh System 1 against the diary by rule (the embedded default)
    grounded_at: float = 0.70         # ... System 1's answer grounded: its source entry this close to the question
    recalled_at: float = 0.50         # ... a memory this close to the question was recalled


def merge_timings(old: dict | None, new: dict | None) -> dict:
    """Per-node seconds; a turn starts afresh when perceive sends `_reset`."""
    if not new:
        return old or {}
    if new.get("_reset"):
        return {k: v for k, v in new.items() if k != "_reset"}
    return {**(old or {}), **new}


def append_history(old: list | None, new: list | None) -> list:
    return (old or []) + (new or [])


class TurnState(TypedDict, total=False):
    message: str
    system1_enabled: bool
    record: bool           # False for probes: no diary, no index, no chemistry, no history
    max_tokens: int | None     # this turn's limits on System 2's answer (a served request's), else the config's
    temperature: float | None
    usage: list[int] | None    # System 2's [prompt, completion] tokens where its backend counts them
    entry_id: str | None
    category: str
    signals: list[str]
    chemistry: dict[str, float]
    memories: list[dict[str, Any]]
    system1: str | None
    adapter: str | None
    answer: str
    verdict: str | None
    verdict_source: str | None
    coordination: dict | None  # the rule's decision on the embedded default (graphs.coordinate)
    similarity: float | None
    notes: list[str]
    first_token_s: float | None
    timings: Annotated[dict[str, float], merge_timings]
    history: Annotated[list[list[str]], append_history]


def _timed(name: str, started: float) -> dict:
    return {name: round(time.perf_counter() - started, 4)}


def perceive(state: TurnState, runtime: Runtime[TurnContext]) -> dict:
    started = time.perf_counter()
    ctx = runtime.context
    seen, note = _perceive(ctx, state["message"])
    entry_id = None
    if state.get("record", True):
        chem = ctx.chemistry.perceive(seen)
        entry_id = ctx.diary.begin_exchange(state["message"], reward=chem.dopamine, chemistry=chem.snapshot(),
                                            meta={"category": seen.category, "signals": list(seen.signals)}).id
    else:  # a probe (benchmarks): answered like any turn, but leaves no trace
        chem = ctx.chemistry.load()
    return {"entry_id": entry_id, "category": seen.category, "signals": list(seen.signals),
            "chemistry": chem.snapshot(), "memories": [], "system1": None, "adapter": None,
            "notes": [note] if note else [],
            "verdict": None, "verdict_source": None, "similarity": None, "first_token_s": None, "coordination": None,
            "timings": {"_reset": True, **_timed("perceive", started)}}


def _perceive(ctx: TurnContext, message: str) -> tuple[Perception, str | None]:
    """The judge's reading when a capable System 2 gives one; the rules otherwise (and on any failure)."""
    if ctx.judge is not None:
        try:
            judged = ctx.judge(message)
        except ConnectionError as exc:  # the endpoint is down: the rules still work, and the turn goes on
            return classify(message), f"perceived by rules: {exc}"
        if judged is not None:
            return judged, None
    return classify(message), None


def route_after_perceive(state: TurnState) -> list[str]:
    """Recall always; intuit only while System 1 is on (off is the ablation)."""
    return ["recall", "intuit"] if state.get("system1_enabled", True) else ["recall"]


def recall(state: TurnState, runtime: Runtime[TurnContext]) -> dict:
    started = time.perf_counter()
    ctx = runtime.context
    hits = ctx.index.search(state["message"], k=ctx.recall_k)
    memories = [h.to_json() for h in hits if h.id != state.get("entry_id")]
    return {"memories": memories, "timings": _timed("recall", started)}


def _coordinated_question(state: TurnState, ctx: TurnContext) -> bool:
    """A question for the rule: perceived as one, or a request for something the user knows
    ("remind me of my library card number"), which perception reads as a statement."""
    return ctx.coordinate and ("question" in (state.get("signals") or ()) or asks(state["message"]))


def intuit(state: TurnState, runtime: Runtime[TurnContext]) -> dict:
    started = time.perf_counter()
    ctx = runtime.context
    if ctx.brain is None:
        return {"timings": _timed("intuit", started)}
    if _coordinated_question(state, ctx):   # to a question, System 1 provokes with its closed-book answer
        thought = ctx.brain.answer(state["message"])
    else:
        thought = ctx.brain.associate(state["message"], seed=ctx.seed)
    return {"system1": thought.text or None, "adapter": thought.adapter,
            "notes": list(state.get("notes") or []) + ([f"System 1: {thought.note}"] if thought.note else []),
            "timings": _timed("intuit", started)}


def _memory_line(m: dict) -> str:
    when = date.fromisoformat(m["date"]).strftime("%d %b %Y")
    who = {"exchange": "the user said", "note": "from the user's notes", "thought": "you thought",
           "daydream": "you daydreamed"}.get(m["kind"], m["kind"])
    return f"{when}, {who}: {m['text']}"


def _source(ctx: TurnContext) -> Callable[[str], str | None]:
    """The user's words nearest a text that hold facts: where System 1's answer came from."""
    def source(text: str) -> str | None:
        hits = [h.to_json() for h in ctx.index.search(text, k=5, kinds=SAID)]
        return next((h["text"] for h in hits if holds_facts(h)), None)
    return source


def _distance(ctx: TurnContext) -> Callable[[str, str], float]:
    def distance(a: str, b: str) -> float:
        va, vb = embed([a, b], ctx.index.embedder)
        return 1.0 - cosine(va, vb)
    return distance


def deliberate(state: TurnState, runtime: Runtime[TurnContext]) -> dict:
    started = time.perf_counter()
    ctx = runtime.context
    writer = get_stream_writer()
    provocation = state.get("system1")
    coordination = None
    if ctx.coordinate:
        coordination = coordinate(state["message"], _coordinated_question(state, ctx), provocation,
                                  state.get("memories") or [], _source(ctx), _distance(ctx), ctx.grounded_at,
                                  ctx.recalled_at)
        decided = _decided(coordination, provocation, writer)
        if decided is not None:
            return {**decided, "notes": list(state.get("notes") or []) + [f"coordination: {coordination.reason}"],
                    "coordination": coordination.to_json(), "timings": _timed("deliberate", started)}
        if coordination.decision == "discard":
            provocation = None   # System 2 answers from the memories alone
    history = [tuple(pair) for pair in (state.get("history") or [])[-ctx.history_turns:]] if ctx.history_turns else []
    limits = {k: state[k] for k in ("max_tokens", "temperature") if state.get(k) is not None}
    result = ctx.reasoner.deliberate(
        state["message"], [_memory_line(m) for m in state.get("memories") or []], provocation,
        history=history, on_text=lambda text: writer({"token": text}), seed=ctx.seed, **limits)
    notes = list(state.get("notes") or []) + ([result.note] if result.note else [])
    if coordination is not None and coordination.decision == "discard" and state.get("system1"):
        notes.append(f"coordination: {coordination.reason}")
        result = replace(result, verdict="discard", verdict_source="coordinated")
    if (state.get("chemistry") or {}).get("adenosine", 0.0) >= 1.0:
        notes.append(f"sleep is due (adenosine 1.00): answered with adapter {state.get('adapter') or 'none'}; "
                     "the daemon or `reverie sleep` will consolidate")
    return {"answer": result.answer, "verdict": result.verdict, "verdict_source": result.verdict_source,
            "similarity": result.similarity, "first_token_s": result.first_token_s, "notes": notes,
            "coordination": coordination.to_json() if coordination else None,
            "usage": list(result.usage) if result.usage else None, "timings": _timed("deliberate", started)}


def _decided(coordination: Coordination, provocation: str | None, writer) -> dict | None:
    """The answer where the rule settles the turn without System 2: System 1's grounded answer,
    or the plain admission that the user never said. None: System 2 answers."""
    if coordination.decision == "accept":
        answer, verdict = provocation, "accept"
    elif coordination.decision == "abstain":
        answer, verdict = NOT_TOLD, ("discard" if provocation else None)
    else:
        return None
    writer({"token": answer})
    return {"answer": answer, "verdict": verdict, "verdict_source": "coordinated" if verdict else None,
            "similarity": None, "first_token_s": None, "usage": None}


def remember(state: TurnState, runtime: Runtime[TurnContext]) -> dict:
    started = time.perf_counter()
    ctx = runtime.context
    if not state.get("record", True):
        return {"timings": _timed("remember", started)}
    entry = ctx.diary.get(state["entry_id"])
    if entry is None:
        raise RuntimeError(f"diary entry {state['entry_id']} vanished before its reply was written")
    done = ctx.diary.finish_exchange(entry, state["answer"], meta={
        "system1": state.get("system1"), "adapter": state.get("adapter"), "verdict": state.get("verdict"),
        "verdict_source": state.get("verdict_source"), "memories": [m["id"] for m in state.get("memories") or []]})
    ctx.index.add([done])
    pair = [state["message"][:HISTORY_CHARS], state["answer"][:HISTORY_CHARS]]
    return {"history": [pair], "timings": _timed("remember", started)}


builder = StateGraph(TurnState, context_schema=TurnContext)
builder.add_node("perceive", perceive)
builder.add_node("recall", recall)
builder.add_node("intuit", intuit)
builder.add_node("deliberate", deliberate)
builder.add_node("remember", remember)
builder.add_edge(START, "perceive")
builder.add_conditional_edges("perceive", route_after_perceive, ["recall", "intuit"])
# Both edges lead into deliberate; recall and intuit share a superstep, so deliberate
# runs once, after both, and with intuit unscheduled it waits for recall alone.
builder.add_edge("recall", "deliberate")
builder.add_edge("intuit", "deliberate")
builder.add_edge("deliberate", "remember")
builder.add_edge("remember", END)
graph = builder.compile()
