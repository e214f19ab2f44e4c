"""The model registry: a damaged or incomplete base is refused with the way to repair it."""

from __future__ import annotations

import json

import pytest

from cognition.models import MARKER, ModelError, check, resolve, sha256_file, verify


def _fake_base(folder, payload=b"weights"):
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(payload)
    (folder / "config.json").write_text("{}")
    files = {p.name: {"size": p.stat().st_size, "sha256": sha256_file(p)} for p in folder.iterdir()}
    (folder / MARKER).write_text(json.dumps({"files": files}))
    return folder


def test_an_intact_base_passes_both_checks(tmp_path):
    base = _fake_base(tmp_path / "m")
    assert check(base) == base
    assert all(verify(base).values())


def test_a_truncated_weight_file_is_refused_with_the_repair(tmp_path):
    base = _fake_base(tmp_path / "m")
    (base / "model.safetensors").write_bytes(b"w")
    with pytest.raises(ModelError, match="make setup"):
        check(base)


def test_an_edited_weight_file_fails_verification(tmp_path):
    base = _fake_base(tmp_path / "m")
    (base / "model.safetensors").write_bytes(b"WEIGHTS")  # same size, other bytes
    assert verify(base) == {"model.safetensors": False, "config.json": True}


def test_an_unknown_model_id_names_the_remedies(tmp_path):
    with pytest.raises(ModelError, match="make setup"):
        resolve("no-such-model", tmp_path)


def test_the_embedded_base_converts_to_a_trainable_llama(embedded):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(embedded.path)
    assert config.model_type == "llama" and not hasattr(config, "quantization_config")
    assert all(verify(embedded.path).values())
