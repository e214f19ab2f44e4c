"""`make demo`: a few turns through the coordinator on the embedded model.

It shows, for each turn, what System 1 blurted out, what System 2 answered with the
memories it recalled, and System 2's verdict on the provocation; then it asks System 1
closed-book, which before any sleep is the bare base and knows nothing of the user.
The demo's home is a throwaway folder (DEMO_HOME in the Makefile), started afresh.
"""

from __future__ import annotations

import shutil
import sys

from rich.console import Console
from rich.table import Table

TURNS = [
    "Hi! I'm Maren. I live in Kristiansund, on the west coast of Norway.",
    "My sister Ilse lives in Ghent.",
    "I'm allergic to celery, so never suggest recipes with it.",
    "No, that's wrong: Ilse lives in Bruges now, she moved last spring.",
    "Where does my sister live?",
    "Can you suggest a quick dinner for me?",
]
PROBE = "Where does my sister live?"


def main() -> int:
    from cognition.config import load_settings
    from graphs.agent import Agent

    console = Console()
    settings = load_settings()
    shutil.rmtree(settings.home / "users" / settings.user, ignore_errors=True)
    console.print(f"[bold]reverie demo[/] — home {settings.home}, model {settings.model.id}")
    with console.status("loading the embedded model…"):
        agent = Agent(settings)
        agent.runtime  # noqa: B018 — load once, before the first turn is timed
    table = Table(title="One coordinated turn each: System 1 provokes, System 2 decides", show_lines=True)
    for column in ("you said", "System 1 (no memory)", "verdict", "System 2's answer", "memories", "s"):
        table.add_column(column, overflow="fold")
    for text in TURNS:
        with console.status(f"thinking about: {text[:50]}…"):
            r = agent.say(text)
        table.add_row(text, r.system1 or "—", r.verdict or "—", r.answer, str(len(r.memories)),
                      f"{r.timings['total']:.1f}")
    console.print(table)
    closed = agent.ask_closed_book(PROBE)
    console.print(f"\n[bold]Closed-book[/] (System 1 alone, adapter {closed['adapter'] or 'none: the bare base'}):")
    console.print(f"  {PROBE} → {closed['answer']}")
    counts = agent.diary.counts()
    console.print(f"\nThe diary now holds {counts['exchange']} exchanges in {agent.user_home.memory}.")
    console.print("Try it yourself: [bold]reverie chat[/] (REVERIE_HOME="
                  f"{settings.home} to continue this conversation).")
    agent.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
