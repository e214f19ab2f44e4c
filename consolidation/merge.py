"""The monthly merge: fold the adapter into a new base version, safely, and start afresh.

Following peft's own discipline: merge into a copy (the served base is never touched),
check every weight is finite, and compare the logits of the adapter-attached model
with the merged one on a fixed text before anything is committed. The new base lands
beside the others under `models/` by an atomic rename; the user's `BASE` file then
points at it, and a fresh adapter starts on top.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cognition.home import atomic_write_text
from cognition.models import write_marker
from consolidation.selftest import REFERENCE_TEXT

TOLERANCE = 1e-3  # fp32 logits; peft's own tests use 1e-4 on tiny models


class MergeError(RuntimeError):
    pass


@dataclass
class MergeReport:
    path: Path
    max_logit_diff: float
    seconds: float


def merge_adapter(base_dir: Path, adapter_dir: Path, out_dir: Path, text: str = REFERENCE_TEXT) -> MergeReport:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    copy = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    attached = PeftModel.from_pretrained(copy, str(adapter_dir)).eval()
    ids = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        before = attached(**ids).logits
        merged = attached.merge_and_unload().eval()
        bad = [name for name, p in merged.named_parameters() if not torch.isfinite(p).all()]
        if bad:
            raise MergeError(f"merging {adapter_dir} gave non-finite weights in {bad[:3]}; nothing was changed")
        after = merged(**ids).logits
    diff = float((before - after).abs().max())
    if diff > TOLERANCE:
        raise MergeError(f"merged logits differ from the adapter's by {diff:.2e} (> {TOLERANCE}); nothing was changed")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        merged.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        write_marker(staging, {"merged_from": str(base_dir), "adapter": str(adapter_dir), "merged_at": time.time(),
                               "max_logit_diff": diff})
        os.replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return MergeReport(out_dir, diff, time.perf_counter() - started)


class BaseFile:
    """`users/<u>/BASE`: which base this user's adapters sit on, and since when."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def read(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}

    def write(self, base: str, since: datetime) -> None:
        atomic_write_text(self.path, json.dumps({"base": base, "since": since.isoformat()}))


def merge_due(since: datetime | None, now: datetime, every_days: int) -> bool:
    if since is None:
        return False
    return (now.astimezone(timezone.utc) - since.astimezone(timezone.utc)).days >= every_days
