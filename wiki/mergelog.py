"""The merge log: apply one accepted wiki proposal to the wiki folder, and undo it exactly.

The heartbeat decides what to merge; this module only makes the merge safe. A merge is a
set of whole-file changes (new bytes, or None for a removed node) plus, for each path, the
sha256 of the bytes the proposal was based on. Nothing is written unless every path stays
inside the wiki (no `..`, no absolute path, no symbolic link out, nothing under `.git/`)
and every file still holds the expected bytes: a node the user edited since is a
`MergeConflict`, never an overwrite.

The record is written first, with status "applying", and only then the nodes, one atomic
replace each (a temporary file beside the node, fsync, rename, fsync of the folder). A
crash between two nodes leaves the record behind; `recover()`, run on start (and before
every apply or revert), puts every path of an interrupted merge back. A revert works the
same way in the other direction ("reverting"), and is refused for any node that no longer
holds exactly what the merge wrote: the user's later edit wins, and reverting every merge,
newest first, gives back the folder byte for byte.

Each record is `log_dir/<seq>.json` (schema `version` 1); the bytes before and after live
content-addressed in `log_dir/blobs/<sha256>`, so a node touched by many merges is stored
once per distinct content. When the wiki is inside a git work tree, each merge and each
revert is also one commit of exactly its paths (`git commit --only`): the user's other
staged or unstaged changes stay as they were. Git is a convenience, not the log: when it is
missing or fails, the merge stands, the record keeps `commit: null` and a warning is logged.
A `FileLock` on the log folder keeps two heartbeats from merging at once.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

from cognition.home import atomic_write_text, fsync_dir

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
APPLYING, APPLIED, REVERTING, REVERTED, ROLLED_BACK = "applying", "applied", "reverting", "reverted", "rolled_back"
TMP_SUFFIX = ".reverie-tmp"  # temporary node files; hidden (leading dot) so Obsidian ignores them
FALLBACK_IDENTITY = ("reverie", "reverie@localhost")
GIT_TIMEOUT_S = 60  # a hook or a signing prompt that hangs must not hang the heartbeat
TRAILER = "Reverie-Proposal"
_SHA256 = re.compile(r"[0-9a-f]{64}")


class MergeError(ValueError):
    """A merge that cannot be applied or reverted as asked; the message names the path or proposal."""


class MergeConflict(MergeError):
    """A node no longer holds the bytes a merge or revert was based on (edited since); nothing was written."""

    def __init__(self, message: str, paths: list[str]):
        super().__init__(message)
        self.paths = paths


@dataclass(frozen=True)
class NodeChange:
    path: str  # posix, relative to the wiki root
    before: bytes | None  # None: the node did not exist
    after: bytes | None  # None: the merge removed it


@dataclass(frozen=True)
class MergeRecord:
    seq: int
    proposal_id: str
    time: datetime
    message: str
    status: str  # applying, applied, reverting, reverted, rolled_back
    changes: tuple[NodeChange, ...]
    created_dirs: tuple[str, ...] = ()  # folders the merge made; a revert removes them again when empty
    commit: str | None = None
    reverted_time: datetime | None = None
    revert_commit: str | None = None

    @property
    def paths(self) -> list[str]:
        return [change.path for change in self.changes]


def sha256_of(data: bytes | None) -> str | None:
    """The `expect` value for a node's bytes (None for a node that does not exist)."""
    return None if data is None else hashlib.sha256(data).hexdigest()


