"""Sleep is a good neighbour: lowest CPU and I/O priority, and it yields to a conversation."""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import time
from pathlib import Path
from typing import Callable

from cognition.presence import conversation_active

log = logging.getLogger(__name__)
_IOPRIO_WHO_PROCESS = 1
_IOPRIO_CLASS_IDLE = 3
_SYS_IOPRIO_SET = {"x86_64": 251, "aarch64": 30}


def lower_priority() -> dict[str, bool]:
    """nice 19 and the idle I/O class (Linux); each is best effort and reported."""
    done = {"nice": False, "ionice": False}
    try:
        os.nice(19 - os.nice(0))
        done["nice"] = True
    except OSError as exc:
        log.info("could not lower CPU priority: %s", exc)
    number = _SYS_IOPRIO_SET.get(os.uname().machine) if sys.platform == "linux" else None
    if number is not None:
        libc = ctypes.CDLL(None, use_errno=True)
        done["ionice"] = libc.syscall(number, _IOPRIO_WHO_PROCESS, 0, _IOPRIO_CLASS_IDLE << 13) == 0
    return done


def yielder(user_root: Path, within_s: float = 30.0, poll_s: float = 2.0,
            sleep: Callable[[float], None] = time.sleep) -> Callable[[], float]:
    """A pause point: while someone is talking, wait; returns the seconds waited."""

    def pause() -> float:
        waited = 0.0
        while conversation_active(user_root, within_s):
            sleep(poll_s)
            waited += poll_s
        return waited

    return pause
