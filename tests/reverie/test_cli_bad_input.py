"""Bad input at the command line: one clear error, nothing written, never a traceback.

Each case runs the real CLI in a subprocess against a home holding one diary note, and
checks the exit status, the error's key words, and that the home is byte for byte as it
was. The homes point at an empty models folder and a missing embedder: a case that
touched a model would fail with "make setup" instead of its own error, so every case
here (but the embedder's own) proves it was refused before any model was loaded.

Regressions pinned (before this file, same commands):
- argv that is not UTF-8 reached the stores as surrogate escapes: `memory search`
  answered rc 0 with broken JSON bytes, `say` wrote chemistry and the conversation
  database and failed on the diary with "'utf-8' codec can't encode character '\\udce9'",
  `ask --closed-book` loaded the model and died with a TypeError traceback;
- 10 MB on standard input made the user's folders before `say` refused it;
- a damaged `index/chroma.sqlite3`, `conversation.sqlite` or `sleep.sqlite`, and a
  missing embedder, escaped as tracebacks.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BAD = b"caf\xe9"  # latin-1 'café': what a latin-1 terminal sends
MAX_MESSAGE_BYTES = 8 * 1024 * 1024  # graphs.agent.MAX_MESSAGE_BYTES (asserted below, without importing it)


def run(home: Path, *args: str | bytes, stdin: bytes | None = None, env: dict | None = None):
    """The real CLI; bytes arguments reach it as they are, like a terminal's."""
    full_env = {**os.environ, "REVERIE_HOME": str(home), "REVERIE_MODELS_DIR": str(home.parent / "no-models"),
                "REVERIE_MEMORY__EMBEDDER": str(home.parent / "no-embedder"), **(env or {})}
    full_env.pop("REVERIE_USER", None)
    argv = [sys.executable, "-m", "reverie", *args]
    return subprocess.run([a if isinstance(a, bytes) else os.fsencode(a) for a in argv], input=stdin,
                          capture_output=True, env=full_env, timeout=600)


def error_of(proc, as_json: bool = True) -> str:
    """The one error the CLI reported: its JSON object on stdout, or its one line on stderr."""
    assert b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")[-3000:]
    if as_json:
        lines = proc.stdout.decode("utf-8").splitlines()  # strict: broken bytes fail here
        assert len(lines) == 1, proc.stdout
        payload = json.loads(lines[0])
        assert list(payload) == ["error"], payload
        return payload["error"]
    errors = [line for line in proc.stderr.decode("utf-8").splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


def snapshot(root: Path) -> dict[str, bytes | None]:
    """Every path under root with its bytes (None for a folder)."""
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes()) for p in sorted(root.rglob("*"))}


@pytest.fixture()
def seeded(tmp_path) -> Path:
    """A home whose user 'default' has one diary note (and the folders an agent makes)."""
    from cognition.diary import Diary
    from cognition.home import Home

    home = tmp_path / "home"
    user = Home(home).user("default").ensure()
    Diary(user.memory).write("note", "The ferry to Texel leaves at nine.")
    return home


def test_the_message_limit_here_is_the_agents():
    from graphs.agent import MAX_MESSAGE_BYTES as limit

    assert limit == MAX_MESSAGE_BYTES


# -- arguments that are not UTF-8 ----------------------------------------------------------

@pytest.mark.parametrize("args, label", [
    (["say", BAD], "TEXT"),
    (["say", "hello", "--thread", BAD], "--thread"),
    (["ask", BAD, "--closed-book"], "QUESTION"),
    (["memory", "search", BAD], "QUERY"),
    (["forget", BAD], "QUERY"),
    (["forget", "--entry", BAD], "--entry"),
    (["ingest", b"/tmp/" + BAD + b".md"], "FILES"),
    (["status", "--user", BAD], "--user"),
    (["ruminate", "--variant", BAD], "--variant"),
    (["keys", "add", BAD], "USER"),
    (["keys", "revoke", BAD], "WHICH"),
    (["adapters", "show", BAD], "VERSION"),
    (["wiki", "show", BAD], "NODE"),
    (["proposals", "reject", "p1", "--reason", BAD], "--reason"),
])
def test_an_argument_that_is_not_utf8_is_named_and_nothing_is_written(seeded, args, label):
    before = snapshot(seeded.parent)
    proc = run(seeded, *args, "--json")
    assert proc.returncode == 1
    error = error_of(proc)
    assert error.startswith(f"the argument {label} is not valid UTF-8 (byte ")
    assert "nothing was done" in error and "UTF-8 terminal" in error
    assert snapshot(seeded.parent) == before


