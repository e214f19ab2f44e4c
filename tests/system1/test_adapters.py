"""The adapter store: versions appear whole, manifests checksum every file, damage is refused."""

from __future__ import annotations

import hashlib
import json
import logging
import os

import pytest

from system1.adapters import MANIFEST, AdapterError, AdapterStore, Resolved


def weights(payload: bytes, config: dict | None = None):
    """A `write(folder)` callback that stores small real files, as peft's save would."""

    def write(folder):
        (folder / "adapter_model.safetensors").write_bytes(payload)
        (folder / "adapter_config.json").write_text(json.dumps(config or {"r": 16, "lora_alpha": 32}),
                                                    encoding="utf-8")

    return write


@pytest.fixture
def store(tmp_path) -> AdapterStore:
    return AdapterStore(tmp_path / "adapters")


@pytest.fixture
def lineage(store) -> AdapterStore:
    """v0001 promoted, then v0002 (parent v0001) promoted."""
    v1 = store.save(weights(b"weights one"), {"parent": None, "self_test": 0.8})
    store.promote(v1)
    v2 = store.save(weights(b"weights two"), {"parent": v1, "self_test": 0.9})
    store.promote(v2)
    return store


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_save_numbers_versions_and_manifest_lists_sha256(store):
    assert store.versions() == []
    v1 = store.save(weights(b"\x00\x01" * 100), {"parent": None, "data": ["20260302-090000-abcdef"]})
    v2 = store.save(weights(b"other", {"r": 8}), {"parent": "v0001", "self_test": 0.75})
    assert (v1, v2) == ("v0001", "v0002")
    assert store.versions() == ["v0001", "v0002"]

    for version in (v1, v2):
        folder = store.path(version)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        on_disk = {p.name for p in folder.iterdir()} - {MANIFEST}
        assert set(manifest["files"]) == on_disk == {"adapter_model.safetensors", "adapter_config.json"}
        for name, digest in manifest["files"].items():
            assert digest == sha256(folder / name)
        assert manifest["version"] == version
        assert isinstance(manifest["created"], float)
        assert store.manifest(version) == manifest

    assert store.manifest(v1)["data"] == ["20260302-090000-abcdef"]
    assert store.manifest(v2)["parent"] == "v0001"
    assert store.manifest(v2)["self_test"] == 0.75


def test_save_does_not_promote(store):
    store.save(weights(b"w"), {})
    assert store.current() is None
    assert store.resolve() == Resolved(None, None, ())


def test_save_ignores_a_manifest_written_by_the_callback(store):
    def write(folder):
        (folder / "adapter_model.safetensors").write_bytes(b"w")
        (folder / MANIFEST).write_text('{"files": {"forged": "0"}}', encoding="utf-8")

    v = store.save(write, {"note": "kept"})
    manifest = store.manifest(v)
    assert manifest["files"] == {"adapter_model.safetensors": hashlib.sha256(b"w").hexdigest()}
    assert manifest["note"] == "kept"


def test_next_version(store):
    assert store.next_version() == "v0001"
    store.save(weights(b"a"), {})
    assert store.next_version() == "v0002"
    (store.directory / "v0009").mkdir()  # a gap: numbering continues after the highest
    (store.directory / "notes").mkdir()  # not a version
    (store.directory / "v12").mkdir()    # not a version either (four digits at least)
    assert store.next_version() == "v0010"
    assert store.save(weights(b"b"), {}) == "v0010"
    assert store.versions() == ["v0001", "v0009", "v0010"]


def test_version_numbers_sort_numerically_past_9999(store):
    for name in ("v9999", "v10000", "v0002"):
        (store.directory / name).mkdir(parents=True)
    assert store.versions() == ["v0002", "v9999", "v10000"]
    assert store.next_version() == "v10001"


def test_path_rejects_non_versions(store):
    for bad in ("v1", "latest", "../v0001", "v0001/.."):
        with pytest.raises(AdapterError, match="not an adapter version"):
            store.path(bad)


def test_promote_writes_current(lineage):
    assert lineage.current() == "v0002"
    assert lineage.current_file.read_text(encoding="utf-8") == "v0002\n"
    lineage.promote("v0001")
    assert lineage.current() == "v0001"


def test_promote_replaces_current_by_rename(lineage, monkeypatch):
    before = os.stat(lineage.current_file).st_ino
    lineage.promote("v0001")
    assert os.stat(lineage.current_file).st_ino != before  # a new file renamed over, not rewritten
    assert sorted(p.name for p in lineage.directory.iterdir() if not p.is_dir()) == ["CURRENT"]


def test_promote_interrupted_before_rename_keeps_the_old_current(lineage, monkeypatch):
    import cognition.home

    def crash(src, dst):
        raise OSError("disk full at the worst moment")

    monkeypatch.setattr(cognition.home.os, "replace", crash)
    with pytest.raises(OSError):
        lineage.promote("v0001")
    monkeypatch.undo()
    assert lineage.current() == "v0002"
    assert sorted(p.name for p in lineage.directory.iterdir() if not p.is_dir()) == ["CURRENT"]


def test_promote_refuses_a_damaged_version(lineage):
    (lineage.path("v0001") / "adapter_model.safetensors").write_bytes(b"tampered")
    with pytest.raises(AdapterError, match="adapter_model.safetensors"):
        lineage.promote("v0001")
    assert lineage.current() == "v0002"


