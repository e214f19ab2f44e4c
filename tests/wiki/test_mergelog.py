"""The merge log: atomic, reversible merges of wiki proposals, on plain folders and git repositories."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest
from filelock import FileLock

from wiki import mergelog
from wiki.mergelog import MergeConflict, MergeError, MergeLog, sha256_of

BINARY = b"\xff\xfe\x00not utf-8 \x80\x81\r\n\xc3("  # no encoding round-trips this: bytes must stay bytes


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) under root, .git aside."""
    found: dict[str, bytes | None] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        found[rel] = None if path.is_dir() else path.read_bytes()
    return found


def write(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)


def merge(log: MergeLog, root: Path, proposal_id: str, changes: dict[str, bytes | None], message: str = ""):
    """Apply `changes` based on the folder as it is now (what a fresh proposal would expect)."""
    expect = {rel: sha256_of((root / rel).read_bytes()) if (root / rel).is_file() else None for rel in changes}
    return log.apply(proposal_id, changes, message or f"Merge {proposal_id}", expect)


@pytest.fixture()
def no_git_config(tmp_path, monkeypatch):
    """Git sees no user or system configuration and no identity in the environment; no autodetection."""
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n[init]\n\tdefaultBranch = main\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL",
                "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture()
def wiki(tmp_path, no_git_config) -> Path:
    root = tmp_path / "wiki"
    write(root, {"Animals/Beagle.md": b"---\ntitle: Beagle\n---\nA hound. [[Dog]]\n",
                 "Dog.md": "Dogs are good. Zoë's too.\n".encode(),
                 "Old.md": b"stale node\n",
                 "Raw.bin.md": BINARY})
    return root


@pytest.fixture()
def log(tmp_path, wiki) -> MergeLog:
    return MergeLog(wiki, tmp_path / "home" / "proposals" / "merged" / "log")


def git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=Ada", "-c", "user.email=ada@example.org", *args], cwd=root,
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_apply_then_revert_round_trips_bytes(wiki, log):
    original = snapshot(wiki)
    record = merge(log, wiki, "p1", {"Animals/Beagle.md": BINARY + b"split",
                                     "New/Deeper/Zoë – Hound.md": "[[Beagle]] é\n".encode(),
                                     "Old.md": None,
                                     "Raw.bin.md": BINARY[::-1]})
    assert record.status == "applied" and record.commit is None  # tmp_path is no git repository
    assert (wiki / "Animals/Beagle.md").read_bytes() == BINARY + b"split"
    assert (wiki / "New/Deeper/Zoë – Hound.md").read_bytes() == "[[Beagle]] é\n".encode()
    assert not (wiki / "Old.md").exists()
    assert record.created_dirs == ("New", "New/Deeper")
    assert {c.path: (c.before, c.after) for c in record.changes}["Old.md"] == (b"stale node\n", None)
    assert not list(wiki.rglob("*.reverie-tmp"))

    # a fresh log on the same folder reads the same record back, bytes included
    again = MergeLog(wiki, log.log_dir)
    assert again.get("p1") == record and again.records() == [record]

    reverted = again.revert("p1")
    assert reverted.status == "reverted" and reverted.reverted_time is not None
    assert snapshot(wiki) == original  # the created folders are gone too
    assert log.get("p1").status == "reverted"


def test_reverting_every_merge_newest_first_restores_the_folder(wiki, log):
    original = snapshot(wiki)
    merge(log, wiki, "a", {"Dog.md": b"v1\n", "Cat.md": b"meow\n"})
    merge(log, wiki, "b", {"Dog.md": b"v2\n", "Cat.md": None, "Animals/Beagle.md": BINARY})
    merge(log, wiki, "c", {"Cat.md": b"meow again\n", "Animals/Beagle.md": b"", "Animals/Hound/Basset.md": b"x"})
    assert [r.proposal_id for r in log.records()] == ["a", "b", "c"]

    before_attempt = snapshot(wiki)
    with pytest.raises(MergeConflict) as caught:  # a later merge rewrote a's files: a cannot go first
        log.revert("a")
    assert caught.value.paths == ["Cat.md", "Dog.md"]
    assert snapshot(wiki) == before_attempt and log.get("a").status == "applied"

    for proposal_id in ("c", "b", "a"):
        log.revert(proposal_id)
    assert snapshot(wiki) == original
    assert [r.status for r in log.records()] == ["reverted"] * 3


