"""The `reverie` command line.

Every command that reports takes `--json` and then prints exactly one JSON object on
stdout (an error too: `{"error": …}` with a non-zero exit). Heavy imports stay inside
the commands, so `reverie --help` answers at once. Only this layer reads flags; the
library below takes typed settings.

Every command runs inside `_guard`, which first refuses arguments that are not text
(bytes that are not UTF-8 reach Python as surrogate escapes and would fail, or be written
broken, deep inside a turn), and then turns whatever goes wrong into one line (or one JSON
object): bad input, a missing model, a damaged database, and, as a last resort, a bug.
Set REVERIE_DEBUG=1 to see a bug's traceback instead.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import Any, NoReturn, Optional

import typer

app = typer.Typer(help="reverie: a local language model that learns in its sleep.", no_args_is_help=True,
                  add_completion=False, pretty_exceptions_enable=False)
memory_app = typer.Typer(help="Search and rebuild the memory index.", no_args_is_help=True)
models_app = typer.Typer(help="Base models: convert the embedded one, check them.", no_args_is_help=True)
app.add_typer(memory_app, name="memory")
eval_app = typer.Typer(help="Benchmarks: what the weights add over retrieval.", no_args_is_help=True)
adapters_app = typer.Typer(help="System 1's adapter versions: list, inspect, roll back.", no_args_is_help=True)
app.add_typer(models_app, name="models")
app.add_typer(adapters_app, name="adapters")
app.add_typer(eval_app, name="eval")
schedule_app = typer.Typer(help="Run the night and the weekly pass from the system's scheduler (systemd or cron).",
                           no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")

UserOpt = typer.Option(None, "--user", "-u", help="Whose memory (default: 'default', or REVERIE_USER).")
JsonOpt = typer.Option(False, "--json", help="Print exactly one JSON object on stdout.")
HomeOpt = typer.Option(None, "--home", help="The home directory (default: REVERIE_HOME or ~/.local/share/reverie).")


class CliError(Exception):
    """An error the user can act on; its message says what to do."""


def _settings(user: Optional[str], home: Optional[str] = None, **overrides):
    from pydantic import ValidationError

    from cognition.config import check_user, load_settings

    if user is not None:  # a flag's fault is the flag's, not config.toml's
        try:
            check_user(user)
        except ValueError as exc:
            raise CliError(f"--user: {exc}; nothing was created") from None
    try:
        return load_settings(user=user, home=home, **overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CliError(f"configuration: {where}: {first['msg']} (check config.toml or REVERIE_* variables)") from exc


def _agent(user, home=None, **overrides):
    from graphs.agent import Agent

    return Agent(_settings(user, home, **overrides))


def _utf8(text: str) -> str:
    """Text that encodes as UTF-8: a stray surrogate (a file name that is not UTF-8) becomes
    its escape, so stdout never carries broken bytes, nor a JSON line that will not parse."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _emit(as_json: bool, payload: dict[str, Any], human) -> None:
    if as_json:
        sys.stdout.write(_utf8(json.dumps(payload, ensure_ascii=False, default=str)) + "\n")
    else:
        human(payload)


def _fail(as_json: bool, message: str, code: int = 1) -> NoReturn:
    message = _utf8(" ".join(message.strip().splitlines()) or "failed")  # one line, whatever the exception held
    if as_json:
        sys.stdout.write(json.dumps({"error": message}, ensure_ascii=False) + "\n")
    else:
        typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


@contextmanager
def _guard(as_json: bool):
    """Check the arguments, then turn every error into one clear line (a JSON object with --json)."""
    import os
    import sqlite3

    from cognition.index import EmbedderMissing, IndexDamaged
    from cognition.models import ModelError
    from reverie.schedule import ScheduleError
    from system1.adapters import AdapterError

    try:
        _check_arguments()
        yield
    except typer.Exit:
        raise
    except (CliError, ModelError, AdapterError, ScheduleError, EmbedderMissing, IndexDamaged, ValueError,
            ConnectionError, OSError) as exc:
        _fail(as_json, str(exc))
    except sqlite3.DatabaseError as exc:
        _fail(as_json, _database_failure(exc))
    except KeyboardInterrupt:
        _fail(as_json, "interrupted", 130)
    except Exception as exc:
        if os.environ.get("REVERIE_DEBUG"):
            raise
        _fail(as_json, f"unexpected {type(exc).__name__}: {exc} (a bug in reverie: run again with REVERIE_DEBUG=1 "
                       "for the traceback, and report it)")


CONVERT = "convert it first, e.g. `iconv -f latin1 -t utf-8`"


def _decode(raw: bytes, what: str, consequence: str = "nothing was done", fix: str = CONVERT) -> str:
    """Bytes as UTF-8, strictly, or an error that says where they break and what to do."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{what} is not valid UTF-8 (byte {exc.start}: {raw[exc.start:exc.start + 4]!r}); "
                       f"{consequence}: {fix}") from None


def _check_arguments() -> None:
    """Refuse any argument that is not UTF-8, naming it, before anything is opened or written.

    Python hands argv bytes that are not UTF-8 over as surrogate escapes ('caf\\udce9');
    they would be searched, recorded or sent to a model as they are. File names are
    checked too: reverie writes them into its JSON and the diary, which are UTF-8.
    """
    ctx = _current_context()
    if ctx is None:  # not under Typer (never expected): check the raw command line instead
        named = [(f"argument {i}", arg) for i, arg in enumerate(sys.argv[1:], 1)]
    else:
        params = {p.name: p for p in ctx.command.params}
        named = [(_label(params.get(name), name), item) for name, value in ctx.params.items()
                 for item in (value if isinstance(value, (list, tuple)) else [value])]
    for label, item in named:
        if isinstance(item, str) and not item.isascii():
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                try:
                    raw = item.encode("utf-8", "surrogateescape")  # the bytes as the terminal sent them
                except UnicodeEncodeError:
                    raw = item.encode("utf-8", "surrogatepass")
                _decode(raw, f"the argument {label}", fix="type it in a UTF-8 terminal (see `locale`), or rename a "
                        "file whose name is not UTF-8")


def _current_context():
    try:
        from typer.main import get_current_context  # Typer 0.2x runs its own copy of click
    except ImportError:
        from click import get_current_context
    return get_current_context(silent=True)


def _label(param, name: str) -> str:
    """How the user wrote it: --user for an option, TEXT for an argument."""
    if param is None:
        return name
    if param.param_type_name == "option" and param.opts:
        return max(param.opts, key=len)
    return (param.name or name).upper()


# Each SQLite file of a user's home and what losing it costs (the diary is never one of them).
_DATABASES = {"conversation_db": "the conversation threads' recent turns (the diary keeps every exchange)",
              "sleep_db": "the checkpoints of an interrupted night (the next `reverie sleep` starts afresh)"}


def _database_failure(exc: Exception) -> str:
    """Which of the user's SQLite files failed, and what to do about it."""
    ctx = _current_context()
    params = ctx.params if ctx is not None else {}
    try:
        settings = _settings(params.get("user"), params.get("home"))
    except Exception:
        return f"a database failed: {exc}"
    from cognition.home import Home

    user_home = Home(settings.home).user(settings.user)
    for attr, holds in _DATABASES.items():
        path = getattr(user_home, attr)
        if path.exists() and not _sqlite_intact(path):
            return (f"{path} is damaged ({exc}); it holds only {holds}. Move it aside "
                    f"(`mv {path} {path}.damaged`) and run the command again")
    return f"a database under {user_home.root} failed: {exc}"


def _sqlite_intact(path) -> bool:
    import sqlite3
    from contextlib import closing

    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            return conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        return False


