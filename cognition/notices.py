"""Notices: what the user should hear about at the next `chat` or `status`.

The morning briefing and the failures of unattended runs (the daemon, a nightly timer)
would otherwise sit in files nobody opens. `users/<u>/notices.json` remembers which
briefing was last shown and keeps failures until they have been shown once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path

from cognition.home import atomic_write_text

log = logging.getLogger(__name__)
KEEP_FAILURES = 50


class Notices:
    def __init__(self, user_root: Path):
        self.root = Path(user_root)
        self.path = self.root / "notices.json"
        self.briefings = self.root / "briefings"

    def _load(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                return data
            raise ValueError("not a JSON object")
        except FileNotFoundError:
            return {}
        except ValueError as exc:
            log.warning("notices: %s is damaged (%s); starting afresh", self.path, exc)
            return {}

    def failure(self, what: str, error: str, when: datetime | None = None) -> None:
        """Remember that an unattended `what` (sleep, weekly, rumination...) failed, and why."""
        data = self._load()
        failures = data.get("failures") or []
        when = (when or datetime.now(timezone.utc)).isoformat()
        failures.append({"when": when, "what": what, "error": error, "seen": False})
        data["failures"] = failures[-KEEP_FAILURES:]
        atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False))

    def latest_briefing(self) -> Path | None:
        """The briefing or weekly report written last."""
        found = list(self.briefings.glob("*.md")) if self.briefings.exists() else []
        return max(found, key=lambda p: (p.stat().st_mtime, p.name)) if found else None

    def pending(self) -> dict:
        """The briefing not shown yet (name and text) and the failures not shown yet."""
        data = self._load()
        latest = self.latest_briefing()
        briefing = None
        if latest is not None and latest.name != data.get("seen_briefing"):
            briefing = {"name": latest.name, "path": str(latest), "text": latest.read_text(encoding="utf-8")}
        failures = [f for f in data.get("failures") or [] if not f.get("seen")]
        return {"briefing": briefing, "failures": failures}

    def mark_seen(self) -> None:
        data = self._load()
        latest = self.latest_briefing()
        if latest is not None:
            data["seen_briefing"] = latest.name
        for f in data.get("failures") or []:
            f["seen"] = True
        atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False))
