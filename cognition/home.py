"""The home layout (DESIGN.md): every path a user owns, named in one place.

Nothing here creates files except `ensure()`, so asking where something lives never
has side effects. Writes that must never be seen half-done go through
`atomic_write_text`: write a temporary file beside the target, fsync, rename.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class UserHome:
    root: Path

    @property
    def memory(self) -> Path:
        return self.root / "memory"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def chemistry(self) -> Path:
        return self.root / "chemistry.json"

    @property
    def adapters(self) -> Path:
        return self.root / "adapters"

    @property
    def replay(self) -> Path:
        return self.root / "replay.jsonl"

    @property
    def sleep_db(self) -> Path:
        return self.root / "sleep.sqlite"

    @property
    def conversation_db(self) -> Path:
        return self.root / "conversation.sqlite"

    @property
    def briefings(self) -> Path:
        return self.root / "briefings"

    def ensure(self) -> "UserHome":
        for path in (self.memory, self.index, self.adapters, self.briefings):
            path.mkdir(parents=True, exist_ok=True)
        return self


@dataclass(frozen=True)
class Home:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.toml"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def wiki(self) -> Path:
        return self.root / "wiki"

    @property
    def proposals(self) -> Path:
        return self.root / "proposals"

    def user(self, name: str) -> UserHome:
        return UserHome(self.root / "users" / name)

    def users(self) -> list[str]:
        base = self.root / "users"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []


def atomic_write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` so readers see the old or the new file, never a mix."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so readers see the old or the new file, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