class MergeLog:
    def __init__(self, wiki_root: Path, log_dir: Path):
        self.wiki_root = Path(wiki_root)
        self.log_dir = Path(log_dir)
        self.blobs = self.log_dir / "blobs"
        self._lock = FileLock(str(self.log_dir / ".lock"))

    # -- reading ---------------------------------------------------------------------------

    def records(self) -> list[MergeRecord]:
        """Every merge, oldest first."""
        return [self._load(raw) for _, raw in self._scan()]

    def merged_since(self, path: str, base: str, now: str) -> bool:
        """Did merges alone take this file from the bytes hashed `base` to those hashed `now`?

        A proposal made on `base` may then still apply where it only adds (a crosslink): nobody
        but the heartbeat has touched the file since. Any edit of the person breaks the chain.
        """
        at = base
        for record in self.records():
            if record.status != APPLIED:
                continue
            for change in record.changes:
                if change.path == path and sha256_of(change.before) == at:
                    at = sha256_of(change.after)
        return at == now and at != base

    def get(self, proposal_id: str) -> MergeRecord | None:
        """The latest record of this proposal (a proposal reverted and merged again has several)."""
        raw = self._latest_raw(proposal_id)
        return None if raw is None else self._load(raw)

    # -- applying and reverting ------------------------------------------------------------

    def apply(self, proposal_id: str, changes: dict[str, bytes | None], message: str,
              expect: dict[str, str | None]) -> MergeRecord:
        """Write `changes` (path -> new bytes, None removes) if every node still matches `expect` (its sha256)."""
        _check_arguments(proposal_id, changes, message, expect)
        with self._locked():
            self._recover_locked()
            latest = self._latest_raw(proposal_id)
            if latest is not None and latest["status"] == APPLIED:
                raise MergeError(f"proposal {proposal_id!r} is already merged (record {latest['seq']}); "
                                 "revert it before merging it again")
            root = self._root()
            targets = _resolve_all(root, sorted(changes))
            before = {rel: _read(path) for rel, path in targets.items()}
            stale = [rel for rel in targets if sha256_of(before[rel]) != expect[rel]]
            if stale:
                raise MergeConflict(f"changed since the proposal was made: {', '.join(stale)}; nothing was written",
                                    stale)
            created = {folder for rel, path in targets.items() if changes[rel] is not None
                       for folder in _missing_dirs(root, path)}
            record = MergeRecord(seq=self._next_seq(), proposal_id=proposal_id, time=_now(), message=message,
                                 status=APPLYING, created_dirs=tuple(sorted(created)),
                                 changes=tuple(NodeChange(rel, before[rel], changes[rel]) for rel in targets))
            self._save(record)  # before the first node is touched: a crash from here on is recoverable
            try:
                self._move(root, record, forward=True)
            except Exception:
                self._undo_in_place(root, record)
                raise
            record = replace(record, status=APPLIED)
            self._save(record)
            commit = _git_commit(root, _changed_paths(record), _commit_message(message, proposal_id))
            if commit is not None:
                record = replace(record, commit=commit)
                self._save(record)
            return record

    def revert(self, proposal_id: str) -> MergeRecord:
        """Put every node of the merge back as it was, if each still holds exactly what the merge wrote."""
        with self._locked():
            self._recover_locked()
            raw = self._latest_raw(proposal_id)
            if raw is None:
                raise MergeError(f"no merge of proposal {proposal_id!r} in {self.log_dir}")
            if raw["status"] != APPLIED:
                raise MergeError(f"proposal {proposal_id!r} is {raw['status']}, not applied; nothing to revert")
            record = self._load(raw)
            root = self._root()
            targets = _resolve_all(root, record.paths)
            edited = [c.path for c in record.changes if _read(targets[c.path]) != c.after]
            if edited:
                raise MergeConflict(f"edited since proposal {proposal_id!r} was merged: {', '.join(edited)}; "
                                    "revert any later merge of them first, or keep the edit; nothing was written",
                                    edited)
            record = replace(record, status=REVERTING)
            self._save(record)
            try:
                self._move(root, record, forward=False)
            except Exception:
                self._undo_in_place(root, record)
                raise
            record = replace(record, status=REVERTED, reverted_time=_now())
            self._save(record)
            if record.commit is not None:  # a merge git never saw needs no revert commit
                subject = f"Revert {record.message.splitlines()[0]}"
                body = f"This reverts commit {record.commit}."
                commit = _git_commit(root, _changed_paths(record), _commit_message(f"{subject}\n\n{body}", proposal_id))
                if commit is not None:
                    record = replace(record, revert_commit=commit)
                    self._save(record)
            return record

    def recover(self) -> list[MergeRecord]:
        """Undo any merge or revert a crash interrupted; returns the records it settled."""
        with self._locked():
            return self._recover_locked()

    # -- internals -------------------------------------------------------------------------

    def _recover_locked(self) -> list[MergeRecord]:
        settled = []
        for _, raw in self._scan():
            if raw["status"] not in (APPLYING, REVERTING):
                continue
            record = self._load(raw)
            root = self._root()
            forward = record.status == REVERTING  # an interrupted revert goes back to the merged bytes
            _remove_temporaries(root, record)  # first: a stray temporary keeps a made folder from going
            skipped = self._move(root, record, forward=forward, lenient=True)
            if skipped:
                log.warning("merge %s of proposal %r was interrupted; left as the user has it since: %s",
                            record.seq, record.proposal_id, ", ".join(skipped))
            record = replace(record, status=APPLIED if forward else ROLLED_BACK)
            self._save(record)
            log.warning("recovered merge %s of proposal %r: now %s", record.seq, record.proposal_id, record.status)
            settled.append(record)
        return settled

    def _undo_in_place(self, root: Path, record: MergeRecord) -> None:
        """An error (not a crash) in the middle: put back what was written now, if the disk lets us."""
        forward = record.status == REVERTING
        try:
            _remove_temporaries(root, record)
            self._move(root, record, forward=forward, lenient=True)
        except Exception:
            log.exception("could not undo merge %s at once; recover() will on the next start", record.seq)
            return
        self._save(replace(record, status=APPLIED if forward else ROLLED_BACK))

    def _move(self, root: Path, record: MergeRecord, forward: bool, lenient: bool = False) -> list[str]:
        """Write each node's `after` (forward) or `before` bytes where it holds the other side.

        A node holding neither was edited by someone else: an error, or with `lenient` (recovery)
        left alone and returned."""
        skipped = []
        for change in record.changes:
            source, target = (change.before, change.after) if forward else (change.after, change.before)
            try:
                path = _resolve(root, change.path)
            except MergeError:
                if not lenient:
                    raise
                skipped.append(change.path)
                continue
            now = _read(path)
            if now == target:
                continue
            if now != source:
                if not lenient:
                    raise MergeConflict(f"{change.path} changed while merge {record.seq} was being written",
                                        [change.path])
                skipped.append(change.path)
                continue
            _put(root, path, target)
        if not forward:
            for folder in sorted(record.created_dirs, key=lambda d: d.count("/"), reverse=True):
                try:
                    (root / folder).rmdir()  # only when empty: the user's new files keep their folder
                    fsync_dir((root / folder).parent)
                except OSError:
                    pass
        return skipped

    def _root(self) -> Path:
        if not self.wiki_root.is_dir():
            raise MergeError(f"the wiki root {self.wiki_root} is not a folder")
        return Path(os.path.realpath(self.wiki_root))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            yield

    def _scan(self) -> Iterator[tuple[Path, dict]]:
        if not self.log_dir.is_dir():
            return
        for path in sorted(self.log_dir.glob("[0-9]*.json")):
            raw = json.loads(path.read_text(encoding="utf-8"))
            if raw.get("version") != SCHEMA_VERSION:
                raise MergeError(f"{path} has schema version {raw.get('version')!r}; this reverie reads "
                                 f"version {SCHEMA_VERSION}")
            yield path, raw

    def _latest_raw(self, proposal_id: str) -> dict | None:
        found = None
        for _, raw in self._scan():
            if raw["proposal_id"] == proposal_id:
                found = raw
        return found

    def _next_seq(self) -> int:
        return 1 + max((int(path.stem) for path in self.log_dir.glob("[0-9]*.json")), default=0)

    def _save(self, record: MergeRecord) -> None:
        for change in record.changes:
            for data in (change.before, change.after):
                if data is not None:
                    self._put_blob(data)
        raw = {
            "version": SCHEMA_VERSION, "seq": record.seq, "proposal_id": record.proposal_id,
            "time": record.time.isoformat(), "message": record.message, "status": record.status,
            "changes": [{"path": c.path, "before": sha256_of(c.before), "after": sha256_of(c.after)}
                        for c in record.changes],
            "created_dirs": list(record.created_dirs), "commit": record.commit,
            "reverted_time": record.reverted_time.isoformat() if record.reverted_time else None,
            "revert_commit": record.revert_commit,
        }
        atomic_write_text(self.log_dir / f"{record.seq:06d}.json", json.dumps(raw, indent=1, ensure_ascii=False))

    def _load(self, raw: dict) -> MergeRecord:
        return MergeRecord(
            seq=raw["seq"], proposal_id=raw["proposal_id"], time=datetime.fromisoformat(raw["time"]),
            message=raw["message"], status=raw["status"], created_dirs=tuple(raw["created_dirs"]),
            changes=tuple(NodeChange(c["path"], self._blob(c["before"]), self._blob(c["after"]))
                          for c in raw["changes"]),
            commit=raw["commit"], revert_commit=raw["revert_commit"],
            reverted_time=datetime.fromisoformat(raw["reverted_time"]) if raw["reverted_time"] else None)

    def _put_blob(self, data: bytes) -> None:
        path = self.blobs / hashlib.sha256(data).hexdigest()
        if not path.exists():
            self.blobs.mkdir(parents=True, exist_ok=True)
            _write_atomic(path, data)

    def _blob(self, sha: str | None) -> bytes | None:
        if sha is None:
            return None
        data = (self.blobs / sha).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise MergeError(f"the merge log's copy {self.blobs / sha} is corrupt (its sha256 differs)")
        return data


