"""Train System 1: a LoRA adapter on the night's chat examples, fast on a laptop CPU.

One module of plain functions and one dataclass of arguments, shaped like mlx-lm's
`tuner/trainer.py`: `TrainingArgs`, `load_for_training`, `tokenize`, `iterate_batches`,
`evaluate`, `train`, `save_adapter`. `train()` takes its collaborators (the loss, the
batcher, the progress callback, the pause check) as parameters, so the sleep graph, the
benchmark and the tests drive the same loop.

Why it looks the way it does (the numbers are in `python -m eval.bench train`):

- The frozen base is held in bfloat16 wherever bf16 matrix products are native (AVX512-BF16
  / AMX CPUs, CUDA): several times faster than fp32 here. The LoRA weights stay fp32
  (peft's `autocast_adapter_dtype`) so that small updates are not rounded away, and the
  forward runs under bf16 autocast so the adapter's products are bf16 too.
- Only the assistant's answer is trained: prompt tokens carry the label -100. The loss
  therefore needs logits only at the answer positions, so `target_loss` runs the decoder,
  gathers those hidden states and applies the (49k-row) output head to them alone,
  instead of to every position as `LlamaForCausalLM.forward` would. On the 135M model the
  head is a fifth of the weights; skipping it on prompt tokens is most of a fifth of the work.
- Every row of a batch opens with the same prompt (System 1's instruction in the chat frame:
  25 of a typical example's 50 tokens). `target_loss` runs it once and hands its keys and
  values to every row (`shared_prefix`), with the same loss and gradients as running it per row.
- Batches are drawn from shuffled buckets sorted by length, so rows of one batch have
  similar lengths and little padding is computed (mlx-lm sorts its whole dataset; a
  bucket keeps the batches' composition random from epoch to epoch).
- Threads: every core by default (`TrainingArgs.threads`). On a shared machine run the
  process with `OMP_WAIT_POLICY=PASSIVE` (set before torch is first imported; the CLI's
  entry point is the place): with OpenMP's default spinning, 2 threads beside one other
  busy process slowed from ~3 s to 10-50 s per step; passive waiting kept ~3.5-4 s
  (and costs about a fifth on a quiet machine).
- Eager attention on the CPU: for sequences of ~60 tokens PyTorch's flash-attention CPU
  backward took 15% of a step in a profile; the eager (matmul) path trained faster.
- No gradient checkpointing by default (`TrainingArgs.gradient_checkpointing`): activations of
  short examples are small, and recomputing the forward costs a third more time. That holds
  for QLoRA on CUDA too (peft's `prepare_model_for_kbit_training` would turn it on); turn it
  on for a large base on a small GPU.
- QLoRA keeps the norms and embeddings in fp32 (peft's advice for 4-bit training); the
  autocast still follows the 4-bit compute dtype (`compute_dtype`), bf16.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]
IGNORE = -100  # label of a token that is not trained (transformers' and PyTorch's convention)
PROJECTIONS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class TrainingError(ValueError):
    """Bad training input or arguments; the message names the field and its value."""


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class TrainingArgs:
    rank: int = field(default=16, metadata=_help("LoRA rank r of every adapted projection."))
    alpha: float = field(default=32.0, metadata=_help("LoRA alpha; the update is scaled by alpha / rank."))
    dropout: float = field(default=0.0, metadata=_help("Dropout on the LoRA input, 0 <= dropout < 1 (0 is fastest)."))
    target_modules: tuple[str, ...] = field(default=PROJECTIONS, metadata=_help(
        "Names of the linear layers that get a LoRA: attention and feed-forward projections."))
    learning_rate: float | None = field(default=None, metadata=_help(
        "Peak AdamW learning rate; None takes the base model's profile (cognition.models.PROFILES)."))
    iterations: int = field(default=80, metadata=_help("Optimizer steps (one REM cycle is 80)."))
    batch_size: int = field(default=16, metadata=_help("Examples per step."))
    max_tokens: int = field(default=256, metadata=_help(
        "Longest example in tokens; longer ones lose the start of their prompt (and, if still too long, "
        "the end of their answer)."))
    seed: int = field(default=0, metadata=_help("Seeds the batch order and the fresh LoRA's initialisation."))
    dtype: str = field(default="auto", metadata=_help(
        "Compute dtype of the frozen base: 'auto' (bfloat16 on CUDA and on CPUs with native bf16, "
        "else float32), 'bfloat16' or 'float32'."))
    qlora: str | bool = field(default="auto", metadata=_help(
        "4-bit NF4 base with double quantisation (bitsandbytes): 'auto' uses it only when CUDA is there; "
        "True requires CUDA; False never."))
    gradient_checkpointing: bool = field(default=False, metadata=_help(
        "Recompute activations in the backward pass: less memory for a large base on a small GPU, a "
        "third more time; off by default (the embedded base's activations are small)."))
    attention: str = field(default="auto", metadata=_help(
        "Attention kernel: 'auto' (eager on the CPU, whose fused SDPA backward is slow on short chat "
        "examples; sdpa on CUDA), 'eager' or 'sdpa'."))
    warmup: int = field(default=5, metadata=_help("Steps of linear learning-rate warm-up, then cosine decay to 10%."))
    grad_clip: float = field(default=1.0, metadata=_help("Clip the gradient's global norm to this; 0 disables."))
    weight_decay: float = field(default=0.0, metadata=_help("AdamW weight decay of the LoRA weights."))
    anchor_weight: float = field(default=0.0, metadata=_help(
        "Weight of the anchor loss: KL divergence from the bare base's next-token distributions on general "
        "text (see `anchor_loss`); 0 disables it."))
    anchor_top_k: int = field(default=32, metadata=_help(
        "Tokens of the base's distribution kept per position for the anchor loss (the rest is one bucket)."))
    guard_every: int = field(default=0, metadata=_help(
        "Steps between checks of `train`'s guard (one REM cycle); 0 never checks."))
    converged_loss: float = field(default=0.0, metadata=_help(
        "At the end of a REM cycle (every `guard_every` steps), stop once the mean answer loss of the cycle's "
        "last report window is below this: what is left to learn is too little to pay for; 0 never stops early."))
    guard_backoffs: int = field(default=2, metadata=_help(
        "Times a failed guard check halves the learning rate and goes on from the last check that passed, "
        "before the next failure stops training there."))
    report_every: int = field(default=10, metadata=_help("Steps between on_report events."))
    threads: int = field(default=0, metadata=_help("torch CPU threads; 0 uses every core this process may run on."))

    def __post_init__(self) -> None:
        self.target_modules = tuple(self.target_modules)
        positive = ("rank", "iterations", "batch_size", "report_every")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise TrainingError(f"TrainingArgs.{name} must be a positive integer, got {value!r}")
        if self.max_tokens < 8:
            raise TrainingError(f"TrainingArgs.max_tokens must be at least 8, got {self.max_tokens!r}")
        if not self.alpha > 0:
            raise TrainingError(f"TrainingArgs.alpha must be positive, got {self.alpha!r}")
        if not 0 <= self.dropout < 1:
            raise TrainingError(f"TrainingArgs.dropout must be in [0, 1), got {self.dropout!r}")
        if self.learning_rate is not None and not (0 < self.learning_rate < 1):
            raise TrainingError(f"TrainingArgs.learning_rate must be in (0, 1) or None, got {self.learning_rate!r}")
        if not self.target_modules or not all(isinstance(m, str) and m for m in self.target_modules):
            raise TrainingError(f"TrainingArgs.target_modules must name at least one module, got {self.target_modules!r}")
        if self.dtype not in ("auto", "bfloat16", "float32"):
            raise TrainingError(f"TrainingArgs.dtype must be 'auto', 'bfloat16' or 'float32', got {self.dtype!r}")
        if self.attention not in ("auto", "eager", "sdpa"):
            raise TrainingError(f"TrainingArgs.attention must be 'auto', 'eager' or 'sdpa', got {self.attention!r}")
        if not isinstance(self.gradient_checkpointing, bool):
            raise TrainingError("TrainingArgs.gradient_checkpointing must be True or False, "
                                f"got {self.gradient_checkpointing!r}")
        if self.qlora not in ("auto", True, False):
            raise TrainingError(f"TrainingArgs.qlora must be 'auto', True or False, got {self.qlora!r}")
        for name in ("warmup", "threads"):
            if getattr(self, name) < 0:
                raise TrainingError(f"TrainingArgs.{name} must be >= 0, got {getattr(self, name)!r}")
        if self.anchor_top_k < 1:
            raise TrainingError(f"TrainingArgs.anchor_top_k must be a positive integer, got {self.anchor_top_k!r}")
        for name in ("grad_clip", "weight_decay", "anchor_weight", "converged_loss"):
            if not getattr(self, name) >= 0:
                raise TrainingError(f"TrainingArgs.{name} must be >= 0, got {getattr(self, name)!r}")

    def to_json(self) -> dict[str, Any]:
        """The hyperparameters for an adapter's manifest."""
        data = asdict(self)
        data["target_modules"] = list(self.target_modules)
        return data

    @classmethod
    def help(cls) -> dict[str, str]:
        return {f.name: f.metadata.get("help", "") for f in fields(cls)}


