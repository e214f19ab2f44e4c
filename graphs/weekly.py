"""The weekly cycle: re-curate the week, ruminate on it, and report on the adapters.

- Re-curation reads the whole week's diary again, with everything the replay buffer has
  learned since: what a single night missed (a fact whose subject was named two days
  later, a thought that only now mentions someone known) enters the replay buffer, and
  values corrected later in the week are retired there.
- A weekly rumination (the `weekly` variant) looks for the themes that kept coming back.
- The weekly report (`briefings/YYYY-MM-DD-weekly.md`) lists the week's adapter versions
  with their self-test scores, drift and dataset composition.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from cognition.home import atomic_write_text
from consolidation.collect import collect
from consolidation.curate import curate
from consolidation.dataset import ReplayBuffer


def recurate_week(agent, now: datetime) -> dict:
    items = collect(agent.diary, now - timedelta(days=7), until=now)
    replay = ReplayBuffer(agent.user_home.replay)
    result = curate(items, prior=replay.examples(), night=f"{now:%Y-%m-%d}-weekly")
    added = replay.add(result.examples, result.retired, night=f"{now:%Y-%m-%d}-weekly")
    return {"items": len(items), "examples": len(result.examples), "added_to_replay": added["added"],
            "retired": added["retired"]}


def week_versions(agent, now: datetime) -> list[dict]:
    """The adapter versions trained in the seven days before `now`, oldest first."""
    out = []
    for version in agent.adapters.versions():
        m = agent.adapters.manifest(version)
        night = m.get("night")
        if not night or not (now - timedelta(days=7) <= datetime.fromisoformat(night) <= now):
            continue
        ds = m.get("dataset") or {}
        out.append({"version": version, "night": night[:10], "status": m.get("status"),
                    "self_test": (m.get("self_test") or {}).get("score"), "drift": (m.get("drift") or {}).get("ratio"),
                    "trained": ds.get("trained") or {}, "replay_share": ds.get("replay_share"),
                    "rolled_back_because": m.get("rolled_back_because")})
    return out


def render_report(now: datetime, versions: list[dict], recuration: dict, thought: dict | None) -> str:
    lines = [f"# Weekly report — week ending {now:%A %d %B %Y}", ""]
    if versions:
        lines += ["| version | night | status | self-test | drift | trained examples | replay |",
                  "|---|---|---|---|---|---|---|"]
        for v in versions:
            trained = ", ".join(f"{k} {n}" for k, n in sorted(v["trained"].items())) or "-"
            score = "-" if v["self_test"] is None else f"{v['self_test']:.0%}"
            drift = "-" if v["drift"] is None else f"{v['drift']:.3f}x"
            replay = "-" if v["replay_share"] is None else f"{v['replay_share']:.0%}"
            lines.append(f"| {v['version']} | {v['night']} | {v['status']} | {score} | {drift} | {trained} | {replay} |")
        refused = [v for v in versions if v["rolled_back_because"]]
        if refused:
            lines += ["", "Rolled back:"] + [f"- {v['version']}: {v['rolled_back_because']}" for v in refused]
    else:
        lines.append("No adapter was trained this week.")
    lines += ["", f"Re-curation of the week: {recuration['items']} diary entries gave {recuration['examples']} "
                  f"examples; {recuration['added_to_replay']} were new to the replay buffer and "
                  f"{recuration['retired']} outdated ones were retired."]
    if thought:
        lines += ["", "Weekly rumination:", "", f"> {thought['text']}"]
    return "\n".join(lines) + "\n"


def run_weekly(agent, now: datetime, think: Callable | None = None) -> dict:
    """The whole weekly cycle for one user; returns its figures and the report's path."""
    recuration = recurate_week(agent, now)
    thought = None
    if think is not None:
        made = agent.mind(think).ruminate(now, variant="weekly")
        thought = {"text": made.text, "entry": made.entry} if made else None
    versions = week_versions(agent, now)
    path = Path(agent.user_home.briefings) / f"{now:%Y-%m-%d}-weekly.md"
    atomic_write_text(path, render_report(now, versions, recuration, thought))
    return {"report": str(path), "recuration": recuration, "versions": len(versions),
            "rumination": thought["entry"] if thought else None}
