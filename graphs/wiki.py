"""The wiki loop as a LangGraph graph: prepare → (visit → stage)* → review.

- prepare reads the wiki, embeds what changed and orders the nodes, least recently
  visited first;
- visit runs the worker's proposers on one node; stage writes its proposals into
  `proposals/pending/` and marks the node visited; the loop goes on while there is time,
  nodes and no conversation (`should_stop`);
- review, when asked, runs the heartbeat over the pending queue.

The worker and the heartbeat arrive as the run's context, so the graph holds no objects.
`open_loop` wires them from an agent: the wiki of the home, the retired values the
user's memory knows (from the replay buffer), System 1 for dreams and System 2 as the
judge when it is capable.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any, Callable, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from wiki.heartbeat import Heartbeat
from wiki.proposals import Author, Queue
from wiki.store import open_wiki
from wiki.worker import Retired, Worker, WorkerSettings


@dataclass
class WikiContext:
    worker: Worker
    heartbeat: Heartbeat | None = None
    should_stop: Callable[[], bool] = lambda: False
    on_event: Callable[[dict], None] = lambda e: None


class WikiState(TypedDict, total=False):
    order: list[str]
    position: int
    deadline: float | None
    max_nodes: int | None
    review_max: int | None
    review: bool
    visited: int
    proposed: dict[str, int]
    last: list[Any]
    reviewed: dict | None
    stopped: str | None


def prepare(state: WikiState, runtime: Runtime[WikiContext]) -> dict:
    order = runtime.context.worker.prepare()
    limit = state.get("max_nodes")
    return {"order": order[:limit] if limit else order, "position": 0, "visited": 0, "proposed": {},
            "stopped": None}


def visit(state: WikiState, runtime: Runtime[WikiContext]) -> dict:
    node_id = state["order"][state["position"]]
    return {"last": runtime.context.worker.visit(node_id)}


def stage(state: WikiState, runtime: Runtime[WikiContext]) -> dict:
    ctx = runtime.context
    node_id = state["order"][state["position"]]
    ctx.worker.stage(node_id, state["last"])
    proposed = dict(state.get("proposed") or {})
    for p in state["last"]:
        proposed[p.kind] = proposed.get(p.kind, 0) + 1
    ctx.on_event({"visited": state["visited"] + 1, "of": len(state["order"]), "node": node_id,
                  "proposed": len(state["last"])})
    return {"position": state["position"] + 1, "visited": state["visited"] + 1, "proposed": proposed, "last": []}


def route(state: WikiState, runtime: Runtime[WikiContext]) -> str:
    """Another node while there are nodes, time and quiet; then review (if asked) or the end."""
    ctx = runtime.context
    done = "review" if state.get("review") and ctx.heartbeat is not None else END
    if state["position"] >= len(state["order"]):
        return done
    if ctx.should_stop():
        return done
    if state.get("deadline") and time.time() > state["deadline"]:
        return done
    return "visit"


def review(state: WikiState, runtime: Runtime[WikiContext]) -> dict:
    ctx = runtime.context
    return {"reviewed": ctx.heartbeat.review(state.get("review_max"), on_event=ctx.on_event,
                                             should_stop=ctx.should_stop)}


builder = StateGraph(WikiState, context_schema=WikiContext)
builder.add_node("prepare", prepare)
builder.add_node("visit", visit)
builder.add_node("stage", stage)
builder.add_node("review", review)
builder.add_edge(START, "prepare")
builder.add_conditional_edges("prepare", route, ["visit", "review", END])
builder.add_edge("visit", "stage")
builder.add_conditional_edges("stage", route, ["visit", "review", END])
builder.add_edge("review", END)
graph = builder.compile()


# -- wiring from an agent ---------------------------------------------------------------------------


def retired_values(user_home) -> list[Retired]:
    """What the user's memory has replaced: each night's retired values (`retired.jsonl`) and the
    replay examples that say what replaced them: old value, what holds now, where it was said."""
    from consolidation.dataset import ReplayBuffer, RetiredLog

    rows = [{"value": v, "now": r.get("target", ""), "about": r.get("prompt", ""), "sources": r.get("sources"),
             "night": r.get("night", "")} for r in ReplayBuffer(user_home.replay).records()
            for v in r.get("retires") or []]
    rows += RetiredLog(user_home.root / "retired.jsonl").records()
    out, seen = [], set()
    for r in rows:
        value = r.get("value") or ""
        known = any(o.value.casefold() == value.casefold() and o.now for o in out)
        if not value or (value.casefold(), r.get("now", "")) in seen or (known and not r.get("now")):
            continue   # the same value said twice, or again without what replaced it
        seen.add((value.casefold(), r.get("now", "")))
        out.append(Retired(value=value, now=r.get("now", ""), about=r.get("about", ""),
                           sources=tuple(r.get("sources") or ()), when=r.get("night", "")))
    return out


def open_loop(agent, *, dreams: bool = True, should_stop: Callable[[], bool] = lambda: False,
              on_event: Callable[[dict], None] = lambda e: None) -> WikiContext:
    """The worker and heartbeat of an agent's home, wired to its memory and its two systems."""
    home = agent.home.root
    wiki = open_wiki(home)
    queue = Queue(home / "proposals").ensure()
    associate = None
    if dreams and agent.settings.system1.enabled:
        draws = itertools.count(agent.settings.seed)   # each dream its own draw, the run still repeatable
        associate = lambda prompt: agent.brain.associate(prompt, seed=next(draws)).text
    adapter = agent.adapters.current()
    author = Author(worker="worker", system1=adapter if dreams else None,
                    system2=agent.settings.system2.model if agent.capable else None)
    worker = Worker(wiki, queue, home / "proposals", embedder=agent.settings.memory.embedder,
                    retired=retired_values(agent.user_home), associate=associate, author=author,
                    settings=WorkerSettings(links=agent.settings.wiki.links), seed=agent.settings.seed)
    judge = agent.curation_judge()
    heartbeat = Heartbeat(wiki, queue, home / "proposals" / "merges", judge=judge,
                          embedder=agent.settings.memory.embedder)
    return WikiContext(worker=worker, heartbeat=heartbeat, should_stop=should_stop, on_event=on_event)