def test_a_proposal_merged_and_reverted_can_merge_again(wiki, log):
    merge(log, wiki, "p", {"Dog.md": b"one\n"})
    with pytest.raises(MergeError, match="already merged"):
        merge(log, wiki, "p", {"Dog.md": b"two\n"})
    log.revert("p")
    with pytest.raises(MergeError, match="not applied"):
        log.revert("p")
    second = merge(log, wiki, "p", {"Dog.md": b"two\n"})
    assert log.get("p") == second and len(log.records()) == 2
    with pytest.raises(MergeError, match="no merge of proposal 'unknown'"):
        log.revert("unknown")


def test_an_edit_since_the_proposal_refuses_the_merge(wiki, log):
    original = snapshot(wiki)
    stale = sha256_of(b"what the worker saw\n")
    with pytest.raises(MergeConflict, match="Dog.md") as caught:
        log.apply("p", {"Dog.md": b"new\n", "Old.md": b"fine\n"}, "m",
                  {"Dog.md": stale, "Old.md": sha256_of(b"stale node\n")})
    assert caught.value.paths == ["Dog.md"]
    with pytest.raises(MergeConflict, match="Old.md"):  # expected absent, but the user made it
        log.apply("q", {"Old.md": b"new\n"}, "m", {"Old.md": None})
    with pytest.raises(MergeConflict, match="Gone.md"):  # expected present, but it is gone
        log.apply("r", {"Gone.md": None}, "m", {"Gone.md": sha256_of(b"x")})
    assert snapshot(wiki) == original
    assert log.records() == []


def test_an_edit_since_the_merge_refuses_the_revert(wiki, log):
    merge(log, wiki, "p", {"Dog.md": b"merged\n", "Old.md": None, "Cat.md": b"new\n"})
    (wiki / "Cat.md").write_bytes(b"new\nand the user's line\n")
    edited = snapshot(wiki)
    with pytest.raises(MergeConflict, match="Cat.md") as caught:
        log.revert("p")
    assert caught.value.paths == ["Cat.md"]
    assert snapshot(wiki) == edited and log.get("p").status == "applied"
    (wiki / "Old.md").write_bytes(b"the user brought it back\n")
    with pytest.raises(MergeConflict, match="Old.md"):
        log.revert("p")


@pytest.mark.parametrize("bad", ["../x.md", "/etc/x", "Animals/../../x.md", "./Dog.md", "Animals//Beagle.md",
                                 ".git/config", "Animals/.git/x.md", "C:/x.md", "a\\..\\x.md",
                                 "outside/x.md", "outside-file.md", "inside-link.md", "git-link/config",
                                 "Animals", "Dog.md/child.md"])
def test_paths_that_could_leave_the_wiki_are_refused(wiki, log, tmp_path, bad):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "secret.md").write_bytes(b"secret\n")
    (wiki / "outside").symlink_to(elsewhere)
    (wiki / "outside-file.md").symlink_to(elsewhere / "secret.md")
    (wiki / "inside-link.md").symlink_to(wiki / "Dog.md")  # inside, but the merge would replace the link
    (wiki / ".git").mkdir()
    (wiki / "git-link").symlink_to(wiki / ".git")
    original, outside = snapshot(wiki), snapshot(elsewhere)
    with pytest.raises(MergeError) as caught:
        log.apply("p", {"Dog.md": b"fine\n", bad: b"evil\n"}, "m",
                  {"Dog.md": sha256_of((wiki / "Dog.md").read_bytes()), bad: None})
    assert repr(bad) in str(caught.value) or bad in str(caught.value)
    assert not isinstance(caught.value, MergeConflict)
    assert snapshot(wiki) == original and snapshot(elsewhere) == outside
    assert log.records() == []


def test_arguments_are_checked_before_anything(wiki, log):
    with pytest.raises(MergeError, match="missing \\['Dog.md'\\]"):
        log.apply("p", {"Dog.md": b"x"}, "m", {})
    with pytest.raises(MergeError, match="bytes or None, got str"):
        log.apply("p", {"Dog.md": "text"}, "m", {"Dog.md": None})
    with pytest.raises(MergeError, match="sha256"):
        log.apply("p", {"Dog.md": b"x"}, "m", {"Dog.md": "abc"})
    with pytest.raises(MergeError, match="changes nothing"):
        log.apply("p", {}, "m", {})
    with pytest.raises(MergeError, match="needs a message"):
        log.apply("p", {"Dog.md": b"x"}, " ", {"Dog.md": None})


class Crash(BaseException):
    """The process dying mid-merge: nothing in apply gets to clean up."""


def fail_on_second_node(monkeypatch, wiki: Path, error: BaseException) -> list[str]:
    """Make the second node write of the wiki fail (once); returns the names written before and after."""
    real_replace, written, calls = os.replace, [], []

    def replace(src, dst):
        if Path(dst).is_relative_to(wiki.resolve()):
            calls.append(dst)
            if len(calls) == 2:
                raise error
            written.append(Path(dst).name)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return written