@pytest.mark.parametrize("args, label", [
    (["chat", "--user", BAD], "--user"),
    (["chat", "--thread", BAD], "--thread"),
    (["daemon", "--user", "default", "--user", BAD, "--ticks", "1"], "--user"),
    (["say", BAD], "TEXT"),
])
def test_without_json_the_same_error_is_one_line_on_stderr(seeded, args, label):
    before = snapshot(seeded.parent)
    proc = run(seeded, *args)
    assert proc.returncode == 1 and proc.stdout == b""
    assert error_of(proc, as_json=False).startswith(f"error: the argument {label} is not valid UTF-8 (byte 3: ")
    assert snapshot(seeded.parent) == before


@pytest.mark.parametrize("args", [["say", "-"], ["ask", "-", "--closed-book"]])
def test_standard_input_that_is_not_utf8_is_refused(seeded, args):
    before = snapshot(seeded.parent)
    proc = run(seeded, *args, "--json", stdin=b"Caf\xe9 in Ghent")
    assert proc.returncode == 1
    assert error_of(proc).startswith("standard input is not valid UTF-8 (byte 3: b'\\xe9 in')")
    assert snapshot(seeded.parent) == before


def test_chat_refuses_a_broken_line_and_records_nothing(seeded):
    """The chat loop reads its own lines: a line that is not UTF-8 is refused, the talk goes on
    (here to /quit), and piped input exits 1 so a script sees it (piped, `chat` is the line
    loop, as with --plain). `chat` has no --json; its errors are lines on stderr."""
    memory = snapshot(seeded / "users" / "default" / "memory")
    proc = run(seeded, "chat", stdin=BAD + b" au lait\n/quit\n")
    assert proc.returncode == 1
    assert error_of(proc, as_json=False).startswith("error: line 1 is not valid UTF-8 (byte 3: ")
    assert "it was not recorded" in proc.stderr.decode()
    assert snapshot(seeded / "users" / "default" / "memory") == memory