# -- paths --------------------------------------------------------------------------------


def _check_arguments(proposal_id, changes, message, expect) -> None:
    if not isinstance(proposal_id, str) or not proposal_id.strip():
        raise MergeError(f"a merge needs a proposal id, got {proposal_id!r}")
    if not isinstance(message, str) or not message.strip():
        raise MergeError(f"merge of {proposal_id!r} needs a message, got {message!r}")
    if not changes:
        raise MergeError(f"proposal {proposal_id!r} changes nothing")
    for rel, data in changes.items():
        if data is not None and not isinstance(data, bytes):
            raise MergeError(f"{rel}: new content must be bytes or None, got {type(data).__name__}")
    if set(expect) != set(changes):
        raise MergeError(f"expect must name exactly the changed paths; missing {sorted(set(changes) - set(expect))}, "
                         f"extra {sorted(set(expect) - set(changes))}")
    for rel, sha in expect.items():
        if sha is not None and not (isinstance(sha, str) and _SHA256.fullmatch(sha)):
            raise MergeError(f"{rel}: expect must be a lowercase sha256 hex digest or None, got {sha!r}")


def _resolve(root: Path, rel: str) -> Path:
    """The node's path under the (real) root, or a MergeError naming `rel` if it could leave the wiki."""
    if not isinstance(rel, str) or not rel:
        raise MergeError(f"a node path must be a non-empty string, got {rel!r}")
    if "\x00" in rel or "\\" in rel:
        raise MergeError(f"{rel!r}: a node path is posix, without backslashes or NUL")
    if rel.startswith("/") or re.match(r"[A-Za-z]:", rel):
        raise MergeError(f"{rel!r}: an absolute path; node paths are relative to the wiki root")
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise MergeError(f"{rel!r}: not a plain relative path (no '..', '.' or empty parts)")
    if any(part.lower() == ".git" for part in parts):
        raise MergeError(f"{rel!r}: inside .git, which no merge may touch")
    path = root.joinpath(*parts)
    real = Path(os.path.realpath(path))
    if real == root or root not in real.parents:
        raise MergeError(f"{rel!r}: resolves to {real}, outside the wiki root {root} (a symbolic link)")
    if any(part.lower() == ".git" for part in real.relative_to(root).parts):
        raise MergeError(f"{rel!r}: resolves into .git (a symbolic link), which no merge may touch")
    if path.is_symlink():
        raise MergeError(f"{rel!r}: a symbolic link; a merge would replace the link itself")
    if path.exists() and not path.is_file():
        raise MergeError(f"{rel!r}: exists and is not a regular file")
    for parent in path.relative_to(root).parents:
        if (root / parent).exists() and not (root / parent).is_dir():
            raise MergeError(f"{rel!r}: {parent} is a file, not a folder")
    return path


