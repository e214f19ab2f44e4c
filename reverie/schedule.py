"""Hand the nightly and weekly runs to the machine's own scheduler.

The daemon only sleeps while it runs; a scheduler entry runs the night even when nothing
of reverie is up. Where a systemd user instance answers, the runs become user timers
(`Persistent=true` catches up a night the laptop slept through); otherwise they become
crontab lines. Both run at the lowest CPU and I/O priority (DESIGN.md: sleep is a good
neighbour).

Ownership is explicit, because a crontab is shared with everything else the user runs:
every line or unit file reverie writes carries a marker `reverie:<home>:<user>:<job>`.
`install` replaces, `remove` deletes and `show` lists only what carries this home's and
this user's marker, so every other line of the crontab survives byte for byte and two
homes never touch each other's runs.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from cognition.home import Home, atomic_write_text

BACKENDS = ("auto", "systemd", "cron")
CRON_WEEKDAY = {"Sun": 0, "Mon": 1, "Tue": 2, "Wed": 3, "Thu": 4, "Fri": 5, "Sat": 6}
TIMEOUT_S = 30
NO_SCHEDULER = ("neither a systemd user instance (`systemctl --user` reaches no bus) nor a `crontab` command is "
                "here: install cron (e.g. `sudo apt install cron`), or run this inside a login session with "
                "systemd user services (`loginctl enable-linger $USER` keeps them after logout), then run it again")


class ScheduleError(Exception):
    """A scheduler refused or is missing; the message says what to do."""


@dataclass(frozen=True)
class Job:
    """One recurring run: `reverie <command>` at `hour`:00, every day or on `day`."""

    name: str
    command: str
    hour: int
    day: Optional[str] = None

    @property
    def when(self) -> str:
        return f"{self.hour:02d}:00 {self.day or 'daily'}"


@dataclass(frozen=True)
class Plan:
    """What to schedule for one home and user, and with which interpreter."""

    home: Path
    user: str
    python: str
    jobs: tuple[Job, ...]
    models_dir: Optional[Path] = None

    def __post_init__(self):
        # A newline would split a crontab line (or a unit file line) in two.
        for label, value in (("home", self.home), ("python", self.python), ("models_dir", self.models_dir)):
            if value is not None and ("\n" in str(value) or "\r" in str(value)):
                raise ScheduleError(f"{label}={str(value)!r} contains a line break; pick a path without one")

    def argv(self, job: Job) -> list[str]:
        return [self.python, "-m", "reverie", job.command, "--user", self.user, "--home", str(self.home)]

    def marker(self, job_name: str) -> str:
        return f"reverie:{self.home}:{self.user}:{job_name}"

    def owns(self, marker: str) -> bool:
        prefix = f"reverie:{self.home}:{self.user}:"
        rest = marker[len(prefix):]
        return marker.startswith(prefix) and bool(rest) and ":" not in rest

    @property
    def log(self) -> Path:
        return Home(self.home).user(self.user).root / "logs" / "schedule.log"


def plan_from(settings, python: Optional[str] = None) -> Plan:
    """The nightly sleep and the weekly pass at the hours and day the settings name."""
    s = settings.sleep
    jobs = (Job("nightly", "sleep", s.nightly_hour), Job("weekly", "weekly", s.weekly_hour, s.weekly_day))
    # The venv's own interpreter, not its resolved target: the venv's packages come with it.
    python = python or os.path.abspath(sys.executable)
    return Plan(Path(settings.home).expanduser().absolute(), settings.user, python, jobs, settings.models_dir)


@dataclass
class Entry:
    """One installed run, as `show` reports it."""

    name: str
    when: str
    line: str
    where: str
    enabled: Optional[bool] = None

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class Outcome:
    backend: str
    installed: list[Entry]
    removed: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self, **extra) -> dict:
        return {"backend": self.backend, **extra, "installed": [e.to_json() for e in self.installed],
                "removed": [e.to_json() for e in self.removed], "notes": self.notes}


def _run(argv: list[str], stdin: Optional[bytes] = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise ScheduleError(f"`{' '.join(argv)}` did not answer within {TIMEOUT_S}s; is the scheduler hung?") from exc


def _stderr(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.decode("utf-8", "replace").strip()


# -- crontab ---------------------------------------------------------------------------

_MARKER = re.compile(r"\s#\s(reverie:.*)$")


def cron_escape(text: str) -> str:
    """cron turns an unescaped `%` into a newline (crontab(5)); keep it a percent sign."""
    return text.replace("%", r"\%")


class CronBackend:
    """Lines in the user's crontab, read with `crontab -l` and written with `crontab -`."""

    name = "cron"

    def __init__(self, crontab: str = "crontab", nice: Optional[str] = "nice", ionice: Optional[str] = "ionice"):
        self.crontab = shutil.which(crontab)
        if not self.crontab:
            raise ScheduleError(f"no `{crontab}` command here; install cron (e.g. `sudo apt install cron`) "
                                "or use `--backend systemd`")
        # cron's PATH is short (/usr/bin:/bin): name the priority tools by their full path.
        self.nice = shutil.which(nice) if nice else None
        self.ionice = shutil.which(ionice) if ionice else None

    def render(self, plan: Plan, job: Job) -> str:
        weekday = "*" if job.day is None else str(CRON_WEEKDAY[job.day])
        argv = ([self.nice, "-n", "19"] if self.nice else []) + ([self.ionice, "-c", "3"] if self.ionice else [])
        argv += plan.argv(job)
        env = f"REVERIE_MODELS_DIR={shlex.quote(str(plan.models_dir))} " if plan.models_dir else ""
        command = f"{env}{shlex.join(argv)} >> {shlex.quote(str(plan.log))} 2>&1"
        return cron_escape(f"0 {job.hour} * * {weekday} {command} # {plan.marker(job.name)}")

    def read(self) -> str:
        """The crontab as `crontab -l` prints it ('' when there is none); bytes kept exact."""
        proc = _run([self.crontab, "-l"])
        if proc.returncode == 0:
            return proc.stdout.decode("utf-8", "surrogateescape")
        if "no crontab" in _stderr(proc).lower():
            return ""
        raise ScheduleError(f"`crontab -l` failed ({proc.returncode}): {_stderr(proc)}")

    def write(self, text: str) -> None:
        if text == "":
            proc = _run([self.crontab, "-r"])
            if proc.returncode != 0 and "no crontab" not in _stderr(proc).lower():
                raise ScheduleError(f"`crontab -r` failed ({proc.returncode}): {_stderr(proc)}")
            return
        if not text.endswith("\n"):
            text += "\n"  # crontab rejects a last line without its newline ("premature EOF")
        proc = _run([self.crontab, "-"], stdin=text.encode("utf-8", "surrogateescape"))
        if proc.returncode != 0:
            raise ScheduleError(f"`crontab -` refused the new crontab ({proc.returncode}): {_stderr(proc)}; "
                                "it was left as it was")

    @staticmethod
    def _owner(line: str, plan: Plan) -> Optional[str]:
        """The job name when `line` is one of this plan's lines, else None."""
        found = _MARKER.search(line)
        if not found:
            return None
        marker = found.group(1)
        return marker.rsplit(":", 1)[1] if plan.owns(marker) or plan.owns(marker.replace(r"\%", "%")) else None

    def _entry(self, name: str, line: str) -> Entry:
        fields = line.split(None, 5)
        try:
            day = None if fields[4] == "*" else {v: k for k, v in CRON_WEEKDAY.items()}[int(fields[4])]
            when = Job(name, "", int(fields[1]), day).when if fields[0] == "0" else " ".join(fields[:5])
        except (IndexError, KeyError, ValueError):
            when = " ".join(fields[:5])  # edited by hand: report the schedule as written
        return Entry(name, when, line, "crontab")

    def show(self, plan: Plan) -> Outcome:
        lines = self.read().split("\n")
        entries = [self._entry(n, line) for line in lines if (n := self._owner(line, plan))]
        return Outcome(self.name, entries, notes=_cron_notes() if entries else [])

    def install(self, plan: Plan) -> Outcome:
        current = self.read()
        kept = self._without(current, plan)
        if kept and not kept.endswith("\n"):
            kept += "\n"
        lines = [self.render(plan, job) for job in plan.jobs]
        plan.log.parent.mkdir(parents=True, exist_ok=True)  # the `>>` redirection needs it
        self.write(kept + "".join(line + "\n" for line in lines))
        installed = self.show(plan)
        if [e.line for e in installed.installed] != lines:
            raise ScheduleError("the crontab does not read back as written; check `crontab -l`")
        return installed

    def remove(self, plan: Plan) -> Outcome:
        current = self.read()
        removed = self.show(plan).installed
        if removed:
            self.write(self._without(current, plan))
        return Outcome(self.name, self.show(plan).installed, removed)

    def _without(self, text: str, plan: Plan) -> str:
        return "\n".join(line for line in text.split("\n") if not self._owner(line, plan))