@dataclass(frozen=True)
class TrainResult:
    steps: int
    tokens: int            # tokens processed, prompt and padding-free: what tokens_per_s counts
    target_tokens: int     # answer tokens the loss was taken on
    seconds: float         # training time, pauses excluded
    tokens_per_s: float
    losses: tuple[float, ...]  # one per step, before that step's update
    final_loss: float      # mean of the last report window's losses
    learning_rate: float
    paused_seconds: float = 0.0
    anchor_kl: float | None = None  # mean KL from the base on the anchor passages over the last window
    kept_steps: int | None = None   # steps whose updates the adapter holds (all of them unless the guard stopped it)
    stopped: str | None = None      # why the guard stopped training early, if it did
    backoffs: tuple = ()            # each failed check that halved the learning rate: step, reason, new scale
    converged_at: int | None = None  # the step at which the loss had converged and training stopped early

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["losses"] = [round(x, 5) for x in self.losses]
        return data


class TrainingCallback:
    """Progress events; subclass and override what you draw (mlx-lm's TrainingCallback)."""

    def on_step(self, info: dict[str, Any]) -> None:
        """After every step: step, loss, tokens, target_tokens, learning_rate, seconds, anchor_kl, anchor_weight."""

    def on_report(self, info: dict[str, Any]) -> None:
        """Every `report_every` steps and at the end: mean loss and throughput of the window."""


