#!/usr/bin/env python3
"""HF transformers reference fixtures for @magic/lm (runs offline: torch + transformers + safetensors only).

Generate (writes DIR/<model>/ HF folders + DIR/reference.json):
  python3 packages/lm/scripts/make-reference.py --out packages/lm/fixtures/reference [--device cpu|cuda]

Check a checkpoint saved by OUR code (loads it with transformers, compares logits with the ones our code recorded):
  python3 packages/lm/scripts/make-reference.py --check-saved DIR --expect DIR/expect.json
  expect.json: {"inputIds": [[...]], "attentionMask": [[...]], "logits": [[[...vocab]]]}   (logits at every position)
  prints one JSON line {"checkSaved": DIR, "maxAbsDiff": x, "ok": bool, ...}; exit code 1 if not ok.
"""
import argparse
import json
import os
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from transformers import GenerationConfig, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOKENIZER_DIR = os.path.join(HERE, "..", "src", "tiny-tokenizer")
PAD, IM_START, IM_END = 509, 510, 511

MODELS = {
    # tied embeddings, GQA 5:1, head_dim 8
    "tiny-tied": dict(
        vocab_size=512, hidden_size=40, intermediate_size=72, num_hidden_layers=2, num_attention_heads=5,
        num_key_value_heads=1, rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=True,
        max_position_embeddings=128, seed=1,
    ),
    # untied head, GQA 2:1, head_dim 12
    "tiny-untied": dict(
        vocab_size=512, hidden_size=48, intermediate_size=88, num_hidden_layers=3, num_attention_heads=4,
        num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=1000000.0, tie_word_embeddings=False,
        max_position_embeddings=128, seed=2,
    ),
}

CONVERSATIONS = [
    [{"role": "user", "content": "How do I bake bread?"}],
    [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "The capital of France is Paris."},
        {"role": "user", "content": "Thank you! Über ☃ 12"},
    ],
    [
        {"role": "user", "content": "Write a short poem about the sea."},
        {"role": "assistant", "content": "The sea is wide,\nthe sky is blue."},
    ],
]

ENCODE_TEXTS = [
    "How do I bake bread?",
    "  leading spaces, tabs\tand\nnewlines\n\n",
    "Numbers 2024 and 3.14; émigré naïve Über ☃ 日本",
    "<|im_start|>user\nHi<|im_end|>\n",
]


