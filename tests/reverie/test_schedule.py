"""`reverie schedule`: systemd units rendered and written, crontab lines through a `crontab` command.

The cron tests never touch the crontab of whoever runs them. They used to change the real
one and restore it afterwards, which an interrupted run (or one that failed between the
two) left edited, and which two runs at once overwrote. Now each test gets a crontab of its
own: a small `crontab` script placed first on PATH that keeps the table in one file under
`tmp_path` and answers `-l`, `-` and `-r` as cron's crontab(1) does (including "no crontab
for …" and refusing a last line without its newline). The backend and the `reverie` CLI in
a subprocess find it by PATH exactly as they find the real one.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reverie.schedule import CronBackend, Job, Plan, ScheduleError, SystemdBackend, choose, render_units

JOBS = (Job("nightly", "sleep", 3), Job("weekly", "weekly", 4, "Sat"))
FOREIGN = ("# backups, not reverie's\n"
           "MAILTO=\"\"\n"
           "\n"
           "15 2 * * * /usr/local/bin/backup --date=$(date +\\%F) >> /var/log/backup.log 2>&1\n"
           "*/5 * * * * echo 'reverie is a nice word'  \n"
           "0 3 * * * /x/python -m reverie sleep # reverie:/some/other/home:default:nightly\n")


def plan(home, user="default", python="/venv/bin/python", models_dir=None) -> Plan:
    return Plan(Path(home), user, python, JOBS, models_dir)


def crontab_l() -> tuple[int, bytes]:
    proc = subprocess.run(["crontab", "-l"], capture_output=True)
    return proc.returncode, proc.stdout


def set_crontab(text: str) -> None:
    subprocess.run(["crontab", "-"], input=text.encode(), check=True)


# crontab(1) on one file: what the tests' `crontab` command runs (the file's path is filled in).
FAKE_CRONTAB = """#!/bin/sh
table={table}
none() {{ echo "no crontab for $(id -un 2>/dev/null || echo user)" >&2; exit 1; }}
case "$1" in
  -l) [ -f "$table" ] || none; cat "$table" ;;
  -r) [ -f "$table" ] || none; rm -f "$table" ;;
  -)  cat > "$table.new" || exit 1
      if [ -s "$table.new" ] && [ -n "$(tail -c 1 "$table.new")" ]; then
        rm -f "$table.new"; echo "new crontab file is missing newline before EOF, can't install." >&2; exit 1
      fi
      mv "$table.new" "$table" ;;
  *)  echo "crontab: usage: crontab -l | crontab - | crontab -r (got: $*)" >&2; exit 2 ;;