# -- devices and loading -------------------------------------------------------------------

def _torch():
    import torch

    return torch


def resolve_dtype(args: TrainingArgs):
    from cognition.runtime import pick_dtype

    return pick_dtype(args.dtype)


QLORA = {"auto": "auto", "on": True, "off": False}  # the settings' and the bench's words for TrainingArgs.qlora


def use_qlora(args: TrainingArgs) -> bool:
    torch = _torch()
    if args.qlora is False:
        return False
    cuda = torch.cuda.is_available()
    if args.qlora is True and not cuda:
        raise TrainingError("TrainingArgs.qlora=True needs CUDA (bitsandbytes' 4-bit kernels), and none is available")
    return cuda


def set_threads(args: TrainingArgs) -> int:
    torch = _torch()
    if args.threads:
        threads = args.threads
    elif hasattr(os, "sched_getaffinity"):
        threads = len(os.sched_getaffinity(0))
    else:
        threads = os.cpu_count() or 1
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


def profile_learning_rate(model_path: str | Path) -> float:
    """The learning rate of the base's profile (by the directory's name, as `cognition.models.resolve` does)."""
    from cognition.models import PROFILES, Profile

    return PROFILES.get(Path(model_path).name, Profile()).learning_rate


def load_for_training(model_path: str | Path, args: TrainingArgs, init_adapter: Path | None = None):
    """The base, frozen in the compute dtype (or 4-bit on CUDA), with a trainable LoRA on it.

    With `init_adapter` the LoRA continues from that adapter's weights (its own rank and
    targets win over `args`, since the weights fix them); otherwise a fresh one starts
    (B = 0, so the first step's loss is the bare base's).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch = _torch()
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM

    set_threads(args)
    dtype = resolve_dtype(args)
    attention = args.attention if args.attention != "auto" else ("sdpa" if torch.cuda.is_available() else "eager")
    kwargs: dict[str, Any] = {"dtype": dtype, "local_files_only": True, "attn_implementation": attention}
    qlora = use_qlora(args)
    if qlora:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=dtype)
        kwargs["device_map"] = {"": 0}
    base = AutoModelForCausalLM.from_pretrained(str(model_path), **kwargs)
    recompute = {"use_reentrant": False}
    if qlora:
        from peft import prepare_model_for_kbit_training  # imports bitsandbytes: only when it is used

        # It keeps the norms and embeddings in fp32 for stability; `compute_dtype` still autocasts to bf16.
        base = prepare_model_for_kbit_training(base, use_gradient_checkpointing=args.gradient_checkpointing,
                                               gradient_checkpointing_kwargs=recompute)
    else:
        if torch.cuda.is_available():
            base.to("cuda")
        if args.gradient_checkpointing:
            base.activation_checkpointing_enable(activation_checkpointing_kwargs=recompute)
    base.config.use_cache = False  # a KV cache is useless in training and costs memory
    if init_adapter is not None:
        model = PeftModel.from_pretrained(base, str(init_adapter), is_trainable=True)
        saved = model.peft_config["default"]
        if saved.r != args.rank:
            log.warning("continuing adapter %s has rank %d, not TrainingArgs.rank=%d; its rank is kept",
                        init_adapter, saved.r, args.rank)
    else:
        torch.manual_seed(args.seed)
        config = LoraConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=args.dropout,
                            target_modules=list(args.target_modules), task_type="CAUSAL_LM")
        model = get_peft_model(base, config)
    # Trainable weights in fp32 (peft upcasts fresh adapters itself; a loaded one may be bf16).
    for param in model.parameters():
        if param.requires_grad and param.dtype != torch.float32:
            param.data = param.data.float()
    model.train()
    return model


def save_adapter(model, folder: str | Path) -> Path:
    """peft's adapter files (adapter_config.json, adapter_model.safetensors) into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder), safe_serialization=True)
    return folder


