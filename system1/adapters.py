"""The adapter store: numbered LoRA versions, each describing itself, promoted atomically.

    adapters/v0001/    adapter weights + manifest.json
    adapters/CURRENT   the promoted version's name, replaced by an atomic rename

A version directory appears whole or not at all (written beside and renamed into
place). Its manifest lists every file with its sha256; loading verifies them, and a
damaged adapter is refused with an error that names the file, while the newest intact
ancestor on its lineage is served instead.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from cognition.home import atomic_write_text, fsync_dir
from cognition.models import sha256_file

log = logging.getLogger(__name__)

_VERSION = re.compile(r"^v(\d{4,})$")
MANIFEST = "manifest.json"


def runtime_name(user: str, version: str) -> str:
    """An adapter's name where one process or server holds many users' adapters: `<user>-<version>`
    (peft forbids '.' in a name, which a user name may hold)."""
    return f"{user}-{version}".replace(".", "%2E")


class AdapterError(RuntimeError):
    pass


@dataclass(frozen=True)
class Resolved:
    """The adapter to serve, and why it is not the promoted one when it is not."""

    version: str | None
    path: Path | None
    refused: tuple[str, ...] = ()


class AdapterStore:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @property
    def current_file(self) -> Path:
        return self.directory / "CURRENT"

    def versions(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        found = [p.name for p in self.directory.iterdir() if p.is_dir() and _VERSION.match(p.name)]
        return sorted(found, key=lambda v: int(v[1:]))

    def next_version(self) -> str:
        versions = self.versions()
        return f"v{(int(versions[-1][1:]) + 1 if versions else 1):04d}"

    def path(self, version: str) -> Path:
        if not _VERSION.match(version):
            raise AdapterError(f"{version!r} is not an adapter version (expected v0001, v0002, …)")
        return self.directory / version

    def current(self) -> str | None:
        try:
            name = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def manifest(self, version: str) -> dict:
        path = self.path(version) / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise AdapterError(f"adapter {version} has no {MANIFEST} at {path}") from exc
        except ValueError as exc:
            raise AdapterError(f"adapter {version}: {path} is not valid JSON ({exc})") from exc

    def verify(self, version: str) -> None:
        """Raise AdapterError naming the first file that is missing or altered."""
        manifest = self.manifest(version)
        files = manifest.get("files")
        if manifest.get("status") == "erased":
            raise AdapterError(f"adapter {version} was erased ({manifest.get('erased_because')})")
        if not files:
            raise AdapterError(f"adapter {version}: the manifest lists no files")
        for name, digest in files.items():
            path = self.path(version) / name
            if not path.is_file():
                raise AdapterError(f"adapter {version}: {name} is missing")
            if sha256_file(path) != digest:
                raise AdapterError(f"adapter {version}: {name} does not match its sha256 (damaged or edited)")

    def save(self, write, manifest: dict) -> str:
        """Write a new version: `write(folder)` puts the weights there; the manifest is completed here.

        The new version is not promoted; `promote()` does that.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.directory))
        try:
            write(staging)
            files = {p.name: sha256_file(p) for p in sorted(staging.iterdir()) if p.is_file() and p.name != MANIFEST}
            version = self.next_version()
            full = {"version": version, "created": time.time(), **manifest, "files": files}
            (staging / MANIFEST).write_text(json.dumps(full, indent=2, default=str), encoding="utf-8")
            os.replace(staging, self.path(version))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        fsync_dir(self.directory)
        return version

    def annotate(self, version: str, **fields) -> dict:
        """Add results (self-test, drift, promotion) to a version's manifest; the weights stay as they are."""
        manifest = {**self.manifest(version), **fields}
        atomic_write_text(self.path(version) / MANIFEST, json.dumps(manifest, indent=2, default=str))
        return manifest

    def clear_current(self) -> None:
        """Serve the bare base again (after a merge folded the adapter into it)."""
        atomic_write_text(self.current_file, "")

    def clean_staging(self) -> int:
        """Remove half-written versions left by a crash (never a numbered version)."""
        stale = list(self.directory.glob(".staging-*")) if self.directory.is_dir() else []
        for path in stale:
            shutil.rmtree(path, ignore_errors=True)
        return len(stale)

    def promote(self, version: str) -> None:
        self.verify(version)
        atomic_write_text(self.current_file, version + "\n")

    def rollback(self, version: str) -> None:
        """Serve an older (or any intact) version again."""
        if version not in self.versions():
            raise AdapterError(f"no adapter {version}; known: {', '.join(self.versions()) or 'none'}")
        self.promote(version)

    def resolve(self) -> Resolved:
        """The promoted adapter if intact, else the newest intact ancestor, else none."""
        refused: list[str] = []
        version = self.current()
        seen = set()
        while version and version not in seen:
            seen.add(version)
            try:
                self.verify(version)
                return Resolved(version, self.path(version), tuple(refused))
            except AdapterError as exc:
                refused.append(str(exc))
                log.error("%s; serving its parent instead. Inspect it with `reverie adapters show %s`, "
                          "or choose another with `reverie adapters rollback VERSION`", exc, version)
                try:
                    version = self.manifest(version).get("parent")
                except AdapterError:
                    version = self._previous(version)
        return Resolved(None, None, tuple(refused))

    def erase(self, version: str, because: str) -> None:
        """Delete a version's weights, keeping its manifest (what it was, and why it is gone)."""
        folder = self.path(version)
        for path in folder.iterdir():
            if path.is_file() and path.name != MANIFEST:
                path.unlink()
        self.annotate(version, status="erased", erased_because=because, files={})
        fsync_dir(folder)

    def lineage(self, version: str | None = None) -> list[str]:
        """A version and its ancestors by `parent`, newest first (the served one by default)."""
        out: list[str] = []
        version = self.resolve().version if version is None else version
        while version and version not in out:
            out.append(version)
            try:
                version = self.manifest(version).get("parent")
            except AdapterError:
                break
        return out

    def summaries(self) -> list[dict]:
        """Every version with its status, scores and place in the lineage, oldest first: what
        `reverie adapters list` and the terminal home's adapters view show. A damaged manifest
        is a row saying so."""
        current = self.current()
        rows = []
        for version in self.versions():
            try:
                m = self.manifest(version)
            except AdapterError as exc:
                rows.append({"version": version, "current": version == current, "status": f"damaged: {exc}"})
                continue
            test = m.get("self_test") or {}
            rows.append({"version": version, "current": version == current, "status": m.get("status"),
                         "parent": m.get("parent"), "night": m.get("night"), "self_test": test.get("score"),
                         "held_out": (test.get("held_out") or {}).get("score"),
                         "drift": (m.get("drift") or {}).get("ratio"), "examples": len(m.get("examples") or [])})
        return rows

    def sources(self, version: str) -> set[str]:
        """The diary entries a version's training examples came from (its manifest's provenance)."""
        try:
            examples = self.manifest(version).get("examples") or []
        except AdapterError:
            return set()
        return {s.split("~")[0] for e in examples for s in e.get("sources") or ()}

    def _previous(self, version: str) -> str | None:
        if not _VERSION.match(version):
            return None  # a hand-edited CURRENT ("latest") names no place in the lineage
        older = [v for v in self.versions() if int(v[1:]) < int(version[1:])]
        return older[-1] if older else None
