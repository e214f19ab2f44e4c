"""The morning briefing: what the night learned, how it scored, what it refused and why."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cognition.home import atomic_write_text


def render(state: dict) -> str:
    night = datetime.fromisoformat(state["night"])
    lines = [f"# Morning briefing — {night:%A %d %B %Y}", ""]
    collected = state.get("collected") or {}
    curation = state.get("curation") or {}
    lines.append(f"Collected {collected.get('items', 0)} diary entries "
                 f"({_kinds(collected.get('by_kind') or {})}) since the last sleep.")
    if curation:
        lines.append(f"Curation kept {curation.get('examples', 0)} training examples "
                     f"({_kinds(curation.get('by_kind') or {})}), dropped {curation.get('dropped', 0)} items, "
                     f"and retired {curation.get('retired', 0)} outdated values.")
    ds = state.get("dataset") or {}
    if ds.get("empty"):
        lines += ["", "Nothing new to learn tonight and nothing to replay: no training."]
    elif ds:
        lines.append(f"Training: {ds.get('cycles')} REM cycles, {ds.get('iterations')} steps of {ds.get('batch_size')}, "
                     f"{ds.get('replay_share', 0):.0%} replayed from {ds.get('replay_pool', 0)} older examples.")
    train = state.get("train") or {}
    if train:
        lines.append(f"Trained {train.get('tokens')} tokens in {train.get('seconds', 0):.0f} s "
                     f"({train.get('tokens_per_s', 0):.0f} tokens/s); loss {train.get('first_loss')} → "
                     f"{train.get('final_loss')}.")
        for b in train.get("backoffs") or []:
            lines.append(f"After step {b['step']} {b['reason']}: that cycle was undone and training went on "
                         f"at {b['scale']:g}x the learning rate.")
        if train.get("stopped"):
            lines.append(f"Training stopped early: {train['stopped']}; the adapter keeps the first "
                         f"{train.get('kept_steps')} of {train.get('steps')} steps.")
    lines.append("")
    test, drift = state.get("self_test"), state.get("drift")
    if test:
        lines.append(f"Self-test: {test['passed']}/{test['asked']} closed-book questions ({test['score']:.0%}).")
        unseen = test.get("held_out") or {}
        if unseen.get("asked"):
            lines.append(f"Asked in words it never trained on: {unseen['passed']}/{unseen['asked']} "
                         f"({unseen['score']:.0%}).")
    if drift:
        lines.append(f"Drift: reference perplexity {drift['ppl_base']:.2f} → {drift['ppl_after']:.2f} "
                     f"({drift['ratio']:.3f}x)." + (f" General-knowledge quiz {drift['quiz_base']:.0%} → "
                                                   f"{drift['quiz_after']:.0%}." if "quiz_after" in drift else ""))
    if state.get("promoted"):
        lines.append(f"**Promoted {state.get('version')}** (parent {state.get('parent') or 'none'}).")
    elif state.get("candidate"):
        lines.append(f"**Rolled back**: {state.get('rolled_back_because')}. Candidate {state['candidate']} is kept "
                     f"for inspection; {state.get('version') or 'the bare base'} stays in service.")
    if state.get("merge"):
        m = state["merge"]
        lines.append(f"Monthly merge: {m['from']} folded into a new base {m['base']} "
                     f"(max logit difference {m['max_logit_diff']:.1e}); a fresh adapter starts tonight.")
    if state.get("dreams"):
        lines += ["", "## Dreams staged for review", "",
                  "The new adapter dreamed against the wiki and the day; these wait in `reverie proposals list` "
                  "and are never applied as facts.", ""]
        lines += [f"- {d['node']}: “{d['text'][:160]}” (`{d['id']}`)" for d in state["dreams"]]
    failures = (test or {}).get("failures") or []
    if failures:
        lines += ["", "## Questions it got wrong", ""]
        lines += [f"- {f['question']} — expected “{f['expected']}”, said “{f['answer'][:120]}”" for f in failures[:8]]
    if state.get("errors"):
        lines += ["", "## What failed", ""] + [f"- {e}" for e in state["errors"]]
    phases = state.get("phases") or {}
    if phases:
        lines += ["", "Phases: " + ", ".join(f"{k} {v:.1f}s" for k, v in phases.items())]
    return "\n".join(lines) + "\n"


def _kinds(counts: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"


def write_briefing(folder: Path, state: dict) -> Path:
    night = datetime.fromisoformat(state["night"])
    path = Path(folder) / f"{night:%Y-%m-%d}.md"
    text = render(state)
    if path.exists():  # a second night on the same date: keep both, newest last
        text = path.read_text(encoding="utf-8") + "\n---\n\n" + text
    atomic_write_text(path, text)
    return path