def _cron_notes() -> list[str]:
    """Say so when no cron daemon runs: the lines are then written but never fire."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    for comm in proc.glob("[0-9]*/comm"):
        try:
            if comm.read_text().strip() in ("cron", "crond", "cronie", "fcron", "busybox"):
                return []
        except OSError:
            continue
    return ["no cron daemon is running on this machine, so these lines fire only once one runs "
            "(e.g. `sudo service cron start`)"]


# -- systemd user timers ---------------------------------------------------------------


def default_unit_dir() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".config") / "systemd" / "user"


def _unit_escape(text: str) -> str:
    """`%` starts a specifier in every unit-file value (systemd.unit(5))."""
    return text.replace("%", "%%")


def _exec_quote(arg: str) -> str:
    """One ExecStart argument: quoted when it needs it, `$` kept literal (systemd.service(5))."""
    arg = _unit_escape(arg).replace("$", "$$")
    if arg and not re.search(r'[\s"\'\\;]', arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def on_calendar(job: Job) -> str:
    return f"{job.day + ' ' if job.day else ''}*-*-* {job.hour:02d}:00:00"


def render_units(plan: Plan, job: Job) -> dict[str, str]:
    """The .service and .timer for one job, as text, keyed by file name."""
    unit = f"reverie-{job.name}"
    head = (f"# {plan.marker(job.name)}\n"
            "# Written by `reverie schedule install`; `reverie schedule remove` deletes it.\n")
    what = _unit_escape(f"reverie {job.name} ({job.command}) for {plan.user} in {plan.home}")
    env = [f"REVERIE_HOME={plan.home}"] + ([f"REVERIE_MODELS_DIR={plan.models_dir}"] if plan.models_dir else [])
    service = (f"{head}[Unit]\nDescription={what}\n\n[Service]\nType=oneshot\n"
               "Nice=19\nIOSchedulingClass=idle\nCPUSchedulingPolicy=idle\n"
               + "".join(f"Environment={_exec_quote(e)}\n" for e in env)
               + f"ExecStart={' '.join(_exec_quote(a) for a in plan.argv(job))}\n")
    timer = (f"{head}[Unit]\nDescription={what} at {job.when}\n\n[Timer]\nOnCalendar={on_calendar(job)}\n"
             f"Persistent=true\nUnit={unit}.service\n\n[Install]\nWantedBy=timers.target\n")
    return {f"{unit}.service": service, f"{unit}.timer": timer}


def _marker_of(path: Path) -> Optional[str]:
    try:
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    except (OSError, UnicodeDecodeError):
        return None
    return first[2:] if first.startswith("# reverie:") else None  # a comment: no % specifiers


def _value(text: str, key: str) -> str:
    found = re.search(rf"^{key}=(.*)$", text, re.M)
    return found.group(1) if found else ""


class SystemdBackend:
    """User timers in `$XDG_CONFIG_HOME/systemd/user`, enabled through `systemctl --user`."""

    name = "systemd"

    def __init__(self, unit_dir: Optional[Path] = None, systemctl: str = "systemctl"):
        self.unit_dir = Path(unit_dir) if unit_dir else default_unit_dir()
        self.systemctl = shutil.which(systemctl)

    def reachable(self) -> bool:
        """Whether a user systemd instance answers (it does not in a container or over plain ssh)."""
        if not self.systemctl:
            return False
        try:
            return _run([self.systemctl, "--user", "show-environment"]).returncode == 0
        except ScheduleError:
            return False

    def _ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = _run([self.systemctl, "--user", *args])
        if check and proc.returncode != 0:
            raise ScheduleError(f"`systemctl --user {' '.join(args)}` failed ({proc.returncode}): {_stderr(proc)}")
        return proc

    def _owned(self, plan: Plan) -> list[Path]:
        if not self.unit_dir.is_dir():
            return []
        return sorted(p for p in self.unit_dir.glob("reverie-*.*")
                      if p.suffix in (".service", ".timer") and (m := _marker_of(p)) and plan.owns(m))

    def show(self, plan: Plan) -> Outcome:
        live = self.reachable()
        entries = []
        for timer in (p for p in self._owned(plan) if p.suffix == ".timer"):
            name = _marker_of(timer).rsplit(":", 1)[1]
            service = timer.with_suffix(".service")
            calendar = _value(timer.read_text(encoding="utf-8"), "OnCalendar")
            line = _value(service.read_text(encoding="utf-8"), "ExecStart") if service.is_file() else ""
            enabled = (self._ctl("is-enabled", timer.name, check=False).returncode == 0) if live else None
            entries.append(Entry(name, _calendar_when(calendar), line, str(timer), enabled))
        return Outcome(self.name, entries)

    def install(self, plan: Plan) -> Outcome:
        units = {name: text for job in plan.jobs for name, text in render_units(plan, job).items()}
        for name in units:  # refuse before writing anything: another home's runs stay intact
            marker = _marker_of(self.unit_dir / name)
            if (self.unit_dir / name).exists() and not (marker and plan.owns(marker)):
                owner = f"is {marker}" if marker else "was not written by reverie"
                raise ScheduleError(f"{self.unit_dir / name} already exists and {owner}; remove it first "
                                    "(`reverie schedule remove` with that home and user)")
        for name, text in units.items():
            atomic_write_text(self.unit_dir / name, text)
        timers = [n for n in units if n.endswith(".timer")]
        notes = []
        if self.reachable():
            self._ctl("daemon-reload")
            self._ctl("enable", "--now", *timers)
        else:
            notes.append(f"no systemd user instance answers here, so the units were written to {self.unit_dir} "
                         f"but not enabled; in a login session run `systemctl --user daemon-reload && "
                         f"systemctl --user enable --now {' '.join(timers)}`")
        outcome = self.show(plan)
        outcome.notes = notes
        return outcome

    def remove(self, plan: Plan) -> Outcome:
        removed = self.show(plan).installed
        owned = self._owned(plan)
        live = self.reachable()
        if live:
            timers = [p.name for p in owned if p.suffix == ".timer"]
            if timers:
                self._ctl("disable", "--now", *timers, check=False)  # already disabled is fine
        for path in owned:
            path.unlink(missing_ok=True)
        if live and owned:
            self._ctl("daemon-reload")
        return Outcome(self.name, self.show(plan).installed, removed)


def _calendar_when(calendar: str) -> str:
    found = re.fullmatch(r"(?:(\w{3}) )?\*-\*-\* (\d\d):00:00", calendar.strip())
    return Job("", "", int(found.group(2)), found.group(1)).when if found else calendar


# -- choosing ----------------------------------------------------------------------------


def choose(kind: str = "auto", unit_dir: Optional[Path] = None, systemctl: str = "systemctl",
           crontab: str = "crontab"):
    """The scheduler to use: a systemd user instance where one answers, else cron."""
    if kind not in BACKENDS:
        raise ScheduleError(f"backend={kind!r}: use one of {', '.join(BACKENDS)}")
    if kind == "systemd":
        return SystemdBackend(unit_dir, systemctl)
    if kind == "cron":
        return CronBackend(crontab)
    systemd = SystemdBackend(unit_dir, systemctl)
    if systemd.reachable():
        return systemd
    if shutil.which(crontab):
        return CronBackend(crontab)
    raise ScheduleError(NO_SCHEDULER)