def test_a_crash_between_two_nodes_is_rolled_back_by_recover(wiki, log, monkeypatch):
    original = snapshot(wiki)
    written = fail_on_second_node(monkeypatch, wiki, Crash())
    with pytest.raises(Crash):
        merge(log, wiki, "p", {"Animals/Beagle.md": b"first\n", "New/Node.md": b"second\n", "Old.md": None})
    assert written == ["Beagle.md"] and (wiki / "Animals/Beagle.md").read_bytes() == b"first\n"
    assert log.get("p").status == "applying"
    monkeypatch.undo()
    (wiki / "New" / ".Node.md.0badf00d.reverie-tmp").write_bytes(b"half")  # what a killed process leaves

    settled = MergeLog(wiki, log.log_dir).recover()  # the next start
    assert [r.proposal_id for r in settled] == ["p"] and settled[0].status == "rolled_back"
    assert snapshot(wiki) == original  # the made folder and the temporary file are gone too
    assert log.get("p").status == "rolled_back"
    assert MergeLog(wiki, log.log_dir).recover() == []


def test_an_error_between_two_nodes_is_undone_at_once(wiki, log, monkeypatch):
    original = snapshot(wiki)
    fail_on_second_node(monkeypatch, wiki, OSError(28, "No space left on device"))
    with pytest.raises(OSError, match="No space"):
        merge(log, wiki, "p", {"Animals/Beagle.md": b"first\n", "Dog.md": b"second\n"})
    assert snapshot(wiki) == original
    assert log.get("p").status == "rolled_back"


def test_an_error_that_persists_leaves_the_record_for_recover(wiki, log, monkeypatch, caplog):
    original = snapshot(wiki)
    real_replace = os.replace
    failing = {"on": False}

    def replace(src, dst):  # the disk fills up after the first node and stays full
        if Path(dst).is_relative_to(wiki.resolve()):
            if failing["on"]:
                raise OSError(28, "No space left on device")
            failing["on"] = True
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space"):
        merge(log, wiki, "p", {"Animals/Beagle.md": b"first\n", "Dog.md": b"second\n"})
    assert log.get("p").status == "applying" and "recover() will" in caplog.text
    monkeypatch.undo()
    assert [r.status for r in log.recover()] == ["rolled_back"] and snapshot(wiki) == original


def test_modes_are_kept_and_new_nodes_get_the_usual_mode(wiki, log):
    (wiki / "Dog.md").chmod(0o640)
    merge(log, wiki, "p", {"Dog.md": b"x\n", "Cat.md": b"y\n"})
    umask = os.umask(0)
    os.umask(umask)
    assert (wiki / "Dog.md").stat().st_mode & 0o777 == 0o640
    assert (wiki / "Cat.md").stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_crash_while_reverting_is_undone_by_recover(wiki, log, monkeypatch):
    merge(log, wiki, "p", {"Animals/Beagle.md": b"first\n", "Dog.md": b"second\n"})
    merged = snapshot(wiki)
    fail_on_second_node(monkeypatch, wiki, Crash())
    with pytest.raises(Crash):
        log.revert("p")
    assert log.get("p").status == "reverting"
    monkeypatch.undo()
    settled = log.recover()
    assert settled[0].status == "applied" and snapshot(wiki) == merged
    log.revert("p")  # and the revert can simply be asked again


def test_an_interrupted_merge_is_recovered_before_the_next_apply(wiki, log, monkeypatch):
    original = snapshot(wiki)
    fail_on_second_node(monkeypatch, wiki, Crash())
    with pytest.raises(Crash):
        merge(log, wiki, "p", {"Animals/Beagle.md": b"first\n", "Dog.md": b"second\n"})
    monkeypatch.undo()
    expect = {"Old.md": sha256_of(original["Old.md"])}
    log.apply("q", {"Old.md": b"newer\n"}, "m", expect)
    assert [r.status for r in log.records()] == ["rolled_back", "applied"]
    assert (wiki / "Animals/Beagle.md").read_bytes() == original["Animals/Beagle.md"]


def test_a_second_heartbeat_waits_for_the_lock(wiki, log):
    log.log_dir.mkdir(parents=True)
    other = FileLock(str(log.log_dir / ".lock"))
    other.acquire()
    done = threading.Event()
    worker = threading.Thread(target=lambda: (merge(log, wiki, "p", {"Dog.md": b"x"}), done.set()))
    worker.start()
    assert not done.wait(0.5)  # held elsewhere: nothing merges
    assert log.records() == []
    other.release()
    worker.join(10)
    assert done.is_set() and log.get("p").status == "applied"


