"""The local runtime: one base model per process, serving adapters on and off.

System 1 (the adapter on) and the embedded System 2 (the adapter off, through peft's
`disable_adapter()`) share one loaded base, so a laptop holds one copy of the weights.
Generation is serialised by a lock because switching adapters is model-wide state.

On CPUs with native bf16 (AVX512-BF16 or AMX) the base runs in bfloat16: matrix
products there run several times faster than fp32 (see `python -m eval.bench`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from cognition.models import ModelError, ModelSource, REPAIR

log = logging.getLogger(__name__)

Messages = list[dict[str, str]]
CUT_MARK = "\n[… {n} tokens cut to fit the model's context …]\n"


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    new_tokens: int
    seconds: float
    first_token_s: float | None = None
    note: str | None = None  # set when the prompt was cut to fit the context


def cpu_has_bf16() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def pick_dtype(name: str):
    import torch

    if name == "float32":
        return torch.float32
    if name == "bfloat16":
        return torch.bfloat16
    return torch.bfloat16 if (torch.cuda.is_available() or cpu_has_bf16()) else torch.float32


class LocalRuntime:
    """A loaded base with its tokenizer, and the adapters loaded onto it."""

    def __init__(self, source: ModelSource, dtype: str = "auto", context_tokens: int = 4096, threads: int = 0):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.source = source
        self.dtype = pick_dtype(dtype)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(source.path, local_files_only=True)
            self.base = AutoModelForCausalLM.from_pretrained(source.path, dtype=self.dtype, local_files_only=True)
        except Exception as exc:
            raise ModelError(f"cannot load the base model from {source.path} ({type(exc).__name__}: {exc}); {REPAIR}") from exc
        self.base.to(self.device).eval()
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.tokenizer.padding_side = "left"
        limit = getattr(self.base.config, "max_position_embeddings", context_tokens) or context_tokens
        self.context_tokens = min(context_tokens, limit)
        self.model = self.base  # becomes a PeftModel once an adapter is loaded
        self.adapter: str | None = None
        self.lock = FairLock()
        self._batcher: Batcher | None = None

    # -- adapters ------------------------------------------------------------------

    def load_adapter(self, name: str, path: Path) -> None:
        """Load an adapter's weights under `name` and make it the active one."""
        from peft import PeftModel

        with self.lock:
            if self.model is self.base:
                self.model = PeftModel.from_pretrained(self.base, str(path), adapter_name=name, is_trainable=False)
            elif name not in self.model.peft_config:
                self.model.load_adapter(str(path), adapter_name=name, is_trainable=False)
            self.model.set_adapter(name)
            self.model.to(self.device).eval()
            self.adapter = name

    def has_adapter(self, name: str) -> bool:
        return self.model is not self.base and name in self.model.peft_config

    @property
    def batcher(self) -> "Batcher":
        """The process's System 1 batcher for this runtime, started on first use."""
        with self.lock:
            if self._batcher is None:
                self._batcher = Batcher(self)
            return self._batcher

    def unload_adapter(self, name: str) -> None:
        with self.lock:
            if self.model is not self.base and name in self.model.peft_config:
                if self.adapter == name:
                    self.adapter = None
                if len(self.model.peft_config) == 1:
                    self.model = self.base = self.model.unload()
                else:   # another made active first: peft warns when the active one goes
                    others = [n for n in self.model.peft_config if n != name]
                    if self.model.active_adapter == name:
                        self.model.set_adapter(self.adapter if self.adapter in others else others[0])
                    self.model.delete_adapter(name)

    @contextmanager
    def adapter_off(self):
        """The bare base: System 2's view, and System 1 before its first sleep."""
        with self.lock:
            ctx = self.model.disable_adapter() if self.model is not self.base else nullcontext()
            with ctx:
                yield self.model

    @contextmanager
    def adapter_rows(self):
        """The model with every loaded adapter available to `adapter_names` (one per row)."""
        with self.lock:
            if self.model is self.base:
                raise ValueError("no adapter is loaded; load one before naming it for a row")
            yield self.model

    @contextmanager
    def adapter_on(self):
        with self.lock:
            if self.adapter is None:
                with self.adapter_off() as model:
                    yield model
            else:
                yield self.model

    # -- prompts -------------------------------------------------------------------

    def render(self, messages: Messages, add_generation_prompt: bool = True) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)

    def count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def fit(self, messages: Messages, max_new_tokens: int) -> tuple[Messages, str | None]:
        """Cut the longest message in its middle until the prompt fits the context."""
        budget = self.context_tokens - max_new_tokens
        total = self.count(self.render(messages))
        if total <= budget:
            return messages, None
        messages = [dict(m) for m in messages]
        longest = max(range(len(messages)), key=lambda i: len(messages[i]["content"]))
        ids = self.tokenizer(messages[longest]["content"], add_special_tokens=False)["input_ids"]
        keep = max(16, len(ids) - (total - budget) - 32)
        head, tail = ids[: keep * 2 // 3], ids[len(ids) - keep // 3:] if keep // 3 else []
        cut = len(ids) - len(head) - len(tail)
        messages[longest]["content"] = (self.tokenizer.decode(head) + CUT_MARK.format(n=cut)
                                        + self.tokenizer.decode(tail))
        note = f"the message was cut from {len(ids)} to {len(head) + len(tail)} tokens to fit the model's context"
        return messages, note

    # -- generation ----------------------------------------------------------------

    def generate(self, batch: Sequence[Messages], *, adapter: bool, max_new_tokens: int = 64,
                 temperature: float = 0.0, seed: int | None = None, stop: Sequence[str] = (),
                 on_text: Callable[[str], None] | None = None, loops: bool = False,
                 adapters: Sequence[str | None] | None = None) -> list[Generation]:
        """Answer every conversation in `batch` (left-padded into one forward pass).

        `adapters` names a loaded adapter for each row (None: the bare base), so one pass
        serves several users' System 1 at once; without it, `adapter` switches the active
        adapter on or off for the whole batch.

        `on_text` streams the text of a single conversation as it is produced; generation
        ends early at any of the `stop` strings (kept in the text). With `loops`, a reply that
        starts to repeat itself (`LOOP_TOKENS` tokens it already produced, as a small model
        does under greedy decoding) ends there and keeps what came before the repeat; the
        stream may have shown those few tokens.
        """
        import torch

        if not batch:
            return []
        if on_text is not None and len(batch) != 1:
            raise ValueError(f"streaming needs a batch of one conversation, got {len(batch)}")
        fitted = [self.fit(m, max_new_tokens) for m in batch]
        prompts = [self.render(m) for m, _ in fitted]
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        streamer = _streamer(self.tokenizer, on_text) if on_text else None
        kwargs = dict(max_new_tokens=max_new_tokens, pad_token_id=self.tokenizer.pad_token_id,
                      eos_token_id=self.tokenizer.eos_token_id, streamer=streamer)
        criteria = []
        if stop:
            criteria.append(_stop_on_text(self.tokenizer, list(stop), enc["input_ids"].shape[1]))
        if loops:
            criteria.append(_stop_on_loop(enc["input_ids"].shape[1]))
        if criteria:
            from transformers import StoppingCriteriaList

            kwargs["stopping_criteria"] = StoppingCriteriaList(criteria)
        if temperature >= MIN_TEMPERATURE:
            kwargs.update(do_sample=True, temperature=temperature, top_p=0.95)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if adapters is not None:
            if len(adapters) != len(batch):
                raise ValueError(f"{len(adapters)} adapter names for {len(batch)} conversations")
            if any(adapters):
                kwargs["adapter_names"] = [a or "__base__" for a in adapters]
            ctx = self.adapter_rows() if any(adapters) else self.adapter_off()
        else:
            ctx = self.adapter_on() if adapter else self.adapter_off()
        started = time.perf_counter()
        with ctx as model, torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            out = model.generate(**enc, **kwargs)
        seconds = time.perf_counter() - started
        width = enc["input_ids"].shape[1]
        results = []
        for row, (_, note) in zip(range(len(batch)), fitted):
            new = out[row, width:]
            if loops:
                new = new[:loop_start(new.tolist(), ends={self.tokenizer.pad_token_id, self.tokenizer.eos_token_id})]
            n_new = int((new != self.tokenizer.pad_token_id).sum())
            text = self.tokenizer.decode(new, skip_special_tokens=True).strip()
            prompt_tokens = int(enc["attention_mask"][row].sum())
            first = streamer.first_token_s(started) if streamer else None
            results.append(Generation(text, prompt_tokens, n_new, seconds, first, note))
        return results

    def chat(self, messages: Messages, **kwargs) -> Generation:
        return self.generate([messages], **kwargs)[0]

    def stream(self, messages: Messages, **kwargs) -> Iterator[str]:
        """Yield text as it is generated (the generation runs in a worker thread)."""
        import queue

        chunks: queue.Queue = queue.Queue()
        done = object()
        failure: list[BaseException] = []

        def work():
            try:
                self.generate([messages], on_text=chunks.put, **kwargs)
            except BaseException as exc:  # re-raised in the caller's thread
                failure.append(exc)
            finally:
                chunks.put(done)

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        while (item := chunks.get()) is not done:
            yield item
        worker.join()
        if failure:
            raise failure[0]


LOOP_TOKENS = 12   # a run this long said twice is a loop, not prose
# Below this, sampling divides the logits into infinities: it is greedy decoding in all but name.
MIN_TEMPERATURE = 1e-3


def loop_start(ids: list[int], n: int = LOOP_TOKENS, ends: set = frozenset()) -> int:
    """Where generated `ids` start to repeat themselves: the start of the first run of `n` tokens
    that already occurred (so one copy is kept), else their end; tokens in `ends` (padding,
    end of text) end them."""
    stop = next((i for i, t in enumerate(ids) if t in ends), len(ids))
    seen: set[tuple[int, ...]] = set()
    for i in range(stop - n + 1):
        gram = tuple(ids[i:i + n])
        if gram in seen:
            return i
        seen.add(gram)
    return stop


def _stop_on_loop(prompt_width: int, n: int = LOOP_TOKENS):
    """End a row once its newest `n` tokens repeat `n` it produced before."""
    import torch
    from transformers import StoppingCriteria

    class StopOnLoop(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            rows = input_ids[:, prompt_width:].tolist()
            return torch.tensor([loop_start(r, n) < len(r) for r in rows], device=input_ids.device)

    return StopOnLoop()


def _stop_on_text(tokenizer, stops: list[str], prompt_width: int):
    """End a row once its newest tokens spell a stop string.

    transformers' own `stop_strings` precomputes tables over the whole vocabulary on
    every call (measured: +0.5-0.7 s per generation here, more than a provocation
    costs); decoding the last few tokens is enough for short stop strings.
    """
    import torch
    from transformers import StoppingCriteria

    class StopOnText(StoppingCriteria):
        def __call__(self, input_ids, scores, **kwargs):
            tails = tokenizer.batch_decode(input_ids[:, max(prompt_width, input_ids.shape[1] - 4):])
            return torch.tensor([any(s in t for s in stops) for t in tails], device=input_ids.device)

    return StopOnText()


def _streamer(tokenizer, on_text: Callable[[str], None]):
    """transformers' TextStreamer, sending text to a callback and noting when the first new token came."""
    from transformers import TextStreamer

    class Streamer(TextStreamer):
        first: float | None = None
        _prompt_seen = False

        def on_finalized_text(self, text: str, stream_end: bool = False):
            if text:
                on_text(text)

        def put(self, value):
            # The first put() carries the prompt; the second is the first generated token.
            if self._prompt_seen and self.first is None:
                self.first = time.perf_counter()
            self._prompt_seen = True
            super().put(value)

        def first_token_s(self, started: float) -> float | None:
            return None if self.first is None else self.first - started

    return Streamer(tokenizer, skip_prompt=True, skip_special_tokens=True)


class FairLock:
    """A re-entrant lock granted in the order it was asked for.

    Served turns wait for the one loaded model; a plain lock lets a thread that just
    released it take it again at once, so one busy client could starve the rest.
    """

    def __init__(self):
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._waiting: deque = deque()

    def acquire(self) -> bool:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return True
            ticket = object()
            self._waiting.append(ticket)
            while self._owner is not None or self._waiting[0] is not ticket:
                self._cond.wait()
            self._waiting.popleft()
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a FairLock this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@dataclass
class _Request:
    messages: Messages
    adapter: tuple[str, Path] | None   # (name in the runtime, weights) or None for the bare base
    key: tuple                         # requests generated together share it
    max_new_tokens: int
    temperature: float
    stop: tuple[str, ...]
    seed: int | None
    future: Future = field(default_factory=Future)


class Batcher:
    """Short generations that arrive together (System 1 of concurrent turns) go as one batch.

    Each caller blocks on its own request; one worker thread takes everything queued,
    groups it by generation settings, and runs each group as a single left-padded pass
    with each row's own adapter (`generate(adapters=...)`). While the model is busy
    (a System 2 answer streaming), requests pile up and leave together. A seed is
    honoured only for a batch of one: rows that share a pass share its random state.
    """

    def __init__(self, runtime: "LocalRuntime", max_batch: int = 16, window_s: float = 0.02):
        self.runtime = runtime
        self.max_batch = max_batch
        self.window_s = window_s   # how long the first request waits for company (a provocation takes ~0.4 s)
        self._queue: deque[_Request] = deque()
        self._ready = threading.Condition()
        self.batches: list[int] = []   # the size of each batch generated (benchmarks read it)
        threading.Thread(target=self._work, name="system1-batcher", daemon=True).start()

    def submit(self, messages: Messages, adapter: tuple[str, Path] | None, *, max_new_tokens: int,
               temperature: float, stop: Sequence[str] = (), seed: int | None = None) -> Generation:
        request = _Request(messages, adapter, (max_new_tokens, temperature, tuple(stop)), max_new_tokens,
                           temperature, tuple(stop), seed)
        with self._ready:
            self._queue.append(request)
            self._ready.notify()
        return request.future.result()

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._queue:
                    self._ready.wait()
                until = time.monotonic() + self.window_s
                while len(self._queue) < self.max_batch and (left := until - time.monotonic()) > 0:
                    self._ready.wait(left)
                first = self._queue.popleft()
                group = [first]
                for r in list(self._queue):
                    if len(group) >= self.max_batch:
                        break
                    if r.key == first.key:
                        group.append(r)
                        self._queue.remove(r)
            self._run(group)

    def _run(self, group: list[_Request]) -> None:
        rt = self.runtime
        try:
            with rt.lock:
                for r in group:
                    if r.adapter is not None and not rt.has_adapter(r.adapter[0]):
                        rt.load_adapter(*r.adapter)
                out = rt.generate([r.messages for r in group], adapter=False, adapters=[
                    r.adapter[0] if r.adapter else None for r in group], max_new_tokens=group[0].max_new_tokens,
                    temperature=group[0].temperature, stop=group[0].stop,
                    seed=group[0].seed if len(group) == 1 else None)
        except BaseException as exc:  # every caller hears of it
            for r in group:
                r.future.set_exception(exc)
            return
        self.batches.append(len(group))
        for r, g in zip(group, out):
            r.future.set_result(g)


_runtimes: dict[tuple, LocalRuntime] = {}
_runtimes_lock = threading.Lock()


def shared_runtime(source: ModelSource, dtype: str = "auto", context_tokens: int = 4096, threads: int = 0) -> LocalRuntime:
    """The process's one runtime for a base (System 1 and System 2 share it)."""
    key = (str(source.path), dtype, context_tokens)
    with _runtimes_lock:
        if key not in _runtimes:
            _runtimes[key] = LocalRuntime(source, dtype, context_tokens, threads)
        return _runtimes[key]
