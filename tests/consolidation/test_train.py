"""The trainer on the tiny real Llama (2 layers, SmolLM2's tokenizer): real steps, no mocks.

Only the sleep between pause checks is injected (it is the clock, a true boundary).
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from consolidation.train import (IGNORE, PROJECTIONS, TrainingArgs, TrainingCallback, TrainingError,  # noqa: E402
                                 anchor_loss, anchor_targets, collate, count_trainable, evaluate, generate_text,
                                 iterate_batches, load_for_training, save_adapter, target_loss, text_perplexity,
                                 tokenize, train)
from system1.prompts import answer_messages  # noqa: E402

FACTS = [("What's my cat called?", "Your cat is called Tuppen."),
         ("Where does my sister Ilse live?", "Ilse lives in Ghent."),
         ("What do I do for a living?", "You are a nurse in Porto."),
         ("Which food do I avoid?", "You are vegetarian, so no meat.")]
EXAMPLES = [answer_messages(q) + [{"role": "assistant", "content": a}] for q, a in FACTS]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def args(**kwargs) -> TrainingArgs:
    # qlora=False: these pin the dense paths on any machine (test_train_cuda.py tests the 4-bit one).
    defaults = dict(rank=4, alpha=8, iterations=3, batch_size=4, learning_rate=1e-2, dtype="float32", warmup=0,
                    report_every=2, qlora=False)
    return TrainingArgs(**{**defaults, **kwargs})


class Recorder(TrainingCallback):
    def __init__(self):
        self.steps, self.reports = [], []

    def on_step(self, info):
        self.steps.append(info)

    def on_report(self, info):
        self.reports.append(info)


def test_trainable_parameters_are_exactly_the_lora_matrices(tiny_model_dir):
    # Tiny Llama: hidden 64, intermediate 128, 4 heads of 16, 2 KV heads -> k/v project to 32.
    # LoRA on in->out adds r * (in + out): q 64+64, k 64+32, v 64+32, o 64+64,
    # gate 64+128, up 64+128, down 128+64 -> 1024 r per layer, 2 layers.
    for rank in (4, 8):
        model = load_for_training(tiny_model_dir, args(rank=rank))
        assert count_trainable(model) == 2 * 1024 * rank
        names = {n for n, p in model.named_parameters() if p.requires_grad}
        assert all("lora_" in n for n in names)
        assert {n.split(".")[-4] for n in names} == set(PROJECTIONS)


def test_bf16_base_is_frozen_in_bf16_with_fp32_lora(tiny_model_dir):
    model = load_for_training(tiny_model_dir, args(dtype="bfloat16"))
    trainable = {p.dtype for p in model.parameters() if p.requires_grad}
    frozen = {p.dtype for p in model.parameters() if not p.requires_grad}
    assert trainable == {torch.float32} and frozen == {torch.bfloat16}


def test_prompt_tokens_are_masked_and_only_the_answer_is_labelled(tokenizer):
    item = tokenize(tokenizer, EXAMPLES[0], max_tokens=256)
    prompt = tokenizer.apply_chat_template(EXAMPLES[0][:-1], tokenize=False, add_generation_prompt=True)
    n_prompt = len(tokenizer(prompt, add_special_tokens=False)["input_ids"])
    assert item.labels[:n_prompt] == [IGNORE] * n_prompt
    assert item.labels[n_prompt:] == item.input_ids[n_prompt:]
    assert tokenizer.decode(item.labels[n_prompt:]).startswith("Your cat is called Tuppen.<|im_end|>")
    batch = collate([item, tokenize(tokenizer, EXAMPLES[1], 256)], pad_id=tokenizer.pad_token_id)
    padded = batch["attention_mask"] == 0
    assert padded.any() and bool((batch["labels"][padded] == IGNORE).all())


def test_truncation_keeps_the_answer_and_the_end_of_the_prompt(tokenizer):
    long = answer_messages("word " * 300 + "What's my cat called?") + [EXAMPLES[0][-1]]
    item = tokenize(tokenizer, long, max_tokens=64)
    assert len(item.input_ids) == 64
    assert tokenizer.decode([t for t in item.labels if t != IGNORE]).startswith("Your cat is called Tuppen.")
    assert "assistant" in tokenizer.decode(item.input_ids)


def test_batches_fill_from_a_small_dataset_and_cover_every_example(tokenizer):
    data = [tokenize(tokenizer, m, 256) for m in EXAMPLES[:3]]
    stream = iterate_batches(data, batch_size=4, seed=1, pad_id=tokenizer.pad_token_id)
    seen = set()
    for _ in range(3):
        batch = next(stream)
        assert batch["input_ids"].shape[0] == 4
        seen |= {tuple(row[mask.bool()].tolist()) for row, mask in zip(batch["input_ids"], batch["attention_mask"])}
    assert seen == {tuple(d.input_ids) for d in data}


def test_target_loss_equals_the_models_own_loss(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args())
    batch = collate([tokenize(tokenizer, m, 256) for m in EXAMPLES], tokenizer.pad_token_id)
    with torch.no_grad():
        ours, n = target_loss(model, batch)
        theirs = model(**{k: v.to(model.device) for k, v in batch.items()}).loss
    assert n == int((batch["labels"] != IGNORE).sum())
    assert float(ours) == pytest.approx(float(theirs), rel=1e-5)


def test_the_shared_prompt_is_run_once_with_the_same_loss_and_gradients(tiny_model_dir, tokenizer, monkeypatch):
    import consolidation.train as trainer

    model = load_for_training(tiny_model_dir, args())
    for name, p in model.named_parameters():
        if "lora_B" in name:   # a LoRA that already changes the shared prompt's keys and values
            torch.nn.init.normal_(p, std=0.05)
    batch = collate([tokenize(tokenizer, m, 256) for m in EXAMPLES], tokenizer.pad_token_id)
    shared = trainer.shared_prefix(batch["input_ids"], batch["attention_mask"], batch["labels"])
    system = len(tokenizer.apply_chat_template(EXAMPLES[0][:1], tokenize=True))
    assert system <= shared < int((batch["labels"][0] != IGNORE).long().argmax())

    def loss_and_grads():
        value, n = target_loss(model, batch)
        value.backward()
        grads = [p.grad.clone() for p in model.parameters() if p.requires_grad]
        model.zero_grad()
        return float(value.detach()), n, grads

    once = loss_and_grads()
    monkeypatch.setattr(trainer, "SHARED_MIN", 10 ** 6)   # every row runs its own prompt
    each = loss_and_grads()
    assert once[0] == pytest.approx(each[0], rel=1e-5) and once[1] == each[1]
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(once[2], each[2]))
    assert trainer.shared_prefix(batch["input_ids"][:1], batch["attention_mask"][:1], batch["labels"][:1]) == 0
    same = collate([tokenize(tokenizer, EXAMPLES[0], 256)] * 2, tokenizer.pad_token_id)   # one example twice
    assert trainer.shared_prefix(same["input_ids"], same["attention_mask"], same["labels"]) < \
        int((same["labels"][0] != IGNORE).long().argmax())


def test_loss_decreases_and_the_callback_sees_every_step(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args())
    recorder = Recorder()
    result = train(model, tokenizer, EXAMPLES, args(iterations=20, report_every=8), callback=recorder)
    assert result.steps == 20 and len(result.losses) == 20
    # The tiny model starts at ln(49152) = 10.8 nats, and its final RMSNorm and 0.02-scale tied
    # embeddings cap how far any LoRA can move its logits: half a nat in 20 steps is real learning.
    assert result.final_loss < result.losses[0] - 0.5
    assert sum(result.losses[-5:]) < sum(result.losses[:5])
    assert [e["step"] for e in recorder.steps] == list(range(1, 21))
    assert [e["step"] for e in recorder.reports] == [8, 16, 20]
    assert result.target_tokens == sum(e["target_tokens"] for e in recorder.steps)
    assert result.tokens == sum(e["tokens"] for e in recorder.steps) > result.target_tokens
    assert result.tokens_per_s > 0


PROSE = ["Bread is baked from flour, water, salt and yeast; the dough rises before it goes into a hot oven.",
         "A bicycle turns the push of the rider's legs into the turn of its back wheel through a chain.",
         "Honeybees live in colonies with one queen, thousands of workers and a few drones in summer."]


def _anchor_kl(model, rows) -> float:
    with torch.no_grad():
        return sum(float(anchor_loss(model, r)) for r in rows) / len(rows)


def test_anchor_targets_are_distributions_and_the_fresh_adapter_is_at_zero_kl(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args())
    rows = anchor_targets(model, [tokenizer(t)["input_ids"] for t in PROSE], top_k=8)
    assert len(rows) == 3
    for row, text in zip(rows, PROSE):
        n = len(tokenizer(text)["input_ids"])
        assert row.top_ids.shape == (n - 1, 8) and row.top_logp.shape == (n - 1, 9)
        assert torch.allclose(row.top_logp.exp().sum(-1), torch.ones(n - 1, device=row.top_logp.device), atol=1e-4)
    assert _anchor_kl(model, rows) == pytest.approx(0.0, abs=1e-5)  # B = 0: the adapter is the base


def test_the_anchor_keeps_the_adapter_near_the_base_while_it_learns(tiny_model_dir, tokenizer):
    # The tiny model's distributions are nearly uniform, so no top k holds their mass: take
    # k = the whole vocabulary (the exact KL) here; the embedded base keeps most in its top 32.
    passages, vocab = [tokenizer(t)["input_ids"] for t in PROSE], len(tokenizer)
    kls, losses = {}, {}
    for weight in (0.0, 50.0):
        model = load_for_training(tiny_model_dir, args())
        result = train(model, tokenizer, EXAMPLES, args(iterations=20, anchor_weight=weight, anchor_top_k=vocab),
                       anchor=passages)
        rows = anchor_targets(model, passages, top_k=vocab)  # adapter switched off: the base's own distributions
        kls[weight], losses[weight] = _anchor_kl(model, rows), result
    assert (losses[0.0].anchor_kl is None) and losses[50.0].anchor_kl is not None
    assert kls[50.0] < kls[0.0] / 2
    assert losses[50.0].final_loss < losses[50.0].losses[0] - 0.3  # and it still learns the memories


def test_bf16_training_also_learns(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args(dtype="bfloat16"))
    result = train(model, tokenizer, EXAMPLES, args(dtype="bfloat16", iterations=20))
    assert result.final_loss < result.losses[0] - 0.5


def test_gradient_checkpointing_recomputes_the_same_steps(tiny_model_dir, tokenizer):
    runs = {}
    for recompute in (False, True):
        model = load_for_training(tiny_model_dir, args(gradient_checkpointing=recompute))
        assert model.get_base_model().is_activation_checkpointing is recompute
        runs[recompute] = train(model, tokenizer, EXAMPLES, args(iterations=4)).losses
    assert runs[True] == pytest.approx(runs[False], rel=1e-4)  # same losses: each step's update was the same


def test_continuing_from_a_saved_adapter_starts_from_its_weights(tiny_model_dir, tokenizer, tmp_path):
    first = load_for_training(tiny_model_dir, args())
    train(first, tokenizer, EXAMPLES, args(iterations=8))
    folder = save_adapter(first, tmp_path / "adapter")
    assert (folder / "adapter_config.json").is_file() and (folder / "adapter_model.safetensors").is_file()
    batch = collate([tokenize(tokenizer, m, 256) for m in EXAMPLES], tokenizer.pad_token_id)
    saved_loss = evaluate(first, [batch])

    resumed = load_for_training(tiny_model_dir, args(), init_adapter=folder)
    assert evaluate(resumed, [batch]) == pytest.approx(saved_loss, rel=1e-5)
    result = train(resumed, tokenizer, EXAMPLES, args(iterations=1))  # 4 examples, batch 4: the same batch
    assert result.losses[0] == pytest.approx(saved_loss, rel=1e-5)

    fresh = load_for_training(tiny_model_dir, args())
    assert evaluate(fresh, [batch]) > saved_loss + 0.1  # a fresh LoRA is the bare base: it knows nothing yet


def test_should_pause_holds_training_between_steps(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args())
    answers = iter([False, True, True, True, False, False])
    slept, steps_at_sleep = [], []
    recorder = Recorder()

    def sleep(seconds):
        slept.append(seconds)
        steps_at_sleep.append(len(recorder.steps))

    result = train(model, tokenizer, EXAMPLES, args(iterations=3), callback=recorder,
                   should_pause=lambda: next(answers), pause_poll_s=0.25, sleep=sleep)
    assert result.steps == 3
    assert slept == [0.25, 0.25, 0.25]
    assert steps_at_sleep == [1, 1, 1]  # paused after the first step, before the second


@pytest.mark.parametrize("field, value", [("rank", 0), ("batch_size", -1), ("dropout", 1.5), ("learning_rate", 0.0),
                                          ("dtype", "float16"), ("qlora", "yes"), ("target_modules", ()),
                                          ("max_tokens", 2), ("grad_clip", -1.0), ("converged_loss", -0.1),
                                          ("attention", "flash"), ("gradient_checkpointing", "yes")])
def test_invalid_arguments_name_the_field_and_value(field, value):
    with pytest.raises(TrainingError) as error:
        TrainingArgs(**{field: value})
    assert f"TrainingArgs.{field}" in str(error.value) and repr(value) in str(error.value)


def test_every_argument_has_help():
    assert all(TrainingArgs.help().values())


def test_examples_must_end_with_the_answer(tokenizer):
    with pytest.raises(TrainingError, match="assistant"):
        tokenize(tokenizer, answer_messages("What's my cat called?"), 256)


def test_the_guard_stops_training_and_keeps_the_last_cycle_that_passed(tiny_model_dir, tokenizer):
    batch = collate([tokenize(tokenizer, m, 256) for m in EXAMPLES], tokenizer.pad_token_id)
    reference = load_for_training(tiny_model_dir, args())
    full = train(reference, tokenizer, EXAMPLES, args(iterations=12))   # the same steps, unguarded
    checks = []

    def guard(model):   # passes after 4 steps, fails after 8: as a night drifting in its second cycle
        checks.append(evaluate(model, [batch]))
        return None if len(checks) == 1 else "too far"

    model = load_for_training(tiny_model_dir, args())
    result = train(model, tokenizer, EXAMPLES, args(iterations=12, guard_every=4, guard_backoffs=0), guard=guard)
    assert result.stopped == "too far" and result.kept_steps == 4 and result.steps == 8
    assert len(checks) == 2
    assert result.losses == pytest.approx(full.losses[:8], rel=1e-5)
    assert evaluate(model, [batch]) == pytest.approx(checks[0], rel=1e-5)   # back to the weights after step 4
    assert evaluate(model, [batch]) > checks[1]


def test_training_ends_at_the_first_cycle_whose_loss_has_converged(tiny_model_dir, tokenizer):
    full = train(load_for_training(tiny_model_dir, args()), tokenizer, EXAMPLES, args(iterations=12, report_every=4))
    window = [sum(full.losses[i - 4:i]) / 4 for i in (4, 8)]   # the mean loss of each cycle's last report window
    bound = (window[0] + window[1]) / 2    # the first cycle ends above it, the second below
    assert window[1] < bound < window[0]
    seen = Recorder()
    result = train(load_for_training(tiny_model_dir, args()), tokenizer, EXAMPLES,
                   args(iterations=12, report_every=4, guard_every=4, converged_loss=bound), seen)
    assert result.converged_at == 8 and result.steps == 8 and result.stopped is None
    assert result.losses == pytest.approx(full.losses[:8], rel=1e-5)
    assert {"step": 8, "of": 12, "converged": 8} in seen.reports
    never = train(load_for_training(tiny_model_dir, args()), tokenizer, EXAMPLES,
                  args(iterations=12, report_every=4, guard_every=4, converged_loss=0.0))
    assert never.steps == 12 and never.converged_at is None


def test_a_failed_check_undoes_its_cycle_and_goes_on_at_half_the_learning_rate(tiny_model_dir, tokenizer):
    batch = collate([tokenize(tokenizer, m, 256) for m in EXAMPLES], tokenizer.pad_token_id)
    checks = []

    def guard(model):   # the second cycle goes too far; the first and third pass
        checks.append(evaluate(model, [batch]))
        return "too far" if len(checks) == 2 else None

    unguarded, guarded = Recorder(), Recorder()
    full = train(load_for_training(tiny_model_dir, args()), tokenizer, EXAMPLES, args(iterations=12), unguarded)
    model = load_for_training(tiny_model_dir, args())
    result = train(model, tokenizer, EXAMPLES, args(iterations=12, guard_every=4), guarded, guard=guard)
    assert result.stopped is None and result.steps == 12 and result.kept_steps == 8 and len(checks) == 3
    assert [(b["step"], b["reason"], b["scale"]) for b in result.backoffs] == [(8, "too far", 0.5)]
    rate = lambda rec: [s["learning_rate"] for s in rec.steps]   # noqa: E731
    assert rate(guarded)[:8] == pytest.approx(rate(unguarded)[:8])
    assert rate(guarded)[8:] == pytest.approx([r / 2 for r in rate(unguarded)[8:]])
    assert result.losses[:8] == pytest.approx(full.losses[:8], rel=1e-5)
    assert any(r.get("backed_off") == "too far" for r in guarded.reports)


def test_text_perplexity_is_the_bases_with_the_adapter_off(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args())
    before = text_perplexity(model, tokenizer, PROSE[0])
    train(model, tokenizer, EXAMPLES, args(iterations=6))
    assert text_perplexity(model, tokenizer, PROSE[0], adapter=False) == pytest.approx(before, rel=1e-4)
    assert text_perplexity(model, tokenizer, PROSE[0]) != pytest.approx(before, rel=1e-4)


def test_a_backed_off_cycle_holds_the_anchor_twice_as_hard(tiny_model_dir, tokenizer):
    passages, vocab = [tokenizer(t)["input_ids"] for t in PROSE], len(tokenizer)
    checks = []

    def guard(model):   # the first two cycles go too far
        checks.append(1)
        return "too far" if len(checks) <= 2 else None

    model, seen = load_for_training(tiny_model_dir, args()), Recorder()
    result = train(model, tokenizer, EXAMPLES, args(iterations=12, guard_every=4, anchor_weight=3.0,
                                                    anchor_top_k=vocab), seen, anchor=passages, guard=guard)
    assert [(b["scale"], b["anchor_weight"]) for b in result.backoffs] == [(0.5, 6.0), (0.25, 12.0)]
    assert [s["anchor_weight"] for s in seen.steps] == [3.0] * 4 + [6.0] * 4 + [12.0] * 4   # the weight each step took
    plain = train(load_for_training(tiny_model_dir, args()), tokenizer, EXAMPLES, args(iterations=12, guard_every=4),
                  guard=lambda m: "too far")
    assert [b["anchor_weight"] for b in plain.backoffs] == [None, None]   # no anchor, nothing to hold


def test_generated_replies_are_greedy_left_padded_and_the_adapter_can_be_set_aside(tiny_model_dir, tokenizer):
    prompts = [answer_messages(q) for q, _ in FACTS]   # prompts of different lengths, padded on the left
    model = load_for_training(tiny_model_dir, args())
    fresh = generate_text(model, tokenizer, prompts, 6)
    assert len(fresh) == 4 and fresh == generate_text(model, tokenizer, prompts, 6, adapter=False)   # a new LoRA adds nothing
    assert [generate_text(model, tokenizer, [p], 6)[0] for p in prompts] == fresh   # alone as in the batch
    train(model, tokenizer, EXAMPLES, args(iterations=20))
    model.train()   # as between two cycles
    assert generate_text(model, tokenizer, prompts, 6, adapter=False) == fresh and model.training   # mode kept
    assert generate_text(model, tokenizer, prompts, 6) != fresh   # what it learned answers now
