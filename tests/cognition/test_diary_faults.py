"""The diary under a full disk and under several processes writing at once: nothing lost, nothing
half-written, nothing interleaved."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from cognition.diary import Diary

T0 = datetime(2026, 3, 14, 9, 0, tzinfo=timezone.utc)

# A full disk, made real with the kernel's file-size limit: the file may grow by `room` bytes more,
# so the entry's first bytes go in and the write then fails (EFBIG).
FULL = """
import resource, signal, sys
from datetime import datetime, timezone
from pathlib import Path
from cognition.diary import Diary

folder, room, text = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
day = folder / "2026-03-14.md"
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (day.stat().st_size + room, resource.RLIM_INFINITY))
try:
    Diary(folder).write("note", text * 2000, when=datetime(2026, 3, 14, 10, 0, tzinfo=timezone.utc))
except OSError as exc:
    print(exc)
    sys.exit(3)
"""


def test_a_full_disk_in_the_middle_of_an_append_leaves_the_diary_as_it_was(tmp_path):
    diary = Diary(tmp_path / "memory")
    kept = diary.write("note", "My sister lives in Narvik.", when=T0)
    day = tmp_path / "memory" / "2026-03-14.md"
    before = day.read_bytes()
    full = subprocess.run([sys.executable, "-c", FULL, str(tmp_path / "memory"), "300", "The ferry leaves at nine. "],
                          capture_output=True, text=True)
    assert full.returncode == 3, full.stderr[-2000:]
    assert "nothing of this entry was kept and the diary is as it was" in full.stdout
    assert "free some space" in full.stdout
    assert day.read_bytes() == before                      # not a byte of the half-written entry stays
    assert [e.id for e in diary.read_day(T0.date())] == [kept.id]
    diary.write("note", "The ferry leaves at nine.", when=T0)   # and the next write goes in whole
    assert len(diary.read_day(T0.date())) == 2


# One writer: exchanges as a chat writes them (message, then its reply), thoughts as the daemon
# does, notes as a second process; every text long enough to span several write buffers.
WRITER = """
import sys, time
from datetime import datetime, timezone
from pathlib import Path
from cognition.diary import Diary

folder, who, count, start = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
diary = Diary(folder)
while time.time() < start:
    time.sleep(0.001)
for i in range(count):
    when = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)
    text = f"{who} {i} " + f"<{who}:{i}>" * 2000
    if who == "chat":
        entry = diary.begin_exchange(text, when=when)
        diary.finish_exchange(entry, f"reply to {who} {i} " + "r" * 9000)
    else:
        entry = diary.write("thought" if who == "daemon" else "note", text, when=when)
    print(entry.id, flush=True)
"""


def test_three_processes_appending_500_entries_at_once_lose_and_interleave_nothing(tmp_path):
    folder = tmp_path / "memory"
    import time

    start = time.time() + 3   # all three begin together, after their imports
    counts = {"chat": 167, "daemon": 167, "second": 166}
    procs = {who: subprocess.Popen([sys.executable, "-c", WRITER, str(folder), who, str(n), str(start)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for who, n in counts.items()}
    written = {}
    for who, proc in procs.items():
        out, err = proc.communicate()
        assert proc.returncode == 0, err[-2000:]
        written[who] = out.split()
    entries = Diary(folder).read_day(T0.date())
    assert len(entries) == sum(counts.values()) == 500
    assert sorted(e.id for e in entries) == sorted(i for ids in written.values() for i in ids)
    for e in entries:
        who, i = e.text.split(" ", 2)[:2]
        assert e.text == f"{who} {i} " + f"<{who}:{i}>" * 2000          # each text whole, nobody else's inside
        assert e.kind == {"chat": "exchange", "daemon": "thought", "second": "note"}[who]
        assert e.reply == (f"reply to {who} {i} " + "r" * 9000 if who == "chat" else None)
    lines = (folder / "2026-03-14.md").read_text(encoding="utf-8").splitlines()
    records = [json.loads(l[len("<!-- reverie "):-len(" -->")]) for l in lines if l.startswith("<!-- reverie ")]
    assert len(records) == 500 + counts["chat"]            # a record per message and per reply, none torn