def load_tokenizer(tok_dir):
    with open(os.path.join(tok_dir, "tokenizer_config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    tok = PreTrainedTokenizerFast(
        tokenizer_file=os.path.join(tok_dir, "tokenizer.json"),
        eos_token=cfg["eos_token"],
        pad_token=cfg["pad_token"],
        additional_special_tokens=cfg["additional_special_tokens"],
        clean_up_tokenization_spaces=False,
    )
    tok.chat_template = cfg["chat_template"]
    tok.padding_side = "left"
    return tok


def randomize(model, seed):
    """Default init (std 0.02, zero biases, unit norms) gives near-flat logits: use larger weights and non-zero
    biases / norm weights so every parameter matters and greedy argmax has clear margins."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.3 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.25 * torch.randn(p.shape, generator=g))


def position_ids_for(mask):
    pos = mask.long().cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 0)


def rounded(t):
    return [[[round(v, 6) for v in row] for row in seq] for seq in t.tolist()]


def logits_for(model, ids, mask, device):
    ids_t = torch.tensor(ids, device=device)
    mask_t = torch.tensor(mask, device=device)
    with torch.no_grad():
        out = model(input_ids=ids_t, attention_mask=mask_t, position_ids=position_ids_for(mask_t), use_cache=False)
    return out.logits.float().cpu()


def left_pad(seqs):
    n = max(len(s) for s in seqs)
    return [[PAD] * (n - len(s)) + s for s in seqs], [[0] * (n - len(s)) + [1] * len(s) for s in seqs]


def greedy(model, prompts, max_new, device):
    ids, mask = left_pad(prompts)
    ids_t = torch.tensor(ids, device=device)
    mask_t = torch.tensor(mask, device=device)
    with torch.no_grad():
        out = model.generate(
            input_ids=ids_t, attention_mask=mask_t, max_new_tokens=max_new, do_sample=False,
            eos_token_id=[IM_END], pad_token_id=PAD, output_scores=True, return_dict_in_generate=True,
        )
    seqs = out.sequences[:, ids_t.shape[1]:].cpu().tolist()
    # smallest top1-top2 logit margin per sequence (how robust token identity is to float error)
    margins = [float("inf")] * len(prompts)
    for step_scores in out.scores:
        top2 = torch.topk(step_scores.float(), 2, dim=-1).values
        for b in range(len(prompts)):
            margins[b] = min(margins[b], float(top2[b, 0] - top2[b, 1]))
    trimmed = []
    for s in seqs:
        t = []
        for tok in s:
            t.append(tok)
            if tok == IM_END:
                break
        trimmed.append(t)
    return {"prompts": prompts, "newTokens": trimmed, "minTop2Margin": margins}


def make_model(name, spec, out_dir, device):
    spec = dict(spec)
    seed = spec.pop("seed")
    torch.manual_seed(seed)
    config = Qwen2Config(
        **spec, hidden_act="silu", use_sliding_window=False, attention_dropout=0.0, bos_token_id=PAD,
        eos_token_id=IM_END, torch_dtype="float32", use_cache=True,
    )
    config._attn_implementation = "eager"
    model = Qwen2ForCausalLM(config).float()
    randomize(model, seed)
    model.tie_weights()
    model.eval().to(device)
    mdir = os.path.join(out_dir, name)
    model.save_pretrained(mdir, safe_serialization=True)
    GenerationConfig(bos_token_id=PAD, eos_token_id=[IM_END, PAD], pad_token_id=PAD, do_sample=False).save_pretrained(mdir)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(TOKENIZER_DIR, f), os.path.join(mdir, f))
    return model


def record_model(model, tok, device):
    single = tok.encode("<|im_start|>user\nHow do I bake bread?<|im_end|>\n", add_special_tokens=False)
    batch_seqs = [single[:7], tok.encode("The weather today is sunny", add_special_tokens=False), [IM_START, 5, 300, 42]]
    b_ids, b_mask = left_pad(batch_seqs)
    rec = {
        "single": {"inputIds": [single], "attentionMask": [[1] * len(single)],
                   "logits": rounded(logits_for(model, [single], [[1] * len(single)], device))},
        "padded": {"inputIds": b_ids, "attentionMask": b_mask,
                   "logits": rounded(logits_for(model, b_ids, b_mask, device))},
    }
    prompts = [
        tok.encode("<|im_start|>user\nHow do I bake bread?<|im_end|>\n<|im_start|>assistant\n", add_special_tokens=False),
        tok.encode("The quick brown fox", add_special_tokens=False),
    ]
    rec["greedy"] = {"batched": greedy(model, prompts, 12, device),
                     "single": [greedy(model, [p], 12, device) for p in prompts]}
    return rec


def generate(args):
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = args.device
    os.makedirs(args.out, exist_ok=True)
    tok = load_tokenizer(TOKENIZER_DIR)
    ref = {
        "transformers": __import__("transformers").__version__,
        "torch": torch.__version__,
        "device": device,
        "chat": [],
        "encode": [],
        "models": {},
    }
    for conv in CONVERSATIONS:
        for agp in (False, True):
            text = tok.apply_chat_template(conv, tokenize=False, add_generation_prompt=agp)
            ref["chat"].append({"messages": conv, "addGenerationPrompt": agp, "text": text,
                                "ids": tok.encode(text, add_special_tokens=False)})
    for text in ENCODE_TEXTS:
        ids = tok.encode(text, add_special_tokens=False)
        ref["encode"].append({"text": text, "ids": ids, "decoded": tok.decode(ids),
                              "decodedSkipSpecial": tok.decode(ids, skip_special_tokens=True)})
    for name, spec in MODELS.items():
        model = make_model(name, spec, args.out, device)
        ref["models"][name] = {"dir": name, **record_model(model, tok, device)}
    with open(os.path.join(args.out, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(ref, f, ensure_ascii=False, separators=(",", ":"))
    summary = {n: {"greedyMinMargin": min(m["greedy"]["batched"]["minTop2Margin"]),
                   "greedyBatched": m["greedy"]["batched"]["newTokens"]} for n, m in ref["models"].items()}
    print(json.dumps({"wrote": args.out, "transformers": ref["transformers"], "torch": ref["torch"], "models": summary}))


def check_saved(args):
    device = args.device
    with open(args.expect, encoding="utf-8") as f:
        exp = json.load(f)
    model = Qwen2ForCausalLM.from_pretrained(args.check_saved, torch_dtype=torch.float32, attn_implementation="eager")
    model.eval().to(device)
    got = logits_for(model, exp["inputIds"], exp["attentionMask"], device)
    want = torch.tensor(exp["logits"], dtype=torch.float32)
    mask = torch.tensor(exp["attentionMask"], dtype=torch.bool)
    diff = (got - want).abs()[mask]
    max_diff = float(diff.max())
    tol = float(exp.get("tolerance", 1e-4))
    ok = max_diff <= tol
    print(json.dumps({"checkSaved": args.check_saved, "maxAbsDiff": max_diff, "tolerance": tol, "ok": ok,
                      "shape": list(got.shape), "tieWordEmbeddings": model.config.tie_word_embeddings,
                      "transformers": __import__("transformers").__version__}))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out")
    p.add_argument("--device", default="cpu", help="cpu (default: exact fp32) or cuda")
    p.add_argument("--check-saved", dest="check_saved")
    p.add_argument("--expect")
    args = p.parse_args()
    if args.check_saved:
        if not args.expect:
            p.error("--check-saved needs --expect FILE")
        sys.exit(check_saved(args))
    if not args.out:
        p.error("--out DIR is required")
    generate(args)


if __name__ == "__main__":
    main()
