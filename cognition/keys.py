"""API keys: each belongs to one user, and only its hash is kept.

`keys.json` in the home holds one record per key: an id to name it by (`k` and the first
ten hex digits of its hash), the user, the SHA-256 of the key, its last four characters
(so a person can tell their keys apart) and when it was made. The key itself is shown
once, when it is made. A key is 32 random bytes, so a fast hash is enough: there is no
password to guess. Changes are written atomically under a file lock; a server reads the
file again whenever it changes, so a revoked key stops working at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

from cognition.config import check_user
from cognition.home import atomic_write_text

PREFIX = "rv-"


class KeyStoreError(ValueError):
    """A key that cannot be added or revoked as asked; the message says why."""


@dataclass(frozen=True)
class KeyRecord:
    id: str
    user: str
    sha256: str
    hint: str
    created: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyStore:
    def __init__(self, home: Path):
        self.path = Path(home) / "keys.json"
        self._lock = FileLock(str(self.path.with_name("keys.json.lock")))
        self._seen: tuple[int, int] | None = None
        self._records: list[KeyRecord] = []

    def records(self) -> list[KeyRecord]:
        """The keys on file, read again only when the file changed."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._records = None, []
            return []
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._seen:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self._records = [KeyRecord(**r) for r in raw["keys"]]
            except (ValueError, KeyError, TypeError) as exc:
                raise KeyStoreError(f"{self.path} is damaged ({exc}); fix or delete it, then add keys again "
                                "with `reverie keys add USER`") from exc
            self._seen = stamp
        return list(self._records)

    def any(self) -> bool:
        return bool(self.records())

    def user_for(self, key: str) -> str | None:
        """The user a presented key belongs to, or None. Compared in constant time."""
        wanted = digest(key)
        found = None
        for r in self.records():
            if hmac.compare_digest(r.sha256, wanted):
                found = r.user
        return found

    def add(self, user: str) -> tuple[KeyRecord, str]:
        """Make a key for `user`; returns its record and the key (shown once, never stored)."""
        check_user(user)
        key = PREFIX + secrets.token_urlsafe(32)
        h = digest(key)
        record = KeyRecord(id="k" + h[:10], user=user, sha256=h, hint=key[-4:],
                           created=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        with self._lock:
            self._write(self.records() + [record])
        return record, key

    def revoke(self, which: str) -> list[KeyRecord]:
        """Revoke a key by its id, or every key of a user; returns what was revoked."""
        with self._lock:
            records = self.records()
            gone = [r for r in records if which in (r.id, r.user)]
            if not gone:
                raise KeyStoreError(f"no key has the id or user {which!r}; `reverie keys list` shows them")
            self._write([r for r in records if r not in gone])
        return gone

    def _write(self, records: list[KeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps({"keys": [asdict(r) for r in records]}, indent=2))
        self._seen = None
