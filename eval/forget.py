"""`reverie eval forget`: does forgetting reach the weights, and leave the rest?

A days file is played and slept on night by night, as `retention` does. Then the facts
System 1 recalls closed-book are counted, `--forget` of them are chosen (the first by
probe id, deterministic), and every diary entry that states one of their answers is
forgotten (`Agent.forget`). One more night rebuilds the adapter without them. Reported:

- forgotten: each chosen fact asked closed-book before and after, in the probe's words and
  in generic words ("What do you know about me?"), and whether any reply still gives the
  value (target: none does);
- kept: closed-book recall of every other probe before and after (target: it falls at most
  0.03);
- the rebuild itself: which adapters were discarded, which the night started from, and
  whether it was promoted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from eval.retention import Probe, load_days, probes_of, recalled, score

GENERIC = ("What do you know about me?", "Tell me about my life.")
KEEP_BOUND = 0.03


def entries_stating(agent, probe: Probe) -> list[str]:
    """The diary entries whose words give one of the probe's answers."""
    wanted = [a.casefold() for a in probe.answers if a]
    return [e.id for e in agent.diary.entries() if any(a in f"{e.text}".casefold() for a in wanted)]


def forget_eval(path: Path, home: Path, overrides: dict, forget: int = 2, days: int | None = None,
                progress: Callable[[str], None] = lambda s: None) -> dict:
    from cognition.config import load_settings
    from graphs.agent import Agent
    from graphs.night import Night, summary

    started = time.perf_counter()
    data = load_days(path)
    played = data["days"][:days] if days else data["days"]
    probes = [p for p in probes_of(data) if p.kind != "absent" and (p.learned_on or 0) <= len(played)]
    agent = Agent(load_settings(home=home, user=data.get("user") or "default", **overrides))
    try:
        for n, day in enumerate(played, 1):
            for i, turn in enumerate(day["turns"], 1):
                progress(f"{data['name']} day {n}: turn {i}/{len(day['turns'])}")
                agent.say(turn)
            progress(f"{data['name']} night {n}")
            Night(agent).run(priority=False)
        before = {p.id: t.text for p, t in zip(probes, agent.brain.answer_many([p.question for p in probes]))}
        known = [p for p in probes if p.kind == "fact" and recalled(before[p.id], p)]
        chosen = sorted(known, key=lambda p: p.id)[:forget]
        if not chosen:
            raise ValueError(f"{path}: System 1 recalls no fact closed-book after {len(played)} nights; "
                             "nothing to forget")
        entries = sorted({e for p in chosen for e in entries_stating(agent, p)})
        progress(f"forgetting {len(entries)} entries of {len(chosen)} facts, then a night")
        removed = agent.forget(entries)
        night = Night(agent).run(priority=False)
        after = {p.id: t.text for p, t in zip(probes, agent.brain.answer_many([p.question for p in probes]))}
        generic = [t.text for t in agent.brain.answer_many(list(GENERIC))]
        version = agent.adapters.resolve().version
    finally:
        agent.close()

    def gives(reply: str, p: Probe) -> bool:
        return any(a.casefold() in reply.casefold() for a in p.answers if a)

    forgotten = [{"probe": p.id, "question": p.question, "value": list(p.answers), "before": before[p.id],
                  "after": after[p.id], "still_given": gives(after[p.id], p) or any(gives(g, p) for g in generic)}
                 for p in chosen]
    rest = [p for p in probes if p not in chosen]
    kept_before = score(before, rest)["recall"]
    kept_after = score(after, rest)["recall"]
    drop = round((kept_before or 0) - (kept_after or 0), 4)
    return {
        "eval": "forget", "days": str(path), "name": data["name"], "nights_played": len(played),
        "forgotten": forgotten, "entries_forgotten": removed["forgotten"], "examples_removed": removed["examples_removed"],
        "still_given": sum(f["still_given"] for f in forgotten), "generic_replies": dict(zip(GENERIC, generic)),
        "kept": {"probes": len(rest), "recall_before": kept_before, "recall_after": kept_after, "drop": drop,
                 "bound": KEEP_BOUND, "within_bound": drop <= KEEP_BOUND},
        "rebuild": {k: v for k, v in (night.get("rebuild") or {}).items() if k != "relearn"}
        | {"relearned": len((night.get("rebuild") or {}).get("relearn") or [])},
        "night": {k: summary(night).get(k) for k in ("promoted", "version", "self_test", "rolled_back_because")},
        "serving": version, "seconds": round(time.perf_counter() - started, 1),
    }


def forget_table(r: dict) -> str:
    lines = [f"{r['name']}: {r['nights_played']} nights, then {len(r['entries_forgotten'])} entries forgotten "
             f"({r['examples_removed']} examples) and a rebuild from {r['rebuild'].get('from') or 'the bare base'} "
             f"(discarded {', '.join(r['rebuild'].get('discarded') or []) or 'none'}; "
             f"{'promoted ' + str(r['night']['version']) if r['night']['promoted'] else 'rolled back: ' + str(r['night']['rolled_back_because'])})"]
    for f in r["forgotten"]:
        lines.append(f"  forgotten {f['question']!r}: before {f['before'][:60]!r}, after {f['after'][:60]!r} "
                     f"-> {'STILL GIVEN' if f['still_given'] else 'gone'}")
    k = r["kept"]
    lines.append(f"  the rest ({k['probes']} probes): recall {k['recall_before']} -> {k['recall_after']} "
                 f"(drop {k['drop']}, bound {k['bound']}: {'met' if k['within_bound'] else 'missed'})")
    lines.append(f"  {r['seconds']} s")
    return "\n".join(lines)