# -- size ------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [["say", "-"], ["ask", "-", "--closed-book"]])
def test_ten_megabytes_on_standard_input_are_refused(seeded, args):
    """10 MB can only come through standard input ('-'): see the argv test below."""
    before = snapshot(seeded.parent)
    proc = run(seeded, *args, "--json", stdin=b"ferry " * (10_000_000 // 6))
    assert proc.returncode == 1
    error = error_of(proc)
    assert error.startswith(f"standard input is more than {MAX_MESSAGE_BYTES} bytes, the limit for one message")
    assert "`reverie ingest FILE`" in error
    assert snapshot(seeded.parent) == before


def test_chat_refuses_a_ten_megabyte_line_and_reads_on(seeded):
    memory = snapshot(seeded / "users" / "default" / "memory")
    proc = run(seeded, "chat", stdin=b"x" * 10_000_000 + b"\n/quit\n")
    assert proc.returncode == 1
    assert error_of(proc, as_json=False).startswith(f"error: line 1 is more than {MAX_MESSAGE_BYTES} bytes")
    assert snapshot(seeded / "users" / "default" / "memory") == memory


@pytest.mark.skipif(sys.platform != "linux", reason="MAX_ARG_STRLEN is Linux's")
def test_the_largest_argument_linux_passes_is_far_below_the_message_limit(seeded):
    """Linux caps one argv string at MAX_ARG_STRLEN = 32 pages = 131072 bytes with its NUL, so
    131071 bytes is the largest argument any command can get: 1/64 of the 8 MiB message
    limit, which argv therefore never reaches (10 MB goes through '-' and standard input).
    The largest one still reaches the CLI and is checked before anything is written."""
    with pytest.raises(OSError) as too_long:
        run(seeded, "say", "x" * 131072)
    assert too_long.value.errno == errno.E2BIG

    before = snapshot(seeded.parent)
    proc = run(seeded, "say", " " * 131071, "--json")
    assert proc.returncode == 1 and "the message is empty" in error_of(proc)
    assert snapshot(seeded.parent) == before


# -- user names ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../x", "a/b", "", "..", ".hidden", "/tmp/elsewhere", "-x", "x" * 65])
def test_a_hostile_user_name_is_refused_and_nothing_is_created(seeded, name):
    before = snapshot(seeded.parent)
    proc = run(seeded, "status", f"--user={name}", "--json")
    assert proc.returncode == 1
    error = error_of(proc)
    assert error.startswith(f"--user: user={name!r}: use letters, digits") and "nothing was created" in error
    assert snapshot(seeded.parent) == before
    assert not Path("/tmp/elsewhere").exists()


@pytest.mark.parametrize("args", [
    ["say", "hello", "--user", "../x", "--json"],
    ["memory", "search", "ferry", "--user", "../x", "--json"],
    ["forget", "ferry", "--user", "../x", "--json"],
    ["ruminate", "--user", "../x", "--json"],
    ["sleep", "--user", "../x", "--json"],
    ["keys", "add", "../x", "--json"],
    ["daemon", "--user", "../x", "--ticks", "1", "--json"],
    ["chat", "--user", "../x"],
])
def test_every_command_refuses_a_user_outside_the_home(seeded, args):
    before = snapshot(seeded.parent)
    proc = run(seeded, *args)
    assert proc.returncode == 1
    error = error_of(proc, as_json="--json" in args)
    assert "user='../x': use letters, digits" in error
    assert snapshot(seeded.parent) == before


def test_a_user_name_with_a_nul_is_refused(seeded):
    """argv and the environment cannot carry a NUL (execve ends a string there; Python refuses
    it), so the only way in is config.toml, whose strings can spell it "\\u0000"."""
    with pytest.raises(ValueError, match="null byte"):
        run(seeded, "status", "--user", "a\0b")
    (seeded / "config.toml").write_text('user = "a\\u0000b"\n')
    before = snapshot(seeded.parent)
    proc = run(seeded, "status", "--json")
    assert proc.returncode == 1
    assert error_of(proc).startswith("configuration: user: Value error, user='a\\x00b': use letters, digits")
    assert snapshot(seeded.parent) == before


# -- damaged stores and missing models --------------------------------------------------------

def test_a_damaged_index_says_reindex_and_reindex_repairs_it(tmp_path):
    """The index is a cache of the diary: reindex moves the damaged one aside and rebuilds.
    (An empty diary, so no embedder is needed to rebuild.)"""
    home = tmp_path / "home"
    index = home / "users" / "default" / "index"
    index.mkdir(parents=True)
    (index / "chroma.sqlite3").write_bytes(b"not a database " * 100)
    proc = run(home, "memory", "search", "ferry", "--json")
    assert proc.returncode == 1
    error = error_of(proc)
    assert error.startswith(f"the memory index at {index} cannot be opened (") and "`reverie memory reindex`" in error

    rebuilt = run(home, "memory", "reindex", "--json")
    assert rebuilt.returncode == 0 and json.loads(rebuilt.stdout)["indexed"] == 0
    [aside] = index.parent.glob("index.damaged-*")
    assert (aside / "chroma.sqlite3").read_bytes() == b"not a database " * 100
    found = run(home, "memory", "search", "ferry", "--json")
    assert found.returncode == 0 and json.loads(found.stdout)["hits"] == []


@pytest.mark.parametrize("database, args", [
    ("conversation.sqlite", ["say", "hello", "--no-system1"]),
    ("sleep.sqlite", ["sleep"]),
])
def test_a_damaged_database_is_named_with_what_to_do(seeded, models_dir, database, args):
    """`sleep` resolves the configured base before it opens its database (an empty models folder
    would make it convert the base first, ~40 s), so these two get the real models folder."""
    path = seeded / "users" / "default" / database
    path.write_bytes(b"garbage " * 1000)
    memory = snapshot(seeded / "users" / "default" / "memory")
    proc = run(seeded, *args, "--json", env={"REVERIE_MODELS_DIR": str(models_dir)})
    assert proc.returncode == 1
    error = error_of(proc)
    assert error.startswith(f"{path} is damaged (file is not a database); it holds only ")
    assert f"`mv {path} {path}.damaged`" in error
    assert path.read_bytes() == b"garbage " * 1000
    assert snapshot(seeded / "users" / "default" / "memory") == memory


def test_a_missing_embedder_says_what_to_do(seeded):
    memory = snapshot(seeded / "users" / "default" / "memory")
    proc = run(seeded, "memory", "reindex", "--json")
    assert proc.returncode == 1
    error = error_of(proc)
    assert error.startswith(f"memory.embedder={str(seeded.parent / 'no-embedder')!r} is neither the packaged")
    assert "`make setup`" in error
    assert snapshot(seeded / "users" / "default" / "memory") == memory