# -- git ------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture()
def repo(wiki) -> Path:
    git(wiki, "init", "-q")
    git(wiki, "add", "-A")
    git(wiki, "commit", "-q", "-m", "initial")
    # the user's own work in progress, which no merge may sweep into its commit
    (wiki / "Raw.bin.md").write_bytes(b"unstaged edit\n")
    (wiki / "Draft.md").write_bytes(b"staged new file\n")
    git(wiki, "add", "Draft.md")
    (wiki / "Scratch.md").write_bytes(b"untracked\n")
    return wiki


def commits(root: Path) -> list[str]:
    return git(root, "log", "--format=%H").split()


@needs_git
def test_each_merge_and_revert_is_one_commit_of_its_paths(repo, log):
    initial = commits(repo)[0]
    status, files = git(repo, "status", "--porcelain"), snapshot(repo)
    first = merge(log, repo, "split-beagle", {"Animals/Beagle.md": b"hound\n", "Animals/Hound.md": b"new\n"},
                  "Split Beagle")
    second = merge(log, repo, "drop-old", {"Old.md": None, "Animals/Beagle.md": BINARY, "[[odd]] *.md": b"odd\n"},
                   "Remove Old\n\nIt was stale.")
    assert commits(repo) == [second.commit, first.commit, initial]
    assert git(repo, "log", "-1", "--format=%s", first.commit).strip() == "Split Beagle"
    assert "Reverie-Proposal: split-beagle" in git(repo, "log", "-1", "--format=%B", first.commit)
    assert git(repo, "show", "--format=", "--name-status", second.commit).split("\n") == [
        "M\tAnimals/Beagle.md", "D\tOld.md", "A\t[[odd]] *.md", ""]
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", first.commit).strip() == \
        "reverie <reverie@localhost>|reverie <reverie@localhost>"  # no identity configured: the fallback
    assert git(repo, "status", "--porcelain") == status  # the user's changes, staged and not, untouched

    log.revert("drop-old")
    reverted = log.revert("split-beagle")
    assert reverted.revert_commit == commits(repo)[0] and len(commits(repo)) == 5
    assert git(repo, "log", "-1", "--format=%s").strip() == "Revert Split Beagle"
    assert f"This reverts commit {first.commit}." in git(repo, "log", "-1", "--format=%B")
    assert git(repo, "diff", "--name-only", initial, "HEAD") == ""  # the tree is the initial one again
    assert snapshot(repo) == files and git(repo, "status", "--porcelain") == status


@needs_git
def test_git_uses_the_identity_it_has(repo, log, monkeypatch):
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Ada")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "ada@example.org")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Ada")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "ada@example.org")
    record = merge(log, repo, "p", {"Dog.md": b"x\n"})
    assert git(repo, "log", "-1", "--format=%an <%ae>", record.commit).strip() == "Ada <ada@example.org>"


@needs_git
def test_a_git_failure_keeps_the_merge(repo, log, caplog):
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho refused by hook >&2\nexit 1\n")
    hook.chmod(0o755)
    head = commits(repo)
    with caplog.at_level(logging.WARNING, logger="wiki.mergelog"):
        record = merge(log, repo, "p", {"Dog.md": b"merged\n"})
    assert record.status == "applied" and record.commit is None and log.get("p").commit is None
    assert (repo / "Dog.md").read_bytes() == b"merged\n" and commits(repo) == head
    assert "refused by hook" in caplog.text and "Dog.md" in caplog.text
    hook.unlink()
    assert log.revert("p").revert_commit is None  # git never saw the merge: no revert commit either


def test_without_git_installed_it_just_works(wiki, log, monkeypatch):
    monkeypatch.setenv("PATH", str(wiki / "no-such-bin"))
    original = snapshot(wiki)
    record = merge(log, wiki, "p", {"Dog.md": b"x\n"})
    assert record.commit is None and (wiki / "Dog.md").read_bytes() == b"x\n"
    log.revert("p")
    assert snapshot(wiki) == original


def test_records_name_their_schema(wiki, log):
    merge(log, wiki, "p", {"Dog.md": b"x\n"})
    raw = (log.log_dir / "000001.json").read_text()
    assert '"version": 1' in raw and sha256_of(b"x\n") in raw
    (log.log_dir / "000001.json").write_text(raw.replace('"version": 1', '"version": 99'))
    with pytest.raises(MergeError, match="schema version 99"):
        log.records()
    assert mergelog.SCHEMA_VERSION == 1