esac
"""


@pytest.fixture
def crontab_file(tmp_path, monkeypatch) -> Path:
    """This test's own crontab (a file, absent until written), behind a `crontab` command first on PATH."""
    folder = tmp_path / "private-cron"
    folder.mkdir()
    table = folder / "crontab"
    command = folder / "crontab-bin" / "crontab"
    command.parent.mkdir()
    command.write_text(FAKE_CRONTAB.format(table=shlex.quote(str(table))))
    command.chmod(0o755)
    monkeypatch.setenv("PATH", f"{command.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert shutil.which("crontab") == str(command)  # every `crontab` below (and in the CLI's subprocess) is ours
    return table


@pytest.fixture
def crontab(crontab_file):
    """A cron backend on the test's own crontab."""
    backend = CronBackend()
    assert backend.crontab == str(crontab_file.parent / "crontab-bin" / "crontab")
    return backend


# -- systemd ------------------------------------------------------------------------------


def test_systemd_units_run_idle_at_the_configured_times():
    p = plan("/data/rev home", user="ilse", python="/venv/bin/python", models_dir="/models")
    nightly = render_units(p, JOBS[0])
    weekly = render_units(p, JOBS[1])
    assert set(nightly) == {"reverie-nightly.service", "reverie-nightly.timer"}
    service, timer = nightly["reverie-nightly.service"], nightly["reverie-nightly.timer"]
    lines = service.splitlines()
    for expected in ("Type=oneshot", "Nice=19", "IOSchedulingClass=idle", "CPUSchedulingPolicy=idle",
                     'Environment="REVERIE_HOME=/data/rev home"', "Environment=REVERIE_MODELS_DIR=/models",
                     'ExecStart=/venv/bin/python -m reverie sleep --user ilse --home "/data/rev home"'):
        assert expected in lines
    assert lines[0] == "# reverie:/data/rev home:ilse:nightly"
    assert "OnCalendar=*-*-* 03:00:00" in timer.splitlines()
    assert "Persistent=true" in timer.splitlines()
    assert "OnCalendar=Sat *-*-* 04:00:00" in weekly["reverie-weekly.timer"].splitlines()
    assert ("ExecStart=/venv/bin/python -m reverie weekly --user ilse --home \"/data/rev home\""
            in weekly["reverie-weekly.service"].splitlines())


def test_systemd_escapes_percent_and_dollar_so_the_path_arrives_as_written():
    service = render_units(plan("/h/50%$x"), JOBS[0])["reverie-nightly.service"]
    assert "ExecStart=/venv/bin/python -m reverie sleep --user default --home /h/50%%$$x" in service.splitlines()


def test_systemd_install_show_remove_in_a_private_unit_dir(tmp_path):
    units = tmp_path / "systemd" / "user"
    units.mkdir(parents=True)
    (units / "someone-else.service").write_text("[Service]\nExecStart=/bin/true\n")
    backend = SystemdBackend(unit_dir=units)
    p = plan(tmp_path / "home")

    first = backend.install(p)
    again = backend.install(p)  # idempotent: same four files, same report
    assert sorted(f.name for f in units.iterdir()) == [
        "reverie-nightly.service", "reverie-nightly.timer", "reverie-weekly.service", "reverie-weekly.timer",
        "someone-else.service"]
    assert [(e.name, e.when) for e in again.installed] == [("nightly", "03:00 daily"), ("weekly", "04:00 Sat")]
    assert first.to_json()["installed"] == again.to_json()["installed"]
    assert again.installed[0].line.endswith(f"-m reverie sleep --user default --home {tmp_path / 'home'}")
    if not backend.reachable():  # no user bus (a container): written, not enabled, and said so
        assert any("not enabled" in n for n in again.notes)

    with pytest.raises(ScheduleError, match="already exists"):
        backend.install(plan(tmp_path / "other-home"))
    assert backend.show(plan(tmp_path / "other-home")).installed == []
    assert len(backend.show(p).installed) == 2

    removed = backend.remove(p)
    assert [e.name for e in removed.removed] == ["nightly", "weekly"] and removed.installed == []
    assert [f.name for f in units.iterdir()] == ["someone-else.service"]


# -- cron ---------------------------------------------------------------------------------


def test_cron_line_runs_at_idle_priority_and_logs_under_the_user(crontab_file):
    backend = CronBackend()  # rendering reads and writes no crontab
    nice, ionice = shutil.which("nice"), shutil.which("ionice")
    prio = f"{nice} -n 19 " + (f"{ionice} -c 3 " if ionice else "")
    line = backend.render(plan("/h"), JOBS[0])
    assert line == (f"0 3 * * * {prio}/venv/bin/python -m reverie sleep --user default --home /h "
                    f">> /h/users/default/logs/schedule.log 2>&1 # reverie:/h:default:nightly")
    weekly = backend.render(plan("/h 50%", models_dir="/m"), JOBS[1])
    assert weekly.startswith("0 4 * * 6 REVERIE_MODELS_DIR=/m ")
    assert "--home '/h 50\\%' >> '/h 50\\%/users/default/logs/schedule.log' 2>&1" in weekly


def test_cron_install_is_idempotent_and_remove_keeps_every_other_line(crontab, tmp_path):
    set_crontab(FOREIGN)
    p = plan(tmp_path)
    crontab.install(p)
    crontab.install(p)
    rc, text = crontab_l()
    ours = [line for line in text.decode().splitlines() if f"# reverie:{tmp_path}:default:" in line]
    assert len(ours) == 2, text
    assert text.decode().startswith(FOREIGN)
    assert (tmp_path / "users" / "default" / "logs").is_dir()

    shown = crontab.show(p).installed
    assert [(e.name, e.when) for e in shown] == [("nightly", "03:00 daily"), ("weekly", "04:00 Sat")]
    assert [e.line for e in shown] == ours
    assert crontab.show(plan(tmp_path, user="other")).installed == []

    outcome = crontab.remove(p)
    assert [e.name for e in outcome.removed] == ["nightly", "weekly"] and outcome.installed == []
    assert crontab_l() == (0, FOREIGN.encode())
    assert crontab.remove(p).removed == []  # nothing left to remove, crontab untouched
    assert crontab_l() == (0, FOREIGN.encode())


def test_cron_remove_from_an_empty_crontab_leaves_none(crontab, crontab_file, tmp_path):
    subprocess.run(["crontab", "-r"], capture_output=True)
    crontab.install(plan(tmp_path))
    assert len(crontab_l()[1].decode().splitlines()) == 2
    crontab.remove(plan(tmp_path))
    assert crontab_l()[0] != 0  # "no crontab for …": as before the install
    assert not crontab_file.exists()


def run_json(home, *args) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVERIE_")}
    proc = subprocess.run([sys.executable, "-m", "reverie", "schedule", *args, "--home", str(home), "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, f"expected one JSON line, got {proc.stdout!r} (stderr {proc.stderr[-2000:]!r})"
    return {"rc": proc.returncode, **json.loads(lines[0])}


def test_cli_install_show_remove_round_trip_with_configured_times(crontab, crontab_file, tmp_path):
    set_crontab(FOREIGN)
    (tmp_path / "config.toml").write_text('[sleep]\nnightly_hour = 2\nweekly_day = "Sun"\nweekly_hour = 5\n')

    installed = run_json(tmp_path, "install", "--backend", "cron", "--user", "ilse")
    assert installed["rc"] == 0 and installed["backend"] == "cron" and installed["user"] == "ilse"
    assert [(e["name"], e["when"]) for e in installed["installed"]] == [("nightly", "02:00 daily"),
                                                                         ("weekly", "05:00 Sun")]
    assert installed["installed"][0]["line"].startswith("0 2 * * * ")
    assert installed["installed"][1]["line"].startswith("0 5 * * 0 ")
    assert f"-m reverie weekly --user ilse --home {tmp_path}" in installed["installed"][1]["line"]
    # the CLI's own process wrote this test's crontab, after the lines that were there
    assert crontab_file.read_text() == FOREIGN + "".join(e["line"] + "\n" for e in installed["installed"])

    shown = run_json(tmp_path, "show", "--backend", "cron", "--user", "ilse")
    assert shown["installed"] == installed["installed"]
    assert run_json(tmp_path, "show", "--backend", "cron")["installed"] == []  # user "default" has none

    removed = run_json(tmp_path, "remove", "--backend", "cron", "--user", "ilse")
    assert removed["installed"] == [] and len(removed["removed"]) == 2
    assert run_json(tmp_path, "show", "--backend", "cron", "--user", "ilse")["installed"] == []
    assert crontab_l() == (0, FOREIGN.encode())


def test_cli_rejects_a_misspelt_weekday_naming_the_field(crontab_file, tmp_path):
    (tmp_path / "config.toml").write_text('[sleep]\nweekly_day = "Saturday"\n')
    out = run_json(tmp_path, "show", "--backend", "cron")
    assert out["rc"] == 1 and "sleep.weekly_day" in out["error"]


def test_no_scheduler_says_what_to_install():
    with pytest.raises(ScheduleError, match="install cron"):
        choose("auto", systemctl="reverie-no-such-systemctl", crontab="reverie-no-such-crontab")
    with pytest.raises(ScheduleError, match="backend='launchd'"):
        choose("launchd")


def test_a_home_with_a_line_break_is_refused_before_it_splits_a_crontab_line():
    with pytest.raises(ScheduleError, match="line break"):
        plan("/tmp/a\n* * * * * rm -rf ~")
