"""Presence: is someone talking right now? Sleep yields to a live conversation.

A turn touches `users/<u>/.talking` when it starts and when it ends; the file's age
says how recently the user spoke. Sleep checks it between steps and waits while a
conversation is in progress, so training never steals the CPU from an answer.
"""

from __future__ import annotations

import time
from pathlib import Path

MARKER = ".talking"


def mark_active(user_root: Path) -> None:
    path = Path(user_root) / MARKER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def seconds_since_active(user_root: Path) -> float | None:
    try:
        return max(0.0, time.time() - (Path(user_root) / MARKER).stat().st_mtime)
    except FileNotFoundError:
        return None


def conversation_active(user_root: Path, within_s: float = 30.0) -> bool:
    age = seconds_since_active(user_root)
    return age is not None and age < within_s


def mark_idle(user_root: Path) -> None:
    """The conversation is over: the person asked to sleep now (the terminal home's ctrl+s), and
    the night they asked for should not wait 30 s for their own last turn to go quiet."""
    (Path(user_root) / MARKER).unlink(missing_ok=True)
