"""One night: collect → curate → dataset → train → self-test → promote → merge → briefing.

Every phase is a node whose result is checkpointed (SQLite, one thread per night), so
a night killed at any point resumes at the last finished phase. Nothing a phase does
can damage what is served: the candidate adapter is written beside the others and
only an atomic rename of CURRENT promotes it; the diary is only read.

The state holds only JSON-able values. The training plan is not stored but recomposed
from the night's examples and its seed, so a resumed night trains on the same batches.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Callable, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from cognition.chemistry import ChemistryStore
from cognition.config import Settings
from cognition.diary import SAID, Diary
from cognition.home import UserHome
from consolidation.collect import collect as collect_items
from consolidation.dataset import ReplayBuffer, RetiredLog, compose, rem_cycles, volume
from consolidation.examples import Example, Item
from consolidation.frames import KIND as PROFILE, replaced
from consolidation.selftest import hold_out
from consolidation.unsaid import KIND as UNSAID
from system1.adapters import AdapterStore, runtime_name


@dataclass
class SleepContext:
    settings: Settings
    user_home: UserHome
    diary: Diary
    adapters: AdapterStore
    replay: ReplayBuffer
    chemistry: ChemistryStore
    base_dir: Any                                   # Path of the base the adapter sits on
    base_id: str
    base_hash: str
    trainer: Callable[..., dict]                    # (plan_examples, init_adapter, out_folder, callback, pause) -> stats
    runtime: Callable[[], Any]                      # () -> LocalRuntime on the base (loaded on first use)
    anchors: Callable[[], list[Example]] = lambda: []  # general questions with the base's own answers
    judge: Callable[[list[dict]], str] | None = None
    dreams: Callable[[dict], list[dict]] | None = None   # after a promotion: wiki dreams staged for review
    on_event: Callable[[dict], None] = lambda event: None
    pause: Callable[[], float] = lambda: 0.0
    now: Callable[[], datetime] = field(default=lambda: datetime.now().astimezone())


def merge_dicts(old: dict | None, new: dict | None) -> dict:
    return {**(old or {}), **(new or {})}


def add_lists(old: list | None, new: list | None) -> list:
    return (old or []) + (new or [])


class SleepState(TypedDict, total=False):
    night: str
    since: str | None
    collected: dict
    examples: list[dict]
    retired: list[str]
    curation: dict
    dataset: dict
    candidate: str | None
    parent: str | None
    train: dict
    self_test: dict
    drift: dict
    promoted: bool
    version: str | None
    rolled_back_because: str | None
    merge: dict | None
    dreams: list[dict]          # wiki dreams the promoted adapter staged for review
    rebuild: dict | None        # forgotten entries: the adapter to start again from, and what to learn again
    briefing: str
    phases: Annotated[dict[str, float], merge_dicts]
    errors: Annotated[list[str], add_lists]


def _phase(name: str, started: float, ctx: SleepContext) -> dict:
    seconds = round(time.perf_counter() - started, 3)
    ctx.on_event({"phase": name, "done": True, "seconds": seconds})
    return {name: seconds}


def _begin(name: str, ctx: SleepContext) -> float:
    ctx.pause()
    ctx.on_event({"phase": name, "done": False})
    return time.perf_counter()


def collect(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    ctx = runtime.context
    started = _begin("collect", ctx)
    items = _items(ctx, state)
    kinds: dict[str, int] = {}
    for item in items:
        kinds[item.kind] = kinds.get(item.kind, 0) + 1
    served = ctx.adapters.resolve()   # a damaged adapter is refused: the night builds on what is served
    damaged = [f"{refused}; the night builds on {served.version or 'the base alone'} instead (see `reverie adapters "
               "show`)" for refused in served.refused]
    return {"collected": {"items": len(items), "by_kind": kinds}, "errors": damaged,
            "phases": _phase("collect", started, ctx)}


def _items(ctx: SleepContext, state: SleepState) -> list[Item]:
    """The night's window of the diary. Items are re-read rather than checkpointed, so the
    checkpoint never holds a copy of what was said (secrets included)."""
    since = datetime.fromisoformat(state["since"]) if state.get("since") else None
    return collect_items(ctx.diary, since, until=datetime.fromisoformat(state["night"]))


def curate(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    from consolidation.curate import curate as run_curation

    ctx = runtime.context
    started = _begin("curate", ctx)
    items = _items(ctx, state)
    said = (e.text for e in ctx.diary.entries() if e.kind in SAID)   # for what was never said
    result = run_curation(items, prior=ctx.replay.examples(), judge=ctx.judge, night=state["night"][:10], said=said)
    summary = {"items": len(items), "examples": len(result.examples), "dropped": len(result.dropped),
               "retired": len(result.retired), "by_kind": dict(result.counts)}
    return {"examples": [ex.to_json() for ex in result.examples], "retired": list(result.retired),
            "curation": summary, "phases": _phase("curate", started, ctx)}


def unlearn(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    """Take forgotten entries out of the weights: rebuild from the last adapter before any of them.

    `forgotten.jsonl` names the entries a person asked to forget. The adapters that learned
    them are known from the lineage (each manifest names its examples' diary entries); the
    night starts again from the parent of the oldest such adapter, and learns again what the
    adapters it discards had learned since (the replay buffer, which forgetting already
    cleaned), so nothing else is lost. The manifest records the ids, never what they said.
    """
    ctx = runtime.context
    started = _begin("unlearn", ctx)
    pending = _pending_forgets(ctx)
    if not pending:
        return {"rebuild": None, "phases": _phase("unlearn", started, ctx)}
    lineage = ctx.adapters.lineage()   # newest first
    learned = [v for v in lineage if ctx.adapters.sources(v) & pending]
    if not learned:   # forgotten before any night learned them: recorded, nothing to undo
        return {"rebuild": {"forgotten": sorted(pending), "from": None, "discarded": [], "relearn": []},
                "phases": _phase("unlearn", started, ctx)}
    # The oldest adapter that learned one, and every adapter trained on top of it, hold it in their weights.
    learned = lineage[: lineage.index(learned[-1]) + 1]
    base = ctx.adapters.manifest(learned[-1]).get("parent")
    since = (ctx.adapters.manifest(base).get("night") or "")[:10] if base else ""
    today = {e.id for e in _today(state)}
    relearn = [ex.to_json() for ex in ctx.replay.examples() if ex.night > since and ex.id not in today]
    return {"rebuild": {"forgotten": sorted(pending), "from": base, "discarded": learned, "relearn": relearn},
            "phases": _phase("unlearn", started, ctx)}


def _pending_forgets(ctx: SleepContext) -> set[str]:
    """Entries forgotten that the served lineage has not yet recorded as unlearned."""
    import json

    log_path = ctx.user_home.root / "forgotten.jsonl"
    if not log_path.exists():
        return set()
    asked = set()
    for line in log_path.read_text(encoding="utf-8").splitlines():
        try:
            asked.add(json.loads(line)["id"])
        except (ValueError, KeyError, TypeError):
            continue
    done = set()
    for version in ctx.adapters.lineage():
        done |= set(ctx.adapters.manifest(version).get("forgotten") or [])
    return asked - done


def _relearned(state: SleepState) -> list[Example]:
    return [Example.from_json(e) for e in (state.get("rebuild") or {}).get("relearn") or []]


def _today(state: SleepState) -> list[Example]:
    return [Example.from_json(e) for e in state.get("examples") or []]


def _trained(state: SleepState, held_out: bool = False) -> list[Example]:
    """Today's examples less those held out of training for the self-test (or, with
    `held_out`, only those)."""
    held = set((state.get("dataset") or {}).get("held_out") or [])
    today = [ex for ex in _today(state) if (ex.id in held) == held_out]
    return today if held_out else today + _relearned(state)   # what a rebuild learns again is never held out


def _older(ctx: SleepContext, state: SleepState) -> list[Example]:
    """Older memories still true tonight (the replay buffer minus today's, the retired and the
    profiles tonight renews)."""
    today = _today(state)
    today_ids, renewed = {e.id for e in today + _relearned(state)}, replaced(today)
    retired = state.get("retired") or []
    return [ex for ex in ctx.replay.examples() if ex.id not in today_ids and not ex.states(retired)
            and not (ex.kind == PROFILE and ex.prompt in renewed) and not (ex.kind == UNSAID and today)]


def plan_of(ctx: SleepContext, state: SleepState):
    """Today's examples, with the replay share of every batch drawn from older memories and,
    for `anchor_share` of it, the anchors."""
    d, s = state["dataset"], ctx.settings.sleep
    return compose(_trained(state), _older(ctx, state), batches=d["iterations"], batch_size=d["batch_size"],
                   replay_fraction=s.replay_fraction, seed=d["seed"], anchors=ctx.anchors(),
                   anchor_share=s.anchor_share)


def dataset(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    ctx = runtime.context
    started = _begin("dataset", ctx)
    s = ctx.settings.sleep
    today = _today(state)
    rebuild = state.get("rebuild") or {}
    cycles = rem_cycles(volume(today + _relearned(state)), s.rem_cycles_min, s.rem_cycles_max, s.items_per_cycle)
    spec = {"cycles": cycles, "iterations": cycles * s.iterations_per_cycle, "batch_size": s.batch_size,
            "seed": ctx.settings.seed + len(today)}
    if not today and not rebuild.get("discarded"):  # nothing new, nothing to unlearn: rehearsing alone is not worth a night
        return {"dataset": {**spec, "empty": True}, "phases": _phase("dataset", started, ctx)}
    spec["held_out"] = hold_out(today, seed=spec["seed"])
    plan = plan_of(ctx, {**state, "dataset": spec})
    return {"dataset": {**spec, **plan.composition}, "phases": _phase("dataset", started, ctx)}


def route_after_dataset(state: SleepState) -> str:
    return "briefing" if state["dataset"].get("empty") else "train"


TRAIN_STATS = ("tokens", "seconds", "tokens_per_s", "final_loss", "first_loss", "anchor_kl", "steps", "kept_steps",
               "stopped", "backoffs", "converged_at")


def train(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    ctx = runtime.context
    started = _begin("train", ctx)
    ctx.adapters.clean_staging()
    rebuild = state.get("rebuild") or {}
    parent = rebuild["from"] if rebuild.get("discarded") else ctx.adapters.resolve().version
    saved = next((v for v in ctx.adapters.versions() if ctx.adapters.manifest(v).get("night") == state["night"]), None)
    if saved is not None:   # the night was stopped after its adapter was saved, before its checkpoint
        stats = ctx.adapters.manifest(saved).get("train") or {}
        return {"candidate": saved, "parent": ctx.adapters.manifest(saved).get("parent"),
                "train": {k: stats.get(k) for k in TRAIN_STATS}, "phases": _phase("train", started, ctx)}
    plan = plan_of(ctx, state)
    stats: dict = {}

    def write(folder):
        stats.update(ctx.trainer(plan.batches, ctx.adapters.path(parent) if parent else None, folder,
                                 ctx.on_event, ctx.pause))

    s = ctx.settings.sleep
    manifest = {
        "status": "candidate", "parent": parent, "base": ctx.base_id, "base_sha256": ctx.base_hash,
        "night": state["night"], "dataset": state["dataset"],
        "hyperparameters": {"rank": s.lora_rank, "iterations": state["dataset"]["iterations"],
                            "batch_size": s.batch_size},
        "examples": [{"id": e["id"], "kind": e["kind"], "sources": e["sources"]}
                     for e in state["examples"] + rebuild.get("relearn", [])],
        "forgotten": rebuild.get("forgotten", []), "discarded": rebuild.get("discarded", []),
    }
    version = ctx.adapters.save(write, manifest)
    # The learning rate actually used (the profile's when the settings leave it unset).
    hyper = {**manifest["hyperparameters"], **stats.get("args", {}), "learning_rate": stats.get("learning_rate")}
    ctx.adapters.annotate(version, hyperparameters=hyper,
                          train={k: v for k, v in stats.items() if k != "args"})
    return {"candidate": version, "parent": parent, "train": {k: stats.get(k) for k in TRAIN_STATS},
            "phases": _phase("train", started, ctx)}


def self_test(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    from consolidation.quiz import run_quiz
    from consolidation.selftest import perplexity, pick_questions
    from consolidation.selftest import self_test as run_self_test

    ctx = runtime.context
    started = _begin("self_test", ctx)
    rt = ctx.runtime()
    version = state["candidate"]
    name = runtime_name(f"candidate-{ctx.settings.user}", version)
    rt.load_adapter(name, ctx.adapters.path(version))
    try:
        questions = pick_questions(_trained(state), _older(ctx, state), seed=ctx.settings.seed)
        result = run_self_test(rt, questions, state.get("retired") or [])
        unseen = run_self_test(rt, pick_questions(_trained(state, held_out=True), [], seed=ctx.settings.seed),
                               state.get("retired") or [])
        ppl_candidate = perplexity(rt, adapter=True)
        ppl_base = perplexity(rt, adapter=False)
        quiz_after = run_quiz(rt, adapter=True)
        quiz_base = run_quiz(rt, adapter=False)
    finally:
        rt.unload_adapter(name)
    drift = {"ppl_base": round(ppl_base, 4), "ppl_after": round(ppl_candidate, 4),
             "ratio": round(ppl_candidate / ppl_base, 4), "quiz_base": round(quiz_base.score, 4),
             "quiz_after": round(quiz_after.score, 4), "quiz_failures": quiz_after.failures[:5]}
    report = {"score": round(result.score, 4), "passed": result.passed, "asked": result.asked,
              "failures": result.failures[:10],
              "held_out": {"score": round(unseen.score, 4), "passed": unseen.passed, "asked": unseen.asked,
                           "failures": unseen.failures[:5]}}
    return {"self_test": report, "drift": drift, "phases": _phase("self_test", started, ctx)}


def promote(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    ctx = runtime.context
    started = _begin("promote", ctx)
    s = ctx.settings.sleep
    score, ratio = state["self_test"]["score"], state["drift"]["ratio"]
    reason = None
    if score < s.self_test_threshold:
        reason = f"self-test {score:.0%} is below the threshold {s.self_test_threshold:.0%}"
    elif ratio > s.drift_bound:
        reason = f"perplexity drift {ratio:.3f}x exceeds the bound {s.drift_bound:.2f}x"
    elif "quiz_after" in state["drift"] and \
            state["drift"]["quiz_after"] < state["drift"]["quiz_base"] - s.quiz_drop_bound:
        d = state["drift"]
        reason = (f"general-knowledge quiz fell from {d['quiz_base']:.0%} to {d['quiz_after']:.0%}, "
                  f"more than the bound of {s.quiz_drop_bound:.0%}")
    version = state["candidate"]
    ctx.adapters.annotate(version, self_test=state["self_test"], drift=state["drift"],
                          status="rolled back" if reason else "promoted", rolled_back_because=reason)
    if reason is None:
        ctx.adapters.promote(version)
        for gone in (state.get("rebuild") or {}).get("discarded") or []:
            # their weights learned what the person asked to forget: only their manifests stay
            ctx.adapters.erase(gone, f"rebuilt without forgotten entries as {version}")
    ctx.replay.add(_today(state), state.get("retired") or [], night=state["night"][:10])
    RetiredLog(ctx.user_home.root / "retired.jsonl").add(state.get("retired") or [], _today(state),
                                                          state["night"][:10])
    return {"promoted": reason is None, "version": version if reason is None else ctx.adapters.current(),
            "rolled_back_because": reason, "phases": _phase("promote", started, ctx)}


def merge(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    from consolidation.merge import BaseFile, MergeError, merge_adapter, merge_due

    ctx = runtime.context
    started = _begin("merge", ctx)
    base_file = BaseFile(ctx.user_home.root / "BASE")
    info = base_file.read()
    versions = ctx.adapters.versions()
    first = ctx.adapters.manifest(versions[0]).get("night") if versions else None
    since = datetime.fromisoformat(info.get("since") or first) if (info.get("since") or first) else None
    current = ctx.adapters.resolve().version
    if not current or not merge_due(since, datetime.fromisoformat(state["night"]), ctx.settings.sleep.merge_every_days):
        return {"merge": None, "phases": _phase("merge", started, ctx)}
    target = ctx.settings.models_path / f"{ctx.base_id.split('@')[0]}@{ctx.settings.user}-{current}"
    try:
        report = merge_adapter(ctx.base_dir, ctx.adapters.path(current), target)
    except MergeError as exc:
        return {"merge": None, "errors": [str(exc)], "phases": _phase("merge", started, ctx)}
    base_file.write(target.name, datetime.fromisoformat(state["night"]))
    ctx.adapters.clear_current()
    return {"merge": {"base": target.name, "from": current, "max_logit_diff": report.max_logit_diff},
            "phases": _phase("merge", started, ctx)}


def dreams(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    """The promoted adapter dreams against the wiki and the day; the dreams wait in the queue for review."""
    ctx = runtime.context
    started = _begin("dreams", ctx)
    staged: list[dict] = []
    if ctx.dreams is not None and state.get("promoted"):
        try:
            staged = ctx.dreams(dict(state))
        except Exception as exc:   # a dream is never worth a night: reported, and the night goes on
            return {"dreams": [], "errors": [f"dreams: {type(exc).__name__}: {exc}"],
                    "phases": _phase("dreams", started, ctx)}
    return {"dreams": staged, "phases": _phase("dreams", started, ctx)}


def briefing(state: SleepState, runtime: Runtime[SleepContext]) -> dict:
    from consolidation.briefing import write_briefing

    ctx = runtime.context
    started = _begin("briefing", ctx)
    path = write_briefing(ctx.user_home.briefings, state)
    ctx.chemistry.slept(datetime.fromisoformat(state["night"]))
    return {"briefing": str(path), "phases": _phase("briefing", started, ctx)}


builder = StateGraph(SleepState, context_schema=SleepContext)
for name, node in [("collect", collect), ("curate", curate), ("unlearn", unlearn), ("dataset", dataset),
                   ("train", train),
                   ("self_test", self_test), ("promote", promote), ("merge", merge), ("dreams", dreams),
                   ("briefing", briefing)]:
    builder.add_node(name, node)
builder.add_edge(START, "collect")
builder.add_edge("collect", "curate")
builder.add_edge("curate", "unlearn")
builder.add_edge("unlearn", "dataset")
builder.add_conditional_edges("dataset", route_after_dataset, ["train", "briefing"])
builder.add_edge("train", "self_test")
builder.add_edge("self_test", "promote")
builder.add_edge("promote", "merge")
builder.add_edge("merge", "dreams")
builder.add_edge("dreams", "briefing")
builder.add_edge("briefing", END)
