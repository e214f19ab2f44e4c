"""The trainer's CUDA paths on the tiny real Llama: QLoRA (bitsandbytes NF4 with double
quantisation) and bf16. Skipped where no CUDA device is present, as on CI's CPU machine;
they run on a GPU machine (`pytest tests/consolidation/test_train_cuda.py`).

An adapter trained over a 4-bit base must serve over the full-precision base too (System 1
loads it on the CPU, or into vLLM over the bf16 weights), so the last check moves it to the
CPU and asks the plain base with it what it learned.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("no CUDA device: the QLoRA and CUDA bf16 paths need one", allow_module_level=True)
pytest.importorskip("bitsandbytes")

from consolidation.train import (TrainingArgs, base_parameters, collate, compute_dtype, evaluate,  # noqa: E402
                                 generate_text, load_for_training, save_adapter, text_perplexity, tokenize, train)
from system1.prompts import answer_messages  # noqa: E402

FACTS = [("What's my dog called?", "Your dog is called Biscuit."),
         ("Where does my brother Joris work?", "Joris works at a bakery in Delft."),
         ("Which instrument do I play?", "You play the cello."),
         ("What am I allergic to?", "You are allergic to walnuts.")]
EXAMPLES = [answer_messages(q) + [{"role": "assistant", "content": a}] for q, a in FACTS]


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def args(**kwargs) -> TrainingArgs:
    defaults = dict(rank=4, alpha=8, iterations=30, batch_size=4, learning_rate=1e-2, warmup=0, report_every=10)
    return TrainingArgs(**{**defaults, **kwargs})


def _linear_kinds(model) -> set[str]:
    inner = model.get_base_model()
    return {type(m).__name__ for name, m in inner.named_modules() if name.endswith("q_proj.base_layer")}


def test_qlora_quantises_the_base_to_nf4_and_learns(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args(qlora=True))
    assert _linear_kinds(model) == {"Linear4bit"}
    quant = model.get_base_model().config.quantization_config
    assert quant.bnb_4bit_quant_type == "nf4" and quant.bnb_4bit_use_double_quant
    assert all(p.is_cuda for p in model.parameters())
    assert all(p.dtype == torch.float32 for p in model.parameters() if p.requires_grad)
    assert compute_dtype(model) == torch.bfloat16  # autocast, though peft keeps norms and embeddings in fp32
    assert not model.get_base_model().is_activation_checkpointing
    dense = load_for_training(tiny_model_dir, args(qlora=False, dtype="float32"))
    assert base_parameters(model) == base_parameters(dense)  # packed 4-bit weights counted as weights
    result = train(model, tokenizer, EXAMPLES, args(qlora=True))
    assert result.final_loss < result.losses[0] - 0.5
    assert text_perplexity(model, tokenizer, "The cat sat on the mat.") > 1.0
    assert all(isinstance(r, str) for r in generate_text(model, tokenizer, [answer_messages(FACTS[0][0])], 8))


def test_qlora_with_gradient_checkpointing_learns_the_same(tiny_model_dir, tokenizer):
    runs = {}
    for recompute in (False, True):
        model = load_for_training(tiny_model_dir, args(qlora=True, gradient_checkpointing=recompute))
        assert model.get_base_model().is_activation_checkpointing is recompute
        runs[recompute] = train(model, tokenizer, EXAMPLES, args(qlora=True, iterations=4)).losses
    assert runs[True] == pytest.approx(runs[False], rel=1e-2)  # bf16 recomputation: close, not bitwise


def test_bf16_on_cuda_keeps_the_base_in_bf16_and_learns(tiny_model_dir, tokenizer):
    model = load_for_training(tiny_model_dir, args(qlora=False))
    assert _linear_kinds(model) == {"Linear"}
    frozen = {p.dtype for p in model.parameters() if not p.requires_grad}
    assert frozen == {torch.bfloat16} and all(p.is_cuda for p in model.parameters())
    result = train(model, tokenizer, EXAMPLES, args(qlora=False))
    assert result.final_loss < result.losses[0] - 0.5


def test_an_adapter_trained_over_nf4_serves_over_the_plain_base_on_the_cpu(tiny_model_dir, tokenizer, tmp_path):
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = load_for_training(tiny_model_dir, args(qlora=True))
    train(model, tokenizer, EXAMPLES, args(qlora=True, iterations=40))
    folder = save_adapter(model, tmp_path / "adapter")

    base = AutoModelForCausalLM.from_pretrained(str(tiny_model_dir), dtype=torch.float32)
    served = PeftModel.from_pretrained(base, str(folder)).eval()
    assert all(not p.is_cuda for p in served.parameters())
    batch = collate([tokenize(tokenizer, m, 256) for m in EXAMPLES], tokenizer.pad_token_id)
    with_adapter = evaluate(served, [batch])
    with served.disable_adapter():
        without = evaluate(served, [batch])
    assert with_adapter < without - 0.5
