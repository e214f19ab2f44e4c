"""The local runtime on a tiny real Llama: generation, batching, streaming, cutting, adapters."""

from __future__ import annotations

import torch

from cognition.runtime import CUT_MARK, LOOP_TOKENS, LocalRuntime, loop_start
from system1.adapters import AdapterStore


def _msgs(text):
    return [{"role": "user", "content": text}]


def test_greedy_generation_is_deterministic_and_counts_tokens(tiny_runtime):
    a = tiny_runtime.chat(_msgs("Hello there"), adapter=False, max_new_tokens=12)
    b = tiny_runtime.chat(_msgs("Hello there"), adapter=False, max_new_tokens=12)
    assert a.text == b.text
    assert 0 < a.new_tokens <= 12
    assert a.prompt_tokens == tiny_runtime.count(tiny_runtime.render(_msgs("Hello there")))


def test_batched_generation_matches_one_at_a_time(tiny_runtime):
    prompts = [_msgs("Hi"), _msgs("Tell me something about the sea and boats"), _msgs("My cat is called Tuppen.")]
    batched = [g.text for g in tiny_runtime.generate(prompts, adapter=False, max_new_tokens=10)]
    single = [tiny_runtime.chat(p, adapter=False, max_new_tokens=10).text for p in prompts]
    assert batched == single


def test_streaming_delivers_the_same_text_and_a_first_token_time(tiny_runtime):
    chunks: list[str] = []
    g = tiny_runtime.chat(_msgs("Stream this"), adapter=False, max_new_tokens=16, on_text=chunks.append)
    assert "".join(chunks).strip() == g.text
    assert g.first_token_s is not None and 0 < g.first_token_s <= g.seconds
    assert "".join(tiny_runtime.stream(_msgs("Stream this"), adapter=False, max_new_tokens=16)).strip() == g.text


def test_a_prompt_longer_than_the_context_is_cut_with_a_note(tiny_runtime):
    long = "word " * 3000
    g = tiny_runtime.chat(_msgs(long), adapter=False, max_new_tokens=8)
    assert g.note and "cut" in g.note
    assert g.prompt_tokens <= tiny_runtime.context_tokens - 8
    fitted, _ = tiny_runtime.fit(_msgs(long), 8)
    assert CUT_MARK.split("{")[0].strip() in fitted[0]["content"]


def _logits(runtime, adapter: bool):
    ids = runtime.tokenizer("The lighthouse keeper", return_tensors="pt")
    ctx = runtime.adapter_on() if adapter else runtime.adapter_off()
    with ctx as model, torch.no_grad():
        return model(**ids).logits


def test_one_base_serves_the_adapter_on_and_off(tiny_runtime, tmp_path, adapter_factory):
    bare = _logits(tiny_runtime, adapter=True)  # no adapter yet: "on" is the bare base
    store = AdapterStore(tmp_path / "adapters")
    version = adapter_factory(store)
    tiny_runtime.load_adapter(version, store.path(version))
    assert tiny_runtime.adapter == version
    on, off = _logits(tiny_runtime, adapter=True), _logits(tiny_runtime, adapter=False)
    assert torch.allclose(off, bare, atol=1e-5)
    assert not torch.allclose(on, bare, atol=1e-3)


def test_unloading_a_candidate_keeps_the_promoted_adapter_serving_quietly(tiny_runtime, tmp_path, adapter_factory,
                                                                         recwarn):
    store = AdapterStore(tmp_path / "adapters")
    promoted = adapter_factory(store)
    tiny_runtime.load_adapter(promoted, store.path(promoted))
    served = _logits(tiny_runtime, adapter=True)
    candidate = adapter_factory(store)
    tiny_runtime.load_adapter("candidate", store.path(candidate))   # the self-test's candidate, then dropped
    tiny_runtime.load_adapter(promoted, store.path(promoted))
    tiny_runtime.load_adapter("candidate", store.path(candidate))
    tiny_runtime.unload_adapter("candidate")                         # while it is the active one
    assert not [w for w in recwarn if "now deleted" in str(w.message)]
    tiny_runtime.load_adapter(promoted, store.path(promoted))
    assert torch.allclose(_logits(tiny_runtime, adapter=True), served, atol=1e-5)