def read_text_arg(text: str) -> str:
    """TEXT, or standard input when TEXT is '-', decoded strictly as UTF-8 and no longer
    than one message may be (graphs.agent.MAX_MESSAGE_BYTES): a larger input is refused
    after reading just past the limit, not after holding all of it."""
    if text != "-":
        return text
    from graphs.agent import MAX_MESSAGE_BYTES

    raw = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
    if len(raw) > MAX_MESSAGE_BYTES:
        raise CliError(f"standard input is more than {MAX_MESSAGE_BYTES} bytes, the limit for one message; nothing "
                       "was done. Add long documents with `reverie ingest FILE` instead")
    return _decode(raw, "standard input")


# -- one turn ------------------------------------------------------------------------


@app.command()
def say(text: str = typer.Argument(..., help="What you say ('-' reads standard input)."),
        no_system1: bool = typer.Option(False, "--no-system1", help="Skip System 1 (the ablation)."),
        thread: str = typer.Option("main", help="Conversation thread."),
        user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """One coordinated turn: recall and intuition, then deliberation, then the diary."""
    with _guard(as_json):
        from graphs.agent import validate_message

        message = validate_message(read_text_arg(text))  # before the agent makes the user's folders
        agent = _agent(user, home)
        stream = None if as_json else _printer()
        result = agent.say(message, system1=False if no_system1 else None, thread=thread, on_text=stream)
        _emit(as_json, result.to_json(), _show_turn)


def _printer():
    def write(chunk: str):
        sys.stdout.write(chunk)
        sys.stdout.flush()

    return write


def _show_turn(p: dict) -> None:
    """The details under an answer that was already streamed to stdout."""
    typer.echo("")
    details = []
    if p.get("system1"):
        details.append(f"System 1: {p['system1']}  → {p['verdict']}")
    if p.get("memories"):
        details.append(f"memories: {len(p['memories'])}")
    details.append(f"{p['timings'].get('total', 0):.1f}s")
    typer.secho("  [" + " · ".join(details) + "]", dim=True, err=True)
    for note in p.get("notes") or []:
        typer.secho(f"  note: {note}", fg=typer.colors.YELLOW, err=True)


@app.command()
def ask(question: str = typer.Argument(..., help="The question ('-' reads standard input)."),
        closed_book: bool = typer.Option(False, "--closed-book", help="System 1 alone: no retrieval, no diary."),
        user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Ask System 1 alone, from its weights (closed-book)."""
    with _guard(as_json):
        if not closed_book:
            raise CliError("`ask` answers closed-book only; add --closed-book, or use `reverie say` for a full turn")
        from graphs.agent import validate_message

        question = validate_message(read_text_arg(question))
        payload = _agent(user, home).ask_closed_book(question)
        _emit(as_json, payload, lambda p: typer.echo(p["answer"]))


@app.command()
def chat(no_system1: bool = typer.Option(False, "--no-system1", help="Skip System 1 (the ablation)."),
         thread: str = typer.Option("main", help="Conversation thread."),
         plain: bool = typer.Option(False, "--plain", help="The plain line loop even on a terminal (for scripts)."),
         user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt):
    """Talk in the terminal: the full-screen home (the dog, the chemistry, the night; f1 lists
    its keys) when standard input and output are a terminal, else a plain line loop.

    In the line loop an empty line is skipped; Ctrl-D or /quit ends. A line that is not UTF-8
    or longer than a message may be is refused with one line on stderr and not recorded; the
    talk goes on, and piped input then exits with status 1.
    """
    if not plain and sys.stdin.isatty() and sys.stdout.isatty():
        _chat_home(no_system1, thread, user, home)
        return
    from graphs.agent import MAX_MESSAGE_BYTES, EmptyMessage

    with _guard(False):
        agent = _agent(user, home)
        interactive = sys.stdin.isatty()
        typer.secho(f"reverie ({agent.settings.user}) — /quit to leave", dim=True, err=True)
        from cognition.notices import Notices

        _show_notices(agent, Notices(agent.user_home.root).pending())
        number = refused = 0
        while True:
            if interactive:
                typer.echo("you> ", nl=False)
            raw = sys.stdin.buffer.readline(MAX_MESSAGE_BYTES + 1)
            if not raw:
                break
            number += 1
            try:
                if len(raw) > MAX_MESSAGE_BYTES and not raw.endswith(b"\n"):
                    while (rest := sys.stdin.buffer.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass  # the rest of the refused line, so the next line starts fresh
                    raise CliError(f"line {number} is more than {MAX_MESSAGE_BYTES} bytes, the limit for one "
                                   "message; it was not recorded. Add long documents with `reverie ingest FILE`")
                line = _decode(raw, f"line {number}", "it was not recorded").rstrip("\n")
            except CliError as exc:
                refused += 1
                typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
                continue
            if line.strip() in ("/quit", "/exit"):
                break
            try:
                sys.stdout.write("reverie> ")
                result = agent.say(line, system1=False if no_system1 else None, thread=thread, on_text=_printer())
            except EmptyMessage:
                sys.stdout.write("\r")
                continue
            _show_turn(result.to_json())
        if refused and not interactive:
            raise typer.Exit(1)


def _chat_home(no_system1: bool, thread: str, user: Optional[str], home: Optional[str]) -> None:
    """The terminal home (reverie/tui). Its night trains in this process beside the screen:
    passive OpenMP waiting keeps the screen's thread from being starved, as `sleep` does for
    its neighbours (set before torch is first imported). While the screen is up, log lines go
    through Textual, which holds stderr then: written straight to the terminal they would
    tear the screen."""
    import logging
    import os

    from textual.logging import TextualHandler

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    with _guard(False):
        from reverie.tui import ReverieApp

        home_app = ReverieApp(_agent(user, home), system1=False if no_system1 else None, thread=thread)
        root = logging.getLogger()
        handlers, root.handlers = root.handlers, [TextualHandler()]
        try:
            home_app.run()
        finally:
            root.handlers = handlers
        if home_app.night_interrupted:
            typer.secho("the night stops at its next pause point (ctrl+c: at once); the next `reverie sleep` (or "
                        "the daemon) resumes it", dim=True, err=True)
            try:
                home_app.night_thread.join()
            except KeyboardInterrupt:   # it ends with the process, as a kill would end it: resumed all the same
                pass
        if home_app.return_code:
            raise typer.Exit(home_app.return_code)


# -- MCP -------------------------------------------------------------------------------


@app.command("mcp")
def mcp_stdio(user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt):
    """Serve this user's agent as MCP tools over stdio, for MCP hosts (Claude Desktop, IDEs).

    stdout is the protocol channel: logs and errors go to stderr.
    """
    from contextlib import redirect_stdout

    from reverie.mcp import build_mcp

    with _guard(False):
        # Anything opening the agent prints must not reach the host as a broken message;
        # once serving, the SDK points fd 1 at stderr itself until the host hangs up.
        with redirect_stdout(sys.stderr):
            agent = _agent(user, home)
        try:
            build_mcp(lambda ctx: agent).run("stdio")
        finally:
            agent.close()


# -- state ---------------------------------------------------------------------------


@app.command()
def status(user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Chemistry, the current adapter, the last sleep and the diary's size."""
    with _guard(as_json):
        agent = _agent(user, home)
        payload = agent.status()
        _emit(as_json, payload, _show_status)
        if not as_json:
            _show_notices(agent, payload["notices"])


def _show_notices(agent, notices: dict) -> None:
    """The briefing not yet read and the failures of unattended runs; shown once, then marked seen."""
    from cognition.notices import Notices

    if notices.get("briefing"):
        typer.echo("")
        typer.secho(f"— {notices['briefing']['name']} —", bold=True)
        typer.echo(notices["briefing"]["text"].rstrip())
    for f in notices.get("failures") or []:
        typer.secho(f"unattended {f['what']} failed at {f['when'][:16]}: {f['error']}", fg=typer.colors.RED)
    if notices.get("briefing") or notices.get("failures"):
        Notices(agent.user_home.root).mark_seen()


def _show_status(p: dict) -> None:
    c, a, d = p["chemistry"], p["adapter"], p["diary"]
    typer.echo(f"user      {p['user']}  ({p['home']})")
    typer.echo(f"chemistry adenosine {c['adenosine']:.2f}  cortisol {c['cortisol']:.2f}  dopamine {c['dopamine']:.2f}"
               + ("  — sleep is due" if c["sleep_due"] else ""))
    typer.echo(f"adapter   {a['serving'] or 'none yet (System 1 is the bare base)'}"
               + (f"  ({len(a['versions'])} versions)" if a["versions"] else ""))
    for refusal in a["refused"]:
        typer.secho(f"          refused: {refusal}", fg=typer.colors.RED)
    typer.echo(f"last sleep {p['last_sleep'] or 'never'}")
    typer.echo(f"diary     {d['days']} days: {d['exchange']} exchanges, {d['thought']} thoughts, "
               f"{d['daydream']} daydreams, {d['note']} notes")


@memory_app.command("search")
def memory_search(query: str = typer.Argument(..., help="What to look for."),
                  k: int = typer.Option(5, "-k", min=1, max=100, help="How many memories."),
                  user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Search the diary by meaning."""
    with _guard(as_json):
        agent = _agent(user, home)
        hits = agent.index.search(query, k=k)
        payload = {"query": query, "hits": [h.to_json() for h in hits]}

        def show(p):
            if not p["hits"]:
                typer.echo("nothing found (if the diary is not empty, try `reverie memory reindex`)")
            for h in p["hits"]:
                typer.echo(f"{h['date']}  {h['kind']:<8} {h['distance']:.3f}  {h['text'][:100]}")

        _emit(as_json, payload, show)


@memory_app.command("reindex")
def memory_reindex(user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Rebuild the index from the diary (the diary is the source of truth)."""
    with _guard(as_json):
        agent = _agent(user, home)
        n = agent.index.reindex(agent.diary)
        _emit(as_json, {"indexed": n, "index": str(agent.index.directory)},
              lambda p: typer.echo(f"indexed {p['indexed']} entries into {p['index']}"))


@models_app.command("convert")
def models_convert(force: bool = typer.Option(False, "--force", help="Convert again even if present."),
                   home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Convert the embedded SmolLM2 GGUF into trainable safetensors under models/ (once)."""
    import shutil

    from cognition.config import DEFAULT_MODEL
    from cognition.models import convert_gguf, embedded_gguf, is_converted

    with _guard(as_json):
        target = _settings(None, home).models_path / DEFAULT_MODEL
        done = is_converted(target) and not force
        if not done:
            if target.exists():
                shutil.rmtree(target)
            convert_gguf(embedded_gguf(), target)
        _emit(as_json, {"model": DEFAULT_MODEL, "path": str(target), "converted": not done},
              lambda p: typer.echo(f"{p['model']}: {'converted into' if p['converted'] else 'already at'} {p['path']}"))


@models_app.command("verify")
def models_verify(home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Check every file of the configured base against its recorded sha256."""
    from cognition.models import REPAIR, ModelError, verify

    with _guard(as_json):
        s = _settings(None, home)
        target = s.models_path / s.model.id
        result = verify(target)
        bad = [name for name, ok in result.items() if not ok]
        if bad:
            raise ModelError(f"{target}: {', '.join(bad)} do not match their sha256; {REPAIR}")
        _emit(as_json, {"model": s.model.id, "files": result, "ok": True},
              lambda p: typer.echo(f"{p['model']}: {len(p['files'])} files intact"))


# -- sleep -----------------------------------------------------------------------------


@app.command()
def sleep(wait: bool = typer.Option(False, "--wait", help="While another night runs for this user (the daemon, "
                                     "a second terminal), wait for it, then sleep on what came after it."),
          user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Consolidate now: curate the day, train the adapter, self-test, promote or roll back.

    An interrupted night (killed, crashed) is finished by the next `reverie sleep`. One night
    runs for a user at a time: a second is refused (or, with --wait, waits).
    """
    import os

    # Sleep shares the CPU: spinning OpenMP threads collapse a neighbour's throughput
    # (and their own) on a busy 2-core machine; passive waiting keeps both going.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from graphs.night import Night, summary

    with _guard(as_json):
        agent = _agent(user, home)
        with SleepProgress(enabled=not as_json) as progress, _noticed(agent, "sleep"):
            state = Night(agent, on_event=progress.event).run(wait=-1 if wait else 0)
        _emit(as_json, summary(state), _show_sleep)


@contextmanager
def _noticed(agent, what: str):
    """A failure here (often unattended: a timer, the daemon) is also left as a notice for the next status."""
    from cognition.notices import Notices

    from graphs.night import NightInProgress

    try:
        yield
    except NightInProgress:   # not a failure: the night is running elsewhere
        raise
    except Exception as exc:
        Notices(agent.user_home.root).failure(what, f"{type(exc).__name__}: {exc}")
        raise


@app.command()
def ruminate(variant: Optional[str] = typer.Option(None, help="daily, weekly, monthly or stressed (default: "
                                                                 "chosen from the chemistry and the calendar)."),
             user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Think once now: a private thought from the diary, written back into it (never shown as an answer)."""
    _think_once(user, home, as_json, lambda mind, now: mind.ruminate(now, variant=variant))


@app.command()
def daydream(user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Daydream once now: two random memories collide into a `daydream` entry."""
    _think_once(user, home, as_json, lambda mind, now: mind.daydream(now))


def _think_once(user, home, as_json: bool, act) -> None:

    with _guard(as_json):
        agent = _agent(user, home)
        now = _now()
        thought = act(agent.mind(), now)
        _emit(as_json, _thought_payload(agent.chemistry.load(now), thought, agent.settings.chemistry), _show_thought)


def _now():
    from datetime import datetime

    return datetime.now().astimezone()


def _thought_payload(chem, thought, chemistry_settings) -> dict:
    from cognition.idle import gate

    g = gate(chem, chemistry_settings)
    base = {"written": thought is not None, "chemistry": chem.snapshot(),
            "gate": {"daydream": g.daydream, "ruminate": g.ruminate, "reason": g.reason}}
    if thought is None:
        return {**base, "reason": g.reason or "nothing in the diary to think about yet"}
    return {**base, "kind": thought.kind, "variant": thought.variant, "text": thought.text, "entry": thought.entry,
            "sources": list(thought.sources)}


def _show_thought(p: dict) -> None:
    if not p["written"]:
        typer.echo(f"no thought: {p['reason']}")
        return
    typer.secho(f"{p['kind']} ({p['variant']}) → diary {p['entry']}", dim=True)
    typer.echo(p["text"])


@app.command()
def weekly(user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """The weekly pass now: re-curate the week, a weekly rumination, the weekly report in briefings/."""
    from graphs.weekly import run_weekly

    with _guard(as_json):
        agent = _agent(user, home)
        with _noticed(agent, "weekly"):
            report = run_weekly(agent, _now(), think=agent.think)
        _emit(as_json, report, lambda p: typer.echo(f"weekly report: {p['report']}"))


@app.command()
def daemon(users: Optional[list[str]] = typer.Option(None, "--user", "-u", help="Users to look after (repeatable; "
                                                                              "default: every user of the home)."),
           home: Optional[str] = HomeOpt,
           tick: float = typer.Option(5.0, help="Seconds between looks at the clock."),
           ticks: Optional[int] = typer.Option(None, help="Stop after this many ticks (default: until SIGTERM)."),
           as_json: bool = JsonOpt):
    """Run reverie's day: idle thought, sleep when due, the weekly cycle. One per home; SIGTERM stops it cleanly."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from graphs.agent import Agent
    from reverie.daemon import Daemon, DaemonBusy

    def event(e: dict) -> None:
        if as_json:
            sys.stdout.write(json.dumps(e, ensure_ascii=False, default=str) + "\n")
            sys.stdout.flush()
        else:
            typer.echo(f"{_now():%H:%M:%S} " + " ".join(f"{k}={v}" for k, v in e.items()))

    with _guard(as_json):
        settings = _settings(None, home)
        for name in users or []:
            _settings(name, home)  # a bad --user is refused before the daemon takes the home's lock
        found = sorted(p.name for p in (settings.home / "users").glob("*") if p.is_dir()) \
            if (settings.home / "users").exists() else []
        names = list(users or found or [settings.user])
        runner = Daemon(settings.home, names, lambda u: Agent(_settings(u, home)), tick_s=tick, on_event=event)
        try:
            runner.run(ticks=ticks)
        except DaemonBusy as exc:
            raise CliError(str(exc)) from None


@app.command()
def serve(host: str = typer.Option("127.0.0.1", help="Address to listen on; anything but loopback needs keys."),
          port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
          user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt,
          max_body: int = typer.Option(1024 * 1024, "--max-body", min=1024, help="Largest request body, in bytes."),
          log_level: str = typer.Option("info", help="uvicorn's log level: critical, error, warning, info, debug.")):
    """Serve reverie over HTTP: OpenAI's chat completions (models reverie, reverie-system1,
    reverie-no-system1), memory, status and sleep routes, and MCP at /mcp.

    With keys in the home (`reverie keys add USER`) every request needs one and acts as its
    user; without, the server listens on loopback only and acts as --user.
    """
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    with _guard(False):
        import uvicorn

        from cognition.keys import KeyStore
        from reverie.server import ServeOptions, check_binding, create_app

        settings = _settings(user, home)
        keys = KeyStore(settings.home)
        check_binding(host, keys)
        app = create_app(settings, ServeOptions(user=settings.user, max_body_bytes=max_body),
                         extra_routes=_mcp_routes())
        who = f"{len(keys.records())} keys" if keys.any() else f"user {settings.user!r}, loopback only"
        typer.secho(f"reverie serving http://{host}:{port}/v1 ({who}); OpenAPI at /docs", dim=True, err=True)
        uvicorn.run(app, host=host, port=port, log_level=log_level)


def _mcp_routes():
    """The MCP surface at /mcp, where the MCP SDK is installed."""
    try:
        from reverie.mcp import mount
    except ImportError:
        return None
    return mount


keys_app = typer.Typer(help="API keys for `reverie serve`: each belongs to one user; only its hash is kept.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("add")
def keys_add(user: str = typer.Argument(..., help="Whose key: requests with it act as this user."),
             home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Make a key for USER and print it once (it is not stored, only its hash)."""
    with _guard(as_json):
        from cognition.keys import KeyStore

        record, key = KeyStore(_settings(None, home).home).add(user)
        _emit(as_json, {"user": record.user, "key": key, "id": record.id},
              lambda p: (typer.echo(p["key"]),
                         typer.secho(f"key {p['id']} for {p['user']}: shown once, keep it now", dim=True, err=True)))


@keys_app.command("list")
def keys_list(home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """The keys on file: id, user, last characters, when made (never the keys)."""
    with _guard(as_json):
        from cognition.keys import KeyStore

        records = KeyStore(_settings(None, home).home).records()
        payload = {"keys": [{"id": r.id, "user": r.user, "ends": r.hint, "created": r.created} for r in records]}

        def show(p):
            if not p["keys"]:
                typer.echo("no keys: `reverie serve` listens on loopback only (add one: reverie keys add USER)")
            for k in p["keys"]:
                typer.echo(f"{k['id']}  {k['user']:<20} …{k['ends']}  {k['created']}")

        _emit(as_json, payload, show)


@keys_app.command("revoke")
def keys_revoke(which: str = typer.Argument(..., help="A key's id, or a user (all their keys)."),
                home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Revoke a key (or all of a user's); a running server refuses it at once."""
    with _guard(as_json):
        from cognition.keys import KeyStore

        gone = KeyStore(_settings(None, home).home).revoke(which)
        _emit(as_json, {"revoked": [r.id for r in gone]},
              lambda p: typer.echo(f"revoked {', '.join(p['revoked'])}"))


class SleepProgress:
    """A rich progress bar over the night's phases and training steps (stderr)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress = None
        self.task = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=Console(stderr=True), transient=False)
            self.progress.start()
            self.task = self.progress.add_task("sleep", total=None)
        return self

    def event(self, e: dict) -> None:
        if not self.progress:
            return
        if "step" in e:
            self.progress.update(self.task, description=f"train  loss {e['loss']:.3f}", completed=e["step"],
                                 total=e["of"])
        elif "phase" in e and not e.get("done"):
            self.progress.update(self.task, description=e["phase"])
        elif "resumed" in e:
            self.progress.console.print(f"resuming the interrupted night {e['resumed']}")

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()


def _show_sleep(p: dict) -> None:
    if p["promoted"]:
        unseen = f", {p['held_out']:.0%} in unseen wording" if p.get("held_out") is not None else ""
        typer.secho(f"promoted {p['version']}  (self-test {p['self_test']:.0%}{unseen})", fg=typer.colors.GREEN)
    elif p["rolled_back_because"]:
        typer.secho(f"rolled back: {p['rolled_back_because']}; still serving {p['version'] or 'the bare base'}",
                    fg=typer.colors.YELLOW)
    else:
        typer.echo("nothing to learn tonight")
    skip = ("total", "boosted", "boosted_by_kind")
    examples = ", ".join(f"{v} {k}" for k, v in p["examples"].items() if k not in skip)
    typer.echo(f"examples: {p['examples'].get('total', 0)} ({examples or 'none'})")
    if p["train"].get("tokens"):
        t = p["train"]
        typer.echo(f"trained {t['tokens']} tokens in {t['seconds']:.0f}s ({t['tokens_per_s']:.0f} tokens/s)")
    if p.get("briefing"):
        typer.echo(f"briefing: {p['briefing']}")


@app.command()
def forget(query: Optional[str] = typer.Argument(None, help="What to look for among the diary's entries."),
           entries: Optional[list[str]] = typer.Option(None, "--entry", help="Forget this entry (repeatable)."),
           yes: bool = typer.Option(False, "--yes", help="Forget every entry the search shows."),
           k: int = typer.Option(10, "-k", min=1, max=100, help="How many matches to show."),
           now: bool = typer.Option(False, "--now", help="Sleep at once, so the weights forget too (else the "
                                                          "next night does)."),
           user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Forget diary entries: list what matches QUERY, then forget the chosen ones (--entry ID) or all (--yes).

    A forgotten entry becomes a tombstone in the diary (its id and time, nothing it said),
    leaves the index and every replay example that came from it; the next night (or --now)
    rebuilds the adapter from the last one before it learned the entry, learning the rest again.
    """
    with _guard(as_json):
        if not query and not entries:
            raise CliError("say what to forget: `reverie forget \"my old address\"` lists the matches, then "
                           "`--entry ID` forgets one (or `--yes` all shown)")
        agent = _agent(user, home)
        shown = [h.to_json() for h in agent.index.search(query, k=k)] if query else []
        chosen = list(entries or []) + ([h["id"] for h in shown] if yes else [])
        unknown = [e for e in entries or [] if agent.diary.get(e) is None]
        if unknown:
            raise CliError(f"no diary entry {', '.join(unknown)}; `reverie forget QUERY` lists ids")
        result = agent.forget(chosen) if chosen else {"forgotten": [], "examples_removed": 0}
        payload = {"matches": shown, **result, "night": None}
        if now and result["forgotten"]:
            import os

            from graphs.night import Night, summary

            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            with SleepProgress(enabled=not as_json) as progress, _noticed(agent, "sleep"):
                payload["night"] = summary(Night(agent, on_event=progress.event).run())

        def show(p):
            for h in p["matches"]:
                mark = "forgotten" if h["id"] in p["forgotten"] else ""
                typer.echo(f"{h['id']}  {h['date']}  {h['kind']:<8} {h['text'][:90]}  {mark}")
            if p["forgotten"]:
                typer.secho(f"forgot {len(p['forgotten'])} entries ({p['examples_removed']} training examples "
                            "removed)", dim=True, err=True)
            elif p["matches"]:
                typer.secho("nothing forgotten yet: add --entry ID (repeatable) or --yes", dim=True, err=True)

        _emit(as_json, payload, show)


@app.command()
def ingest(files: list[str] = typer.Argument(..., help="Markdown or plain-text files (notes, writing, transcripts)."),
           user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Add documents to the diary; the next sleep learns from them."""
    from pathlib import Path

    from consolidation.collect import ingest_document, read_document

    with _guard(as_json):
        documents = [read_document(Path(name)) for name in files]  # one bad file: none is written
        agent = _agent(user, home)
        done = []
        for name, document in zip(files, documents):
            entries = ingest_document(agent.diary, Path(name), agent.chemistry.load().snapshot(), document)
            agent.index.add(entries)
            done.append({"file": name, "notes": len(entries), "ids": [e.id for e in entries]})
        _emit(as_json, {"ingested": done},
              lambda p: [typer.echo(f"{d['file']}: {d['notes']} notes") for d in p["ingested"]])


@adapters_app.command("list")
def adapters_list(user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Every adapter version with its status and self-test."""
    with _guard(as_json):
        store = _agent(user, home).adapters
        current, rows = store.current(), store.summaries()

        def show(p):
            for r in p["adapters"] or [{"version": "none yet", "status": "run `reverie sleep`"}]:
                mark = "*" if r.get("current") else " "
                score = f"{r['self_test']:.0%}" if r.get("self_test") is not None else "-"
                typer.echo(f"{mark} {r['version']:<8} {str(r.get('status')):<12} self-test {score:<5} "
                           f"parent {r.get('parent') or '-':<6} {r.get('night') or ''}")

        _emit(as_json, {"current": current, "adapters": rows}, show)


@adapters_app.command("show")
def adapters_show(version: str, user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """A version's manifest: lineage, data, hyperparameters, self-test, drift, checksums."""
    with _guard(as_json):
        manifest = _agent(user, home).adapters.manifest(version)
        _emit(as_json, manifest, lambda p: typer.echo(json.dumps(p, indent=2, ensure_ascii=False)))


@adapters_app.command("rollback")
def adapters_rollback(version: str, user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt,
                      as_json: bool = JsonOpt):
    """Serve VERSION again (it is verified first)."""
    with _guard(as_json):
        agent = _agent(user, home)
        store = agent.adapters
        previous = store.current()
        store.rollback(version)
        if agent.settings.system1.backend == "vllm":  # vLLM serves <user>-VERSION now, not at its next turn
            try:
                agent.brain.backend.reload()
            except ConnectionError as exc:
                raise CliError(f"rolled back to {version} in the store, but vLLM still serves the old adapter: "
                               f"{exc}") from exc
        _emit(as_json, {"current": version, "previous": previous},
              lambda p: typer.echo(f"now serving {p['current']} (was {p['previous'] or 'the bare base'})"))


# -- the wiki -----------------------------------------------------------------------------

wiki_app = typer.Typer(help="The wiki the worker maintains on idle compute: markdown nodes, proposals, merges.",
                       no_args_is_help=True)
proposals_app = typer.Typer(help="The wiki's staging queue: list, read, accept or reject proposals by hand.",
                            no_args_is_help=True)
app.add_typer(wiki_app, name="wiki")
app.add_typer(proposals_app, name="proposals")


def _wiki_home(home: Optional[str]):
    return _settings(None, home).home


def _loop(user, home, **kwargs):
    from graphs.wiki import open_loop

    return open_loop(_agent(user, home), **kwargs)


@wiki_app.command("init")
def wiki_init(path: Optional[str] = typer.Option(None, "--path", help="Adopt this folder (an Obsidian vault, a "
                                                                     "docs folder); default: the home's wiki/."),
              home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Adopt a folder of markdown notes as the wiki (nothing in it is changed), or create one."""
    with _guard(as_json):
        from wiki.store import init_wiki

        wiki, created = init_wiki(_wiki_home(home), path)
        nodes = wiki.nodes()
        payload = {"path": str(wiki.root), "created": created, "nodes": len(nodes), "skipped": wiki.skipped}
        _emit(as_json, payload, lambda p: typer.echo(
            f"wiki at {p['path']} ({'created' if p['created'] else 'adopted'}): {p['nodes']} nodes"
            + (f", {len(p['skipped'])} skipped (`reverie wiki lint` says why)" if p["skipped"] else "")))


@wiki_app.command("status")
def wiki_status(home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Nodes, links, the queue, and how far the worker's rotation has come."""
    with _guard(as_json):
        from wiki.proposals import STATES, Queue
        from wiki.store import open_wiki
        from wiki.worker import Visits

        root = _wiki_home(home)
        wiki = open_wiki(root)
        nodes = wiki.nodes()
        resolver = wiki.resolver(nodes)
        links = sum(len(n.links) for n in nodes)
        broken = sum(1 for n in nodes for l in n.links if resolver.resolve(l.target) is None)
        queue = Queue(root / "proposals")
        visits = Visits.load(root / "proposals" / "visits.json")
        payload = {"path": str(wiki.root), "nodes": len(nodes), "links": links, "broken_links": broken,
                   "skipped": len(wiki.skipped), "proposals": {st: len(queue.list(st)) for st in STATES},
                   "visited": sum(1 for n in nodes if n.id in visits.seen),
                   "last_visit": max(visits.seen.values(), default=None)}
        _emit(as_json, payload, lambda p: typer.echo(
            f"{p['path']}: {p['nodes']} nodes, {p['links']} links ({p['broken_links']} broken), "
            f"{p['skipped']} skipped; visited {p['visited']}/{p['nodes']}; proposals "
            + ", ".join(f"{k} {v}" for k, v in p["proposals"].items())))


@wiki_app.command("lint")
def wiki_lint(home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """What a reader would trip on: unreadable nodes, links that lead nowhere, nodes with no opening."""
    with _guard(as_json):
        from wiki.store import open_wiki

        wiki = open_wiki(_wiki_home(home))
        nodes = wiki.nodes()
        resolver = wiki.resolver(nodes)
        problems = [{"node": n, "problem": "unreadable", "detail": why} for n, why in wiki.skipped.items()]
        for n in nodes:
            problems += [{"node": n.id, "problem": "broken link", "detail": f"[[{l.target}]]"}
                         for l in n.links if resolver.resolve(l.target) is None]
            if not n.opening:
                problems.append({"node": n.id, "problem": "no opening", "detail": "no paragraph of prose"})
        _emit(as_json, {"nodes": len(nodes), "problems": problems}, lambda p: (
            [typer.echo(f"{x['node']}: {x['problem']}: {x['detail']}") for x in p["problems"]],
            typer.secho(f"{len(p['problems'])} problems in {p['nodes']} nodes", dim=True, err=True)))


@wiki_app.command("work")
def wiki_work(minutes: Optional[float] = typer.Option(None, "--minutes", min=0.01, help="Stop after this long."),
              max_nodes: Optional[int] = typer.Option(None, "--max-nodes", min=1, help="Visit at most this many."),
              dreams: bool = typer.Option(True, "--dreams/--no-dreams", help="Let System 1 dream between nodes."),
              user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Visit nodes (least recently visited first) and stage proposals; nothing in the wiki changes."""
    import os

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    with _guard(as_json):
        from graphs.wiki import work

        with WikiProgress(enabled=not as_json) as progress:
            report = work(_loop(user, home, dreams=dreams, on_event=progress.event), minutes=minutes,
                          max_nodes=max_nodes)
        _emit(as_json, report, lambda p: typer.echo(
            f"visited {p['visited']}/{p['nodes']} nodes in {p['seconds']:.0f}s; proposed "
            + (", ".join(f"{n} {k}" for k, n in p["proposed"].items()) or "nothing")))


@wiki_app.command("review")
def wiki_review(max_n: Optional[int] = typer.Option(None, "--max", min=1, help="Review at most this many."),
                user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """The heartbeat: check and judge pending proposals, merge what passes, reject the rest with a reason."""
    with _guard(as_json):
        ctx = _loop(user, home, dreams=False)
        report = ctx.heartbeat.review(max_n)

        def show(p):
            for d in p["decisions"]:
                typer.echo(f"{d['state']:8} {d['id']}: {d['reason']}")
            typer.secho(f"reviewed {p['reviewed']}: merged {p['merged']}, rejected {p['rejected']}"
                        + (f" ({p['busy']})" if p.get("busy") else ""), dim=True, err=True)

        _emit(as_json, report, show)


@wiki_app.command("show")
def wiki_show(node: str = typer.Argument(..., help="A node's id, file name, title or alias."),
              home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """A node: its front matter, links, the nodes linking to it, and its proposals."""
    with _guard(as_json):
        from wiki.proposals import Queue
        from wiki.store import open_wiki

        root = _wiki_home(home)
        wiki = open_wiki(root)
        nodes = wiki.nodes()
        resolver = wiki.resolver(nodes)
        found = resolver.resolve(node)
        if found is None:
            raise CliError(f"no node {node!r} in {wiki.root}; `reverie wiki status` counts them")
        backlinks = sorted(n.id for n in nodes if found.id in resolver.linked(n))
        proposals = [{"id": s.id, "kind": s.proposal.kind, "state": s.review.state}
                     for s in Queue(root / "proposals").list() if found.id in s.proposal.nodes]
        payload = {"id": found.id, "title": found.title, "path": str(found.path), "meta": found.meta,
                   "hash": found.hash, "opening": found.opening,
                   "links": [l.target for l in found.links], "backlinks": backlinks, "proposals": proposals}
        _emit(as_json, payload, lambda p: typer.echo(json.dumps(p, indent=2, ensure_ascii=False, default=str)))


@wiki_app.command("revert")
def wiki_revert(proposal: str = typer.Argument(..., help="A merged proposal's id."),
                user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Undo a merge: its files back as they were (refused for a file edited since)."""
    with _guard(as_json):
        from wiki.mergelog import MergeError

        try:
            payload = _loop(user, home, dreams=False).heartbeat.revert(proposal)
        except MergeError as exc:
            raise CliError(str(exc)) from None
        _emit(as_json, payload, lambda p: typer.echo(f"reverted {p['id']}: {', '.join(p['files'])}"))


@proposals_app.command("list")
def proposals_list(state: Optional[str] = typer.Option(None, "--state", help="pending, merged or rejected."),
                   home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Every proposal with its kind, state, nodes and the reason it was decided."""
    with _guard(as_json):
        from wiki.proposals import STATES, Queue

        if state is not None and state not in STATES:
            raise CliError(f"--state must be one of {', '.join(STATES)}")
        staged = Queue(_wiki_home(home) / "proposals").list(state)
        payload = {"proposals": [{"id": s.id, "kind": s.proposal.kind, "state": s.review.state,
                                  "nodes": list(s.proposal.nodes), "reason": s.review.reason,
                                  "rationale": s.proposal.rationale, "created": s.proposal.created}
                                 for s in staged]}
        _emit(as_json, payload, lambda p: [typer.echo(f"{x['state']:8} {x['kind']:9} {x['id']}  "
                                                      f"{', '.join(x['nodes'])}  {x['reason'] or x['rationale']}")
                                           for x in p["proposals"]])


@proposals_app.command("show")
def proposals_show(proposal: str, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """One proposal whole, with its review."""
    with _guard(as_json):
        from wiki.proposals import Queue

        staged = Queue(_wiki_home(home) / "proposals").get(proposal)
        if staged is None:
            raise CliError(f"no proposal {proposal!r}; `reverie proposals list` shows them")
        _emit(as_json, staged.model_dump(mode="json"),
              lambda p: typer.echo(json.dumps(p, indent=2, ensure_ascii=False)))


@proposals_app.command("accept")
def proposals_accept(proposal: str, user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt,
                     as_json: bool = JsonOpt):
    """Merge a pending proposal yourself: every check still runs, the judge does not."""
    with _guard(as_json):
        ctx = _loop(user, home, dreams=False)
        ctx.heartbeat.reviewer = "person"
        payload = ctx.heartbeat.decide(proposal, accept=True)
        _emit(as_json, payload, lambda p: typer.echo(f"{p['state']} {p['id']}: {p['reason']}"))
        if payload["state"] != "merged":
            raise typer.Exit(1)


@proposals_app.command("reject")
def proposals_reject(proposal: str, reason: str = typer.Option("rejected by a person", "--reason"),
                     user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt, as_json: bool = JsonOpt):
    """Reject a pending proposal, with your reason."""
    with _guard(as_json):
        ctx = _loop(user, home, dreams=False)
        ctx.heartbeat.reviewer = "person"
        payload = ctx.heartbeat.decide(proposal, accept=False, reason=reason)
        _emit(as_json, payload, lambda p: typer.echo(f"rejected {p['id']}: {p['reason']}"))


class WikiProgress:
    """The worker's visits as a rich progress bar (stderr)."""

    def __init__(self, enabled: bool):
        self.enabled, self.progress, self.task = enabled, None, None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=Console(stderr=True))
            self.progress.start()
            self.task = self.progress.add_task("wiki", total=None)
        return self

    def event(self, e: dict) -> None:
        if self.progress and "visited" in e:
            self.progress.update(self.task, completed=e["visited"], total=e["of"],
                                 description=f"{e['node'][:30]:30}")

    def __exit__(self, *exc):
        if self.progress:
            self.progress.stop()


# -- schedule ----------------------------------------------------------------------------

BackendOpt = typer.Option("auto", "--backend", help="auto: a systemd user timer where one answers, else crontab; "
                          "or systemd, cron.")


def _schedule(action: str, backend: str, user, home, as_json: bool) -> None:
    """Run one scheduler action for this home and user and report what is installed after it."""
    from reverie.schedule import choose, plan_from

    with _guard(as_json):
        settings = _settings(user, home)
        plan = plan_from(settings)
        outcome = getattr(choose(backend), action)(plan)
        _emit(as_json, outcome.to_json(user=plan.user, home=str(plan.home)), _show_schedule)


def _show_schedule(p: dict) -> None:
    for e in p["removed"]:
        typer.echo(f"removed  {e['name']:<8} {e['when']:<12} ({p['backend']})")
    if not p["installed"] and not p["removed"]:
        typer.echo(f"nothing scheduled with {p['backend']} for {p['user']} in {p['home']} "
                   "(`reverie schedule install` adds the nightly and weekly runs)")
    for e in p["installed"]:
        state = {True: "", False: "  (not enabled)", None: ""}[e.get("enabled")]
        typer.echo(f"{e['name']:<8} {e['when']:<12} {p['backend']}: {e['where']}{state}")
        typer.secho(f"         {e['line']}", dim=True)
    for note in p["notes"]:
        typer.secho(f"note: {note}", fg=typer.colors.YELLOW, err=True)


@schedule_app.command("install")
def schedule_install(backend: str = BackendOpt, user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt,
                     as_json: bool = JsonOpt):
    """Install the nightly sleep and the weekly pass at idle CPU and I/O priority (again: replaces them)."""
    _schedule("install", backend, user, home, as_json)


@schedule_app.command("remove")
def schedule_remove(backend: str = BackendOpt, user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt,
                    as_json: bool = JsonOpt):
    """Remove this home's and user's runs; every other crontab line or unit stays as it was."""
    _schedule("remove", backend, user, home, as_json)


@schedule_app.command("show")
def schedule_show(backend: str = BackendOpt, user: Optional[str] = UserOpt, home: Optional[str] = HomeOpt,
                  as_json: bool = JsonOpt):
    """Print the runs installed for this home and user."""
    _schedule("show", backend, user, home, as_json)


SetOpt = typer.Option(None, "--set", help="A setting for the evaluated agents, KEY=VALUE with a dotted key "
                                          "(repeatable), e.g. --set sleep.iterations_per_cycle=20.")


KeepOpt = typer.Option(None, "--keep-homes", help="Keep the evaluated agents' homes (diary, adapters) under this "
                                                   "directory; by default they are temporary and removed.")


def _keep(path: Optional[str]):
    from pathlib import Path

    return Path(path) if path else None


def _overrides(sets: Optional[list[str]]) -> dict:
    """--set sleep.iterations_per_cycle=20 → {"sleep": {"iterations_per_cycle": 20}} (values parsed as JSON if they can be)."""
    out: dict = {}
    for item in sets or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise CliError(f"--set {item!r}: expected KEY=VALUE, e.g. --set sleep.iterations_per_cycle=20")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        *groups, last = key.strip().split(".")
        node = out
        for g in groups:
            node = node.setdefault(g, {})
        node[last] = value
    if out:
        _settings(None, None, **out)  # a bad key or value is reported now, not after an hour of play
    return out


def _days_files(days: list[str]):
    from pathlib import Path

    missing = [d for d in days if not Path(d).is_file()]
    if missing:
        raise CliError(f"no such days file: {', '.join(missing)}")
    return [Path(d) for d in days]


@eval_app.command("ablation")
def eval_ablation(days: list[str] = typer.Option(..., "--days", help="Days files (shared/benchmarks/days format)."),
                  out: Optional[str] = typer.Option(None, "--out", help="Write report.md, plots and JSON here."),
                  sets: Optional[list[str]] = SetOpt, keep_homes: Optional[str] = KeepOpt,
                  as_json: bool = JsonOpt):
    """Play the same days with System 1 on (sleeping) and off, in fresh homes; compare recall, verdicts, latency."""
    from pathlib import Path

    from eval.ablation import run

    with _guard(as_json):
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        result = run(_days_files(days), Path(out) if out else None, settings_overrides=_overrides(sets), progress=say,
                     keep_homes=_keep(keep_homes))

        def show(p):
            for arm in ("on", "off"):
                a = p["arms"][arm]
                typer.echo(f"System 1 {arm:<3} recall {a['recall']:.0%}  median turn {a['latency_median']} s  "
                           f"verdicts {a['verdicts']}")
            typer.echo(f"delta recall {p['delta_recall']:+.0%}   {p['seconds']} s")

        _emit(as_json, result, show)


@eval_app.command("retention")
def eval_retention(days: list[str] = typer.Option(..., "--days", help="Days files (shared/benchmarks/days format)."),
                   arms: str = typer.Option("none,rag,dream,both", help="Comma-separated: none, rag, dream, both."),
                   out: Optional[str] = typer.Option(None, "--out", help="Write report.md, plots and JSON here."),
                   never_said: Optional[str] = typer.Option(None, "--never-said", help="Also ask each arm these "
                                                            "questions nobody answered (eval/never-said.json): "
                                                            "its hallucination rate on them."),
                   sets: Optional[list[str]] = SetOpt, keep_homes: Optional[str] = KeepOpt,
                   as_json: bool = JsonOpt):
    """Play each day, sleep after each, then ask every probe in each arm (fresh homes)."""
    from pathlib import Path

    from eval.retention import run

    with _guard(as_json):
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        result = run(_days_files(days), [a.strip() for a in arms.split(",") if a.strip()],
                     Path(out) if out else None, settings_overrides=_overrides(sets), progress=say,
                     keep_homes=_keep(keep_homes), never_said=Path(never_said) if never_said else None)

        def show(p):
            for arm, s in p["arms"].items():
                typer.echo(f"{arm:<6} recall {s['recall']:.0%}  " +
                           "  ".join(f"{k} {v:.0%}" for k, v in s["by_kind"].items() if v is not None) +
                           (f"  never-said hallucination {s['never_said']:.0%}" if s.get("never_said") is not None
                            else ""))
            typer.echo("nights (closed-book): " + "  ".join(f"{x:.0%}" for x in p["nights"] if x is not None))
            typer.echo(f"drift {p['drift']['ratio']}x   {p['seconds']} s")

        _emit(as_json, result, show)


@eval_app.command("forget")
def eval_forget(days: str = typer.Option(..., "--days", help="A days file (shared/benchmarks/days format)."),
                forget_n: int = typer.Option(2, "--forget", min=1, help="How many recalled facts to forget."),
                nights: Optional[int] = typer.Option(None, "--nights", min=1, help="Play only the first N days."),
                out: Optional[str] = typer.Option(None, "--out", help="Write the JSON here."),
                sets: Optional[list[str]] = SetOpt, keep_homes: Optional[str] = KeepOpt, as_json: bool = JsonOpt):
    """Play and sleep, forget facts System 1 recalls, sleep once more: are they gone, and is the rest kept?"""
    from pathlib import Path

    from eval.forget import forget_eval, forget_table
    from eval.retention import fresh_home

    with _guard(as_json):
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        [path] = _days_files([days])
        with fresh_home(_keep(keep_homes), "reverie-forget-") as home:
            result = forget_eval(path, home, _overrides(sets), forget=forget_n, days=nights, progress=say)
        if out:
            Path(out).mkdir(parents=True, exist_ok=True)
            (Path(out) / "forget.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        _emit(as_json, result, lambda p: typer.echo(forget_table(p)))


@eval_app.command("curation")
def eval_curation(days: list[str] = typer.Option(..., "--days", help="Days files, or the LoCoMo release zip "
                                                 "(shared/benchmarks/locomo10/locomo10.zip)."),
                  more: Optional[list[str]] = typer.Argument(None, help="More days files: --days A B C.",
                                                             show_default=False),
                  conversations: Optional[int] = typer.Option(None, "--conversations", min=1,
                                                              help="Of a LoCoMo zip, only the first N."),
                  out: Optional[str] = typer.Option(None, "--out", help="Write curation.json here."),
                  as_json: bool = JsonOpt):
    """Curate each days file night by night (no training): can the trained examples answer the probes?"""
    from pathlib import Path

    from eval.curation import run

    with _guard(as_json):
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        result = run(_days_files(days + (more or [])), Path(out) if out else None, conversations=conversations,
                     progress=say)

        def show(p):
            pct = lambda x: "-" if x is None else f"{x:.1%}"  # noqa: E731
            for f in p["files"] + [{"name": "total", **p["total"], "final_examples": [None] * p["total"]["examples"]}]:
                typer.echo(f"{f['name']:<24} probes {f['probes']:>4}  covered {pct(f['covered']):>6}  "
                           f"nearest {pct(f['nearest']):>6}  leaked {f['leaked']:>2}  "
                           f"examples {len(f['final_examples'])}")
            typer.echo(f"{p['seconds']} s")

        _emit(as_json, result, show)


@eval_app.command("surprise")
def eval_surprise(days: str = typer.Option(..., "--days", help="A days file (shared/benchmarks/days format)."),
                  turns: int = typer.Option(40, "--turns", help="Turns sampled (seeded) for the measure."),
                  samples: int = typer.Option(5, "--samples", help="System 2's own associations per turn."),
                  no_sleep: bool = typer.Option(False, "--no-sleep", help="Skip the nights (System 1 stays the "
                                                "bare base: a control, and much faster)."),
                  seed: int = typer.Option(0, "--seed", help="Seeds the agent, the turn sample and System 2."),
                  out: Optional[str] = typer.Option(None, "--out", help="Write report.md, plots and JSON here."),
                  sets: Optional[list[str]] = SetOpt, keep_homes: Optional[str] = KeepOpt,
                  as_json: bool = JsonOpt):
    """How often System 1 says what System 2 would not have said on its own (fresh home)."""
    from pathlib import Path

    from eval.surprise import SurpriseArgs, run

    with _guard(as_json):
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        args = SurpriseArgs(turns=turns, samples=samples, sleep=not no_sleep, seed=seed)
        result = run(_days_files([days])[0], args, Path(out) if out else None, settings_overrides=_overrides(sets),
                     progress=say, keep_homes=_keep(keep_homes))

        def show(p):
            pct = lambda x: "-" if x is None else f"{x:.1%}"  # noqa: E731
            typer.echo(f"surprise {pct(p['surprise_rate'])} [{pct(p['ci95'][0])}, {pct(p['ci95'][1])}]   "
                       f"useful {pct(p['useful_surprise_rate'])} [{pct(p['useful_ci95'][0])}, "
                       f"{pct(p['useful_ci95'][1])}]   over {p['turns']} turns")
            typer.echo(f"threshold {p['threshold']} (p{p['calibration']['percentile']:g} of System 2's own "
                       f"resamples), {p['method']}   {p['seconds']} s")

        _emit(as_json, result, show)


@eval_app.command("locomo")
def eval_locomo(data: str = typer.Option(..., "--data", help="The LoCoMo release zip (shared/benchmarks/locomo10)."),
                conversations: int = typer.Option(1, "--conversations", min=1, help="How many conversations, in id "
                                                  "order (each in a fresh home)."),
                max_questions: int = typer.Option(30, "--max-questions", min=0, help="Per conversation, a seeded "
                                                  "sample stratified by category; 0: every askable question."),
                max_sessions: Optional[int] = typer.Option(None, "--max-sessions", min=1, help="Play only the first "
                                                           "N sessions (questions about later ones are not asked)."),
                sessions_per_night: int = typer.Option(1, "--sessions-per-night", min=1,
                                                       help="Sessions played between two sleeps."),
                arms: str = typer.Option("rag,dream,both", help="Comma-separated: rag, dream, both."),
                seed: int = typer.Option(0, "--seed", help="Seeds the question sample, training and generation."),
                out: Optional[str] = typer.Option(None, "--out", help="Write report.md, plots and JSON here."),
                sets: Optional[list[str]] = SetOpt, keep_homes: Optional[str] = KeepOpt,
                as_json: bool = JsonOpt):
    """Play LoCoMo's sessions as days with a sleep after each, then score the questions by category (F1)."""
    from pathlib import Path

    from eval.locomo import LocomoArgs, run

    with _guard(as_json):
        args = LocomoArgs(conversations=conversations, max_questions=max_questions, max_sessions=max_sessions,
                          sessions_per_night=sessions_per_night, seed=seed,
                          arms=tuple(a.strip() for a in arms.split(",") if a.strip()))
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        # The fresh homes use the configured models, not a conversion of their own.
        overrides = {"models_dir": str(_settings(None).models_path), **_overrides(sets)}
        result = run(Path(data), args, Path(out) if out else None, settings_overrides=overrides, progress=say,
                     homes=_keep(keep_homes))

        def show(p):
            for arm, s in p["arms"].items():
                typer.echo(f"{arm:<6} F1 {s['overall']}  " + "  ".join(f"{k} {v}" for k, v in s["f1"].items()))
            typer.echo(f"{len(p['nights'])} nights, {sum(s['sessions_played'] for s in p['played'])} sessions   "
                       f"{p['seconds']['total']} s")

        _emit(as_json, result, show)


@eval_app.command("wiki")
def eval_wiki(nodes: int = typer.Option(1000, "--nodes", min=1, help="Nodes in the WordNet wiki built for the run."),
              seed: int = typer.Option(0, "--seed", help="Seeds the wiki: the same seed, the same files."),
              minutes: Optional[float] = typer.Option(None, "--minutes", min=0.01, help="Bound the worker's run; the "
                                                      "full cycle is then extrapolated from the share visited."),
              review_max: Optional[int] = typer.Option(None, "--review-max", min=0, help="Review at most N proposals "
                                                       "(default: the whole queue)."),
              review_minutes: Optional[float] = typer.Option(None, "--review-minutes", min=0.01,
                                                             help="Bound the heartbeat's run."),
              stale_days: Optional[str] = typer.Option(None, "--stale-days", help="Days file for the staleness check "
                                                       "(default: shared/benchmarks/days/persona-a.json)."),
              no_stale: bool = typer.Option(False, "--no-stale", help="Skip the staleness check."),
              links: str = typer.Option("definitions", "--links", help="The worker's evidence for a crosslink: "
                                        "definitions, mentions or neighbours (the setting wiki.links)."),
              out: Optional[str] = typer.Option(None, "--out", help="Write report.md, plots and JSON here."),
              keep_homes: Optional[str] = KeepOpt, as_json: bool = JsonOpt):
    """The wiki worker and heartbeat on a WordNet wiki with known answers: precision, pace, planted faults."""
    from pathlib import Path

    from eval.wiki import PERSONA, WikiEvalArgs, run

    with _guard(as_json):
        days = None if no_stale else (_days_files([stale_days])[0] if stale_days else PERSONA)
        if days is not None and not days.is_file():
            raise CliError(f"no days file for the staleness check at {days}; pass --stale-days FILE or --no-stale")
        args = WikiEvalArgs(nodes=nodes, seed=seed, minutes=minutes, review_max=review_max,
                            review_minutes=review_minutes, stale_days=days, links=links)
        say = (lambda m: typer.secho(m, dim=True, err=True)) if not as_json else (lambda m: None)
        result = run(args, Path(out) if out else None, progress=say, keep_homes=_keep(keep_homes))

        def show(p):
            for name, t in p["targets"].items():
                typer.echo(f"{name:<20} {t['value']!s:>10}  {t['target']:<8} "
                           f"{'-' if t['met'] is None else 'met' if t['met'] else 'MISSED'}")
            st = p["stale_check"]
            if st:
                typer.echo(f"stale check ({st['name']}): {st['flagged']} of {st['expected_flags']} flagged, "
                           f"{st['updates_flagged']} of {st['updates_expected']} updates")
            typer.echo(f"{p['seconds']} s")

        _emit(as_json, result, show)


def main() -> None:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()