def test_resolve_returns_the_promoted_version(lineage):
    resolved = lineage.resolve()
    assert resolved == Resolved("v0002", lineage.path("v0002"), ())


def test_damaged_weights_fall_back_to_the_parent(lineage, caplog):
    weights_file = lineage.path("v0002") / "adapter_model.safetensors"
    data = bytearray(weights_file.read_bytes())
    data[3] ^= 0xFF
    weights_file.write_bytes(bytes(data))

    with caplog.at_level(logging.ERROR, logger="system1.adapters"):
        resolved = lineage.resolve()

    assert resolved.version == "v0001"
    assert resolved.path == lineage.path("v0001")
    assert len(resolved.refused) == 1
    assert "v0002" in resolved.refused[0] and "adapter_model.safetensors" in resolved.refused[0]
    assert any("adapter_model.safetensors" in r.getMessage() for r in caplog.records)
    assert lineage.current() == "v0002"  # resolving never rewrites CURRENT


def test_missing_file_is_named(lineage):
    (lineage.path("v0002") / "adapter_config.json").unlink()
    resolved = lineage.resolve()
    assert resolved.version == "v0001"
    assert "adapter_config.json is missing" in resolved.refused[0]


def test_whole_lineage_damaged_serves_no_adapter(lineage):
    for v in ("v0001", "v0002"):
        (lineage.path(v) / "adapter_config.json").write_text("{}", encoding="utf-8")
    resolved = lineage.resolve()
    assert resolved.version is None and resolved.path is None
    assert [r.split(":")[0] for r in resolved.refused] == ["adapter v0002", "adapter v0001"]


def test_unreadable_manifest_falls_back_to_the_previous_number(lineage):
    (lineage.path("v0002") / MANIFEST).write_text("{not json", encoding="utf-8")
    resolved = lineage.resolve()
    assert resolved.version == "v0001"
    assert "not valid JSON" in resolved.refused[0]


def test_parent_cycle_terminates(store):
    v1 = store.save(weights(b"a"), {"parent": "v0002"})
    v2 = store.save(weights(b"b"), {"parent": v1})
    store.promote(v2)
    for v in (v1, v2):
        (store.path(v) / "adapter_model.safetensors").write_bytes(b"damaged")
    resolved = store.resolve()
    assert resolved.version is None
    assert len(resolved.refused) == 2


def test_garbled_current_serves_no_adapter_instead_of_crashing(lineage):
    # Regression: a hand-edited CURRENT ("latest") made resolve() raise ValueError from
    # int("atest") while looking for an older version.
    lineage.current_file.write_text("latest\n", encoding="utf-8")
    resolved = lineage.resolve()
    assert resolved.version is None
    assert "latest" in resolved.refused[0]


def test_rollback(lineage):
    lineage.rollback("v0001")
    assert lineage.current() == "v0001"
    assert lineage.resolve().version == "v0001"


def test_rollback_to_unknown_version_lists_known_ones(lineage):
    with pytest.raises(AdapterError) as info:
        lineage.rollback("v0007")
    assert "v0007" in str(info.value)
    assert "v0001, v0002" in str(info.value)
    assert lineage.current() == "v0002"


def test_rollback_with_no_versions(store):
    with pytest.raises(AdapterError, match="known: none"):
        store.rollback("v0001")


def test_staging_failure_leaves_no_version(store):
    store.save(weights(b"good"), {})

    def failing(folder):
        (folder / "adapter_model.safetensors").write_bytes(b"half written")
        raise RuntimeError("training crashed while saving")

    with pytest.raises(RuntimeError, match="training crashed"):
        store.save(failing, {})
    assert store.versions() == ["v0001"]
    assert [p.name for p in store.directory.iterdir()] == ["v0001"]  # no staging left behind
    assert store.next_version() == "v0002"


def test_interrupt_during_staging_leaves_no_version(store):
    def interrupted(folder):
        (folder / "adapter_model.safetensors").write_bytes(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.save(interrupted, {})
    assert store.versions() == []
    assert list(store.directory.iterdir()) == []


def test_manifest_errors_name_the_version(store):
    (store.directory / "v0001").mkdir(parents=True)
    with pytest.raises(AdapterError, match=f"adapter v0001 has no {MANIFEST}"):
        store.manifest("v0001")
    (store.directory / "v0001" / MANIFEST).write_text('{"files": {}}', encoding="utf-8")
    with pytest.raises(AdapterError, match="lists no files"):
        store.verify("v0001")


def test_summaries_list_every_version_with_its_scores_and_a_damaged_one_as_damaged(store):
    v1 = store.save(weights(b"one"), {"parent": None, "night": "2030-01-01", "status": "promoted",
                                       "self_test": {"score": 0.75, "held_out": {"score": 0.5}},
                                       "drift": {"ratio": 1.04}, "examples": [{"prompt": "p", "target": "t"}] * 3})
    store.promote(v1)
    v2 = store.save(weights(b"two"), {"parent": v1, "status": "rolled_back"})
    (store.path(v2) / MANIFEST).write_text("{not json", encoding="utf-8")
    first, second = store.summaries()
    assert first == {"version": v1, "current": True, "status": "promoted", "parent": None, "night": "2030-01-01",
                     "self_test": 0.75, "held_out": 0.5, "drift": 1.04, "examples": 3}
    assert second["version"] == v2 and not second["current"] and second["status"].startswith("damaged:")