def work(ctx: WikiContext, minutes: float | None = None, max_nodes: int | None = None, review: bool = False,
         review_max: int | None = None) -> dict:
    """One bounded run of the loop; returns what it did."""
    started = time.perf_counter()
    state = graph.invoke({"deadline": time.time() + minutes * 60 if minutes else None, "max_nodes": max_nodes,
                          "review": review, "review_max": review_max}, context=ctx,
                         config={"recursion_limit": 10_000_000})
    seconds = time.perf_counter() - started
    proposed = state.get("proposed") or {}
    return {"visited": state.get("visited", 0), "nodes": len(state.get("order") or []), "proposed": proposed,
            "seconds": round(seconds, 3), "reviewed": state.get("reviewed"),
            "proposals_per_hour": round(sum(proposed.values()) / seconds * 3600, 1) if seconds else None,
            "skipped": dict(ctx.worker.wiki.skipped)}


def night_dreams(agent, state: dict, sample: int = 5) -> list[dict]:
    """After a promoted night: the new adapter dreams on a few wiki nodes against the day's material.

    Each dream is staged as a proposal for review (never applied as a fact); returns what
    was staged, for the briefing. Nothing happens without a wiki or without a promotion.
    """
    import random
    from datetime import datetime

    from wiki.proposals import Dream, new_id, now
    from wiki.store import wiki_path

    if not state.get("promoted") or wiki_path(agent.home.root) is None:
        return []
    wiki = open_wiki(agent.home.root)
    nodes = [n for n in wiki.nodes() if n.id != "Dreams" and n.opening]
    since = datetime.fromisoformat(state["since"]) if state.get("since") else None
    material = [e for e in agent.diary.entries(since) if e.kind in ("exchange", "note")][-50:]
    if not nodes or not material:
        return []
    agent.brain.backend.reload()   # the adapter the night just promoted
    rng = random.Random(f"{agent.settings.seed}:{state['night']}")
    queue = Queue(agent.home.root / "proposals").ensure()
    author = Author(worker="dreams", system1=state.get("version"))
    staged = []
    for k, node in enumerate(rng.sample(nodes, min(sample, len(nodes)))):
        memory = rng.choice(material)
        thought = agent.brain.associate(f"{node.title}: {node.opening[:240]}\nToday: {memory.text[:240]}",
                                        seed=agent.settings.seed + k)
        if not thought.text.strip():
            continue
        dream = Dream(id=new_id("dream"), created=now(), author=author, nodes={node.id: node.hash},
                      memories=[memory.id], text=thought.text.strip(),
                      rationale=f"the night's adapter {state.get('version')} let {node.title} meet the day's "
                                f"words ({memory.day.isoformat()})")
        queue.stage(dream)
        staged.append({"id": dream.id, "node": node.title, "text": dream.text})
    return staged