def _resolve_all(root: Path, rels: list[str]) -> dict[str, Path]:
    targets = {rel: _resolve(root, rel) for rel in rels}
    seen: dict[str, str] = {}
    for rel, path in targets.items():
        key = os.path.realpath(path)
        if key in seen:
            raise MergeError(f"{rel!r} and {seen[key]!r} are the same file")
        seen[key] = rel
    return targets


def _missing_dirs(root: Path, path: Path) -> list[str]:
    rel = path.parent.relative_to(root)
    return [p.as_posix() for p in [rel, *rel.parents] if p.parts and not (root / p).exists()]


# -- files --------------------------------------------------------------------------------


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _put(root: Path, path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
        fsync_dir(path.parent)
        return
    for folder in reversed(_missing_dirs(root, path)):  # outermost first, each made durable
        (root / folder).mkdir(exist_ok=True)
        fsync_dir((root / folder).parent)
    _write_atomic(path, data)


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data`: readers see the old or the new file, never a mix.

    The temporary file is made with mode 0o666 less the umask, as any new file would be (not
    mkstemp's 0o600), and an existing node keeps its mode."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if mode is not None:
                os.chmod(tmp, mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def _remove_temporaries(root: Path, record: MergeRecord) -> None:
    """Temporary files a crash left beside the record's nodes."""
    for change in record.changes:
        try:
            path = _resolve(root, change.path)
        except MergeError:
            continue
        if path.parent.is_dir():
            for tmp in path.parent.glob(f".{glob.escape(path.name)}.*{TMP_SUFFIX}"):
                tmp.unlink(missing_ok=True)


def _now() -> datetime:
    return datetime.now(timezone.utc)


# -- git ----------------------------------------------------------------------------------


def _changed_paths(record: MergeRecord) -> list[str]:
    return [c.path for c in record.changes if c.before != c.after]


def _commit_message(message: str, proposal_id: str) -> str:
    return f"{message.rstrip()}\n\n{TRAILER}: {proposal_id}\n"


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    # Literal pathspecs: a node named "[[Beagle]].md" or "*.md" is a name, not a pattern.
    return subprocess.run(["git", "--literal-pathspecs", *args], cwd=root, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=GIT_TIMEOUT_S)


def _in_work_tree(root: Path) -> bool:
    try:
        result = _git(root, "rev-parse", "--is-inside-work-tree")
    except (OSError, subprocess.SubprocessError):
        return False  # git not installed (or hung): no commit, no error
    return result.returncode == 0 and result.stdout.strip() == "true"


def _identity(root: Path) -> list[str]:
    """No flags when git knows who commits (config or GIT_* environment); else reverie's own name."""
    if all(_git(root, "var", var).returncode == 0 for var in ("GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT")):
        return []
    name, email = FALLBACK_IDENTITY
    return ["-c", f"user.name={name}", "-c", f"user.email={email}"]


def _git_commit(root: Path, paths: list[str], message: str) -> str | None:
    """Commit exactly `paths` as they are now, leaving everything else staged or not as it was."""
    if not paths or not _in_work_tree(root):
        return None
    try:
        identity = _identity(root)
        for args in (["add", "-A", "--", *paths], ["commit", "--quiet", "--only", "-m", message, "--", *paths]):
            result = _git(root, *identity, *args)
            if result.returncode != 0:
                raise RuntimeError(f"git {args[0]} exited {result.returncode}: {result.stderr.strip()}")
        head = _git(root, "rev-parse", "HEAD")
        if head.returncode != 0:
            raise RuntimeError(f"git rev-parse HEAD exited {head.returncode}: {head.stderr.strip()}")
        return head.stdout.strip()
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
        log.warning("the merge stands but was not committed (%s): %s", ", ".join(paths), exc)
        return None