def test_bf16_is_chosen_only_where_asked_or_supported(tiny_source):
    rt = LocalRuntime(tiny_source, dtype="bfloat16", context_tokens=128)
    assert next(rt.base.parameters()).dtype == torch.bfloat16
    assert rt.chat(_msgs("Hi"), adapter=False, max_new_tokens=4).new_tokens > 0


def test_a_reply_that_repeats_itself_ends_before_the_repeat():
    said = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    assert loop_start([1, 2] + said + said + said[:4], n=12) == 14   # one copy kept
    assert loop_start([1, 2, 3, 4, 0, 0, 0], n=2, ends={0}) == 4     # padding ends a row
    assert loop_start(list(range(40)), n=12) == 40                    # nothing repeats


def test_the_loop_guard_cuts_a_looping_generation_where_it_starts_to_repeat(tiny_runtime):
    prompts = [_msgs("Hello there"), _msgs("Tell me something about the sea and boats")]
    plain = tiny_runtime.generate(prompts, adapter=False, max_new_tokens=60)
    guarded = tiny_runtime.generate(prompts, adapter=False, max_new_tokens=60, loops=True)
    for p, g in zip(plain, guarded):
        assert p.text.startswith(g.text)           # the same greedy reply, cut or not
        assert g.new_tokens <= p.new_tokens
    # A tiny random model loops at once ("lessnesslessness…"): each reply keeps one copy.
    assert all(g.new_tokens < LOOP_TOKENS for g in guarded) and all(p.new_tokens == 60 for p in plain)


def test_one_pass_serves_each_row_with_its_own_adapter(tiny_runtime, tmp_path, adapter_factory):
    store_a, store_b = AdapterStore(tmp_path / "a"), AdapterStore(tmp_path / "b")
    a, b = adapter_factory(store_a, seed=1, scale=2.0), adapter_factory(store_b, seed=2, scale=2.0)
    tiny_runtime.load_adapter("alice-v", store_a.path(a))
    tiny_runtime.load_adapter("bob-v", store_b.path(b))
    prompts = [_msgs("The lighthouse keeper"), _msgs("The lighthouse keeper"), _msgs("The lighthouse keeper")]
    mixed = [g.text for g in tiny_runtime.generate(prompts, adapter=False, max_new_tokens=8,
                                                   adapters=["alice-v", "bob-v", None])]
    alone = []
    for name in ("alice-v", "bob-v"):
        tiny_runtime.load_adapter(name, store_a.path(a) if name == "alice-v" else store_b.path(b))
        alone.append(tiny_runtime.chat(prompts[0], adapter=True, max_new_tokens=8).text)
    alone.append(tiny_runtime.chat(prompts[0], adapter=False, max_new_tokens=8).text)
    assert mixed == alone
    assert len(set(alone)) == 3   # the adapters really differ, so the rows were not served alike


def test_requests_that_arrive_together_leave_as_one_batch(tiny_runtime):
    import threading

    from cognition.runtime import Batcher

    # A window far longer than the test: the batch leaves when it is full, not when time is up.
    batcher = Batcher(tiny_runtime, max_batch=4, window_s=600)
    texts = [f"Say something about the number {i}" for i in range(4)]
    answers: dict[int, str] = {}

    def ask(i):
        answers[i] = batcher.submit(_msgs(texts[i]), None, max_new_tokens=6, temperature=0.0).text

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert batcher.batches == [4]
    alone = [tiny_runtime.chat(_msgs(t), adapter=False, max_new_tokens=6).text for t in texts]
    assert [answers[i] for i in range(4)] == alone


def test_the_model_is_granted_in_the_order_it_was_asked_for():
    import threading
    import time

    from cognition.runtime import FairLock

    lock, order = FairLock(), []
    lock.acquire()
    threads = []
    for i in range(5):
        threads.append(threading.Thread(target=lambda i=i: (lock.acquire(), order.append(i), lock.release())))
        threads[-1].start()
        while len(lock._waiting) < i + 1:   # each has queued before the next starts
            time.sleep(0.001)
    with lock:   # re-entrant for its holder
        pass
    lock.release()
    for t in threads:
        t.join()
    assert order == [0, 1, 2, 3, 4]


def test_a_temperature_too_small_to_sample_with_decodes_greedily(tiny_runtime):
    greedy = tiny_runtime.chat(_msgs("Hello there"), adapter=False, max_new_tokens=8).text
    assert tiny_runtime.chat(_msgs("Hello there"), adapter=False, max_new_tokens=8, temperature=1e-300).text == greedy