def count_trainable(model) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def base_parameters(model) -> int:
    """Weights of the frozen base, a 4-bit one counted by its logical shape (bitsandbytes packs two
    NF4 values into each byte it stores)."""
    total = 0
    for param in model.parameters():
        if not param.requires_grad:
            state = getattr(param, "quant_state", None)
            total += math.prod(state.shape) if state is not None else param.numel()
    return total


# -- data ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tokenized:
    input_ids: list[int]
    labels: list[int]   # IGNORE on prompt tokens

    @property
    def targets(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


def _ids(encoded) -> list[int]:
    ids = encoded["input_ids"] if isinstance(encoded, Mapping) else encoded
    return list(ids)


def tokenize(tokenizer, messages: Messages, max_tokens: int) -> Tokenized:
    """Render with the model's chat template; only the final assistant message is trained."""
    if not messages or messages[-1].get("role") != "assistant":
        raise TrainingError(f"a training example must end with an assistant message, got roles "
                            f"{[m.get('role') for m in messages]}")
    full = _ids(tokenizer.apply_chat_template(messages, tokenize=True))
    prompt = _ids(tokenizer.apply_chat_template(messages[:-1], tokenize=True, add_generation_prompt=True))
    if full[: len(prompt)] != prompt:
        raise TrainingError("the chat template renders the prompt differently with and without the answer; "
                            "cannot tell which tokens are the answer")
    target = full[len(prompt):]
    # Keep the answer and the end of the prompt (the question and the assistant header).
    target = target[: max(1, max_tokens - min(len(prompt), max_tokens // 2))]
    prompt = prompt[max(0, len(prompt) - (max_tokens - len(target))):]
    return Tokenized(prompt + target, [IGNORE] * len(prompt) + target)


def iterate_batches(dataset: Sequence[Tokenized], batch_size: int, seed: int = 0, pad_id: int = 0,
                    bucket: int = 8) -> Iterator[dict[str, Any]]:
    """Endless padded batches: shuffle, sort chunks of `bucket` batches by length, shuffle batches.

    Epochs run back to back as one stream of indices, so a dataset smaller than a batch
    still fills it (an example then repeats within the batch).
    """
    if not dataset:
        raise TrainingError("no training examples: the dataset is empty")
    rng = random.Random(seed)

    def stream() -> Iterator[int]:
        order = list(range(len(dataset)))
        while True:
            rng.shuffle(order)
            yield from order

    indices = stream()
    # One round is an epoch rounded up to whole batches; sorting only within a round keeps
    # the copies of one example (when the dataset is small) from landing in one batch.
    per_round = -(-len(dataset) // batch_size) * batch_size
    while True:
        round_ = [next(indices) for _ in range(per_round)]
        batches = []
        for start in range(0, per_round, batch_size * bucket):
            chunk = sorted(round_[start: start + batch_size * bucket], key=lambda i: len(dataset[i].input_ids))
            batches += [chunk[i: i + batch_size] for i in range(0, len(chunk), batch_size)]
        rng.shuffle(batches)
        for rows in batches:
            yield collate([dataset[i] for i in rows], pad_id)


def collate(rows: Sequence[Tokenized], pad_id: int) -> dict[str, Any]:
    torch = _torch()
    width = max(len(r.input_ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        n = len(r.input_ids)
        ids[i, :n] = torch.tensor(r.input_ids)
        labels[i, :n] = torch.tensor(r.labels)
        mask[i, :n] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": labels}


# -- loss and evaluation ----------------------------------------------------------------------

def _parts(model):
    """The decoder stack and the output head under peft's wrapping."""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    return inner.model, inner.get_output_embeddings()


def target_loss(model, batch: dict[str, Any]):
    """Mean cross-entropy over the answer tokens, with the head applied only where they are.

    The prompt every row begins with (System 1's instruction, about half of a short example's
    tokens) is run once and its keys and values are shared by the whole batch (`shared_prefix`);
    its LoRA gets the gradient of every row through them, as it would from eight copies.

    Returns (loss, number of target tokens).
    """
    torch = _torch()
    decoder, head = _parts(model)
    device = head.weight.device
    ids, mask, labels = (batch[k].to(device) for k in ("input_ids", "attention_mask", "labels"))
    # (not under gradient checkpointing, which keeps no cache)
    shared = 0 if getattr(decoder, "gradient_checkpointing", False) else shared_prefix(ids, mask, labels)
    if shared:
        cache = decoder(input_ids=ids[:1, :shared], attention_mask=mask[:1, :shared], use_cache=True).past_key_values
        cache.batch_repeat_interleave(ids.shape[0])
        hidden = decoder(input_ids=ids[:, shared:], attention_mask=mask, past_key_values=cache,
                         use_cache=False).last_hidden_state
    else:
        hidden = decoder(input_ids=ids, attention_mask=mask, use_cache=False).last_hidden_state
    shifted = labels[:, shared + 1:]
    keep = shifted != IGNORE
    logits = head(hidden[:, :-1][keep]).float()
    loss = torch.nn.functional.cross_entropy(logits, shifted[keep], reduction="sum")
    count = int(keep.sum())
    return loss / max(count, 1), count


SHARED_MIN = 8   # tokens: a shorter common prefix is not worth a second pass through the decoder


def shared_prefix(ids, mask, labels) -> int:
    """How many leading tokens every row of the batch has in common, all of them prompt (and
    the token after them too, so each row keeps its first label's context); 0 when that is
    fewer than `SHARED_MIN` or the batch is one row."""
    if ids.shape[0] < 2:
        return 0
    same = ((ids == ids[:1]) & (mask == 1)).all(dim=0)
    common = int(same.long().cumprod(dim=0).sum())
    trained = (labels != IGNORE).long().argmax(dim=1)   # each row's first answer token
    n = min(common, int(trained.min()) - 1)
    return n if n >= SHARED_MIN else 0


def compute_dtype(model):
    """The dtype the frozen base computes in: a 4-bit base's compute dtype, else its weights' dtype."""
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    quant = getattr(inner.config, "quantization_config", None)
    dtype = getattr(quant, "bnb_4bit_compute_dtype", None) if quant is not None else None
    return dtype or next(p.dtype for p in model.parameters() if not p.requires_grad)


def autocast(model):
    """bf16 autocast when the frozen base computes in bf16 (the fp32 LoRA then runs in bf16 too)."""
    torch = _torch()
    device = "cuda" if next(model.parameters()).is_cuda else "cpu"
    if compute_dtype(model) == torch.bfloat16:
        return torch.autocast(device_type=device, dtype=torch.bfloat16)
    from contextlib import nullcontext

    return nullcontext()


def text_perplexity(model, tokenizer, text: str, adapter: bool = True) -> float:
    """Perplexity of `text` under the training model, with its LoRA or with it disabled."""
    torch = _torch()
    from contextlib import nullcontext

    ids = tokenizer(text, return_tensors="pt").to(next(model.parameters()).device)
    off = model.disable_adapter() if not adapter else nullcontext()
    with off, torch.inference_mode(), autocast(model):
        loss = model(**ids, labels=ids["input_ids"]).loss
    return float(math.exp(float(loss)))


def generate_text(model, tokenizer, prompts: Sequence[Messages], max_new_tokens: int,
                  adapter: bool = True) -> list[str]:
    """Greedy replies of the training model (with its LoRA or without) to chat prompts, in one
    left-padded batch: what the night's guard asks between REM cycles."""
    torch = _torch()
    from contextlib import nullcontext

    texts = [tokenizer.apply_chat_template(m, tokenize=False, add_generation_prompt=True) for m in prompts]
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    enc = tokenizer(texts, return_tensors="pt", padding=True, padding_side="left",
                    add_special_tokens=False).to(next(model.parameters()).device)
    was_training = model.training
    model.eval()
    off = model.disable_adapter() if not adapter else nullcontext()
    with off, torch.inference_mode(), autocast(model):
        out = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, temperature=None, top_p=None,
                             top_k=None, use_cache=True, pad_token_id=pad_id, eos_token_id=tokenizer.eos_token_id)
    model.train(was_training)
    width = enc["input_ids"].shape[1]
    return [tokenizer.decode(row[width:], skip_special_tokens=True).strip() for row in out]


def evaluate(model, batches: Sequence[dict[str, Any]], loss: Callable = target_loss) -> float:
    """Mean loss per target token over `batches`, without updating anything."""
    torch = _torch()
    total, count = 0.0, 0
    was_training = model.training
    model.eval()
    with torch.no_grad(), autocast(model):
        for batch in batches:
            value, n = loss(model, batch)
            total += float(value) * n
            count += n
    model.train(was_training)
    return total / max(count, 1)


# -- the anchor: staying the base everywhere but in the memories ----------------------------------

@dataclass(frozen=True)
class AnchorRow:
    """One general passage and the bare base's next-token distribution along it (top k + the rest)."""
    input_ids: Any   # (1, L) long
    top_ids: Any     # (L-1, k) long: the base's k likeliest next tokens at every position
    top_logp: Any    # (L-1, k+1) float: their log-probabilities, and the log of the remaining mass


def _with_tail(logp_top):
    """Append log(1 - sum p_top) to top-k log-probabilities: k+1 buckets that sum to one."""
    torch = _torch()
    mass = torch.logsumexp(logp_top, dim=-1, keepdim=True).clamp(max=-1e-6)
    tail = torch.log(-torch.expm1(mass)).clamp(min=-30.0)
    return torch.cat([logp_top, tail], dim=-1)


def anchor_targets(model, passages: Sequence[Sequence[int]], top_k: int = 32) -> list[AnchorRow]:
    """The bare base's distributions over `passages` (token ids), with the adapter switched off.

    Computed once per night: whatever the adapter has become, the anchor is the base.
    """
    torch = _torch()
    _, head = _parts(model)
    device = head.weight.device
    rows = []
    was_training = model.training
    model.eval()
    off = model.disable_adapter() if hasattr(model, "disable_adapter") else _null()
    with off, torch.no_grad(), autocast(model):
        for ids in passages:
            if len(ids) < 2:
                continue
            x = torch.tensor([list(ids)], dtype=torch.long, device=device)
            logp = torch.log_softmax(model(input_ids=x, use_cache=False).logits[0, :-1].float(), dim=-1)
            top = logp.topk(min(top_k, logp.shape[-1]), dim=-1)
            rows.append(AnchorRow(x, top.indices, _with_tail(top.values)))
    model.train(was_training)
    return rows


def _null():
    from contextlib import nullcontext

    return nullcontext()


def anchor_loss(model, row: AnchorRow):
    """KL(base || model) per position on one anchor passage, over the base's top k and the rest.

    Both distributions are coarsened to the same k+1 buckets (the base's top k tokens and
    everything else), so the divergence is exact for them and zero when the model is the base.
    """
    torch = _torch()
    decoder, head = _parts(model)
    hidden = decoder(input_ids=row.input_ids, use_cache=False).last_hidden_state[0, :-1]
    logq = torch.log_softmax(head(hidden).float(), dim=-1)
    q = _with_tail(logq.gather(-1, row.top_ids))
    p = row.top_logp
    return (p.exp() * (p - q)).sum(-1).mean()


# -- the loop ------------------------------------------------------------------------------------

def schedule(step: int, args: TrainingArgs, peak: float) -> float:
    """Linear warm-up, then cosine decay to a tenth of the peak."""
    if step < args.warmup:
        return peak * (step + 1) / args.warmup
    progress = (step - args.warmup) / max(1, args.iterations - args.warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def _model_path(model) -> str:
    inner = model.get_base_model() if hasattr(model, "get_base_model") else model
    return getattr(inner.config, "_name_or_path", "") or getattr(inner, "name_or_path", "")


def train(model, tokenizer, examples: Sequence[Messages], args: TrainingArgs,
          callback: TrainingCallback | None = None, should_pause: Callable[[], bool] | None = None, *,
          loss: Callable = target_loss, batches: Callable = iterate_batches,
          anchor: Sequence[Sequence[int]] = (), guard: Callable[[Any], str | None] | None = None,
          pause_poll_s: float = 1.0, sleep: Callable[[float], None] = time.sleep) -> TrainResult:
    """Train the LoRA of `model` on chat examples for `args.iterations` steps.

    With `anchor` passages (token ids of general text) and `args.anchor_weight` > 0, every
    step also takes the KL divergence from the bare base on one passage, in turn: the
    adapter learns the memories and stays the base everywhere else.

    Between steps `should_pause()` is asked; while it says True the loop sleeps
    `pause_poll_s` and asks again (a live conversation has the CPU meanwhile).

    Every `args.guard_every` steps `guard(model)` is asked whether the model has gone too far
    (it returns a reason, or None): if it has, the weights go back to the last check that
    passed (or to where training began), and training goes on with half the learning rate
    (fresh optimizer moments), up to `args.guard_backoffs` times; the next failure stops it
    there. A backed-off cycle also holds the anchor twice as hard (the drift it undid is what
    the anchor is for). A night whose first cycle drifts learns more gently instead of losing
    every cycle, and one that drifts in its fourth keeps its first three.
    """
    torch = _torch()
    callback = callback or TrainingCallback()
    set_threads(args)
    dataset = [tokenize(tokenizer, m, args.max_tokens) for m in examples]
    if not dataset:
        raise TrainingError("no training examples: the examples list is empty")
    peak = args.learning_rate or profile_learning_rate(_model_path(model))
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise TrainingError("the model has no trainable parameters; load it with load_for_training()")
    optimizer = torch.optim.AdamW(params, lr=peak, weight_decay=args.weight_decay, foreach=True)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    stream = batches(dataset, args.batch_size, args.seed, pad_id)
    anchors = anchor_targets(model, anchor, args.anchor_top_k) if anchor and args.anchor_weight else []
    model.train()
    checked = guard is not None and args.guard_every > 0
    converged_at = None
    kept = _snapshot(params) if checked else None
    kept_steps, stopped, last_check, scale, backoffs = 0, None, 0, 1.0, []
    hold = args.anchor_weight
    losses: list[float] = []
    anchor_losses: list[float] = []
    tokens = targets = 0
    seconds = paused = 0.0
    window = (time.perf_counter(), 0)
    for step in range(args.iterations):
        if should_pause is not None:
            waited = time.perf_counter()
            while should_pause():
                sleep(pause_poll_s)
            paused += time.perf_counter() - waited
        started = time.perf_counter()
        batch = next(stream)
        lr = schedule(step, args, peak) * scale
        for group in optimizer.param_groups:
            group["lr"] = lr
        with autocast(model):
            value, n = loss(model, batch)
            total = value
            if anchors:
                kl = anchor_loss(model, anchors[step % len(anchors)])
                anchor_losses.append(float(kl.detach()))
                total = value + hold * kl
        total.backward()
        if args.grad_clip:
            torch.nn.utils.clip_grad_norm_(params, args.grad_clip, foreach=True)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step_tokens = int(batch["attention_mask"].sum()) + (anchors[step % len(anchors)].input_ids.shape[1] if anchors else 0)
        tokens, targets = tokens + step_tokens, targets + n
        seconds += time.perf_counter() - started
        losses.append(float(value.detach()))
        callback.on_step({"step": step + 1, "of": args.iterations, "loss": losses[-1], "tokens": step_tokens,
                          "target_tokens": n, "learning_rate": lr, "seconds": round(seconds, 4),
                          "anchor_kl": anchor_losses[-1] if anchors else None, "anchor_weight": hold if anchors else None})
        if (step + 1) % args.report_every == 0 or step + 1 == args.iterations:
            since, first = window
            recent = losses[first:]
            window_s = time.perf_counter() - since
            callback.on_report({"step": step + 1, "of": args.iterations, "loss": sum(recent) / len(recent),
                                "tokens_per_s": round(tokens / seconds, 1) if seconds else 0.0,
                                "steps_per_s": round(len(recent) / window_s, 3) if window_s else 0.0,
                                "learning_rate": lr, "paused_seconds": round(paused, 3)})
            window = (time.perf_counter(), len(losses))
        if checked and ((step + 1) % args.guard_every == 0 or step + 1 == args.iterations):
            model.eval()
            stopped = guard(model)
            model.train()
            if stopped is None:
                kept, kept_steps = _snapshot(params), kept_steps + step + 1 - last_check
            else:
                _restore(params, kept)
                if len(backoffs) < args.guard_backoffs and step + 1 < args.iterations:
                    scale, hold = scale / 2, hold * 2
                    held = hold if anchors else None
                    backoffs.append({"step": step + 1, "reason": stopped, "scale": scale, "anchor_weight": held})
                    optimizer.state.clear()
                    callback.on_report({"step": step + 1, "of": args.iterations, "backed_off": stopped,
                                        "learning_rate_scale": scale, "anchor_weight": held})
                    stopped, last_check = None, step + 1
                    continue
                callback.on_report({"step": step + 1, "of": args.iterations, "stopped": stopped,
                                    "kept_steps": kept_steps})
                break
            last_check = step + 1
        if args.converged_loss and args.guard_every and (step + 1) % args.guard_every == 0 \
                and step + 1 < args.iterations and _mean(losses[-args.report_every:]) < args.converged_loss:
            converged_at = step + 1
            callback.on_report({"step": step + 1, "of": args.iterations, "converged": converged_at})
            break
    model.eval()
    tail = losses[-min(args.report_every, len(losses)):]
    return TrainResult(steps=len(losses), tokens=tokens, target_tokens=targets, seconds=round(seconds, 4),
                       tokens_per_s=round(tokens / seconds, 2) if seconds else 0.0, losses=tuple(losses),
                       final_loss=sum(tail) / len(tail), learning_rate=peak, paused_seconds=round(paused, 4),
                       anchor_kl=_mean(anchor_losses[-args.report_every:]),
                       kept_steps=kept_steps if checked else len(losses), stopped=stopped,
                       backoffs=tuple(backoffs), converged_at=converged_at)


def _snapshot(params) -> list:
    return [p.detach().clone() for p in params]


def _restore(params, snapshot) -> None:
    torch = _torch()
    with torch.no_grad():
        for p, saved in zip(params, snapshot):
            p.copy_(saved)


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None
