"""The monthly merge is a safe merge: same logits, no LoRA left, finite, atomic."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import torch

from consolidation.merge import merge_adapter, merge_due
from system1.adapters import AdapterStore


def test_merged_base_gives_the_adapters_logits(tmp_path, tiny_model_dir, adapter_factory):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    store = AdapterStore(tmp_path / "adapters")
    version = adapter_factory(store, scale=0.05)
    out = tmp_path / "models" / "tiny@me-v0001"
    report = merge_adapter(tiny_model_dir, store.path(version), out)
    assert report.max_logit_diff < 1e-3 and (out / "reverie-model.json").exists()

    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    ids = tok("The ferry leaves at dawn", return_tensors="pt")
    attached = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(tiny_model_dir), str(store.path(version)))
    merged = AutoModelForCausalLM.from_pretrained(out)
    with torch.no_grad():
        assert torch.allclose(attached(**ids).logits, merged(**ids).logits, atol=1e-4)
    assert not any("lora" in name for name, _ in merged.named_parameters())


def test_merge_is_due_every_thirty_days():
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert not merge_due(start, start + timedelta(days=29), 30)
    assert merge_due(start, start + timedelta(days=30), 30)
    assert not merge_due(None, start, 30)
