#!/usr/bin/env python3
"""Peer benchmark in PyTorch eager on the same GPU as our WebGPU numbers.

B1: sampling, Qwen2.5-0.5B shape (random init), 64 prompts x 128 tokens, 128 new tokens,
    temperature 1, KV cache (HF generate).
B2: GRPO update, same model, 64 sequences x 256 tokens: forward + token log-probs + clipped
    policy loss (token-mean) + backward + AdamW step.
B2resp: B2 with the vocabulary head on the response positions only (HF's logits_to_keep), the work our
    GrpoUpdater does (log-probs from the first response column on); same loss on the same tokens.
Each prints one JSON line per dtype: median of >= 3 warm runs after one warm-up.
Usage: python3 bench/peers/torch_grpo.py [--runs 3] [--dtypes fp32,bf16] [--workloads b1,b2,b2resp]
"""
import argparse, inspect, json, statistics, time

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM

QWEN25_05B = dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                  num_key_value_heads=2, vocab_size=151936, max_position_embeddings=32768, rope_theta=1000000.0,
                  rms_norm_eps=1e-6, tie_word_embeddings=True, hidden_act="silu")


def build(dtype):
    torch.manual_seed(0)
    cfg = Qwen2Config(**QWEN25_05B)
    cfg._attn_implementation = "sdpa"
    model = Qwen2ForCausalLM(cfg).to("cuda", dtype=dtype)
    return model


def timed(fn, runs):
    fn()  # warm-up
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        torch.cuda.synchronize(); t0 = time.perf_counter(); fn(); torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def b1(dtype, name, runs):
    model = build(dtype).eval()
    g = torch.Generator(device="cuda").manual_seed(0)
    ids = torch.randint(0, 151000, (64, 128), device="cuda", generator=g)
    mask = torch.ones_like(ids)

    @torch.no_grad()
    def run():
        out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=128, min_new_tokens=128,
                             do_sample=True, temperature=1.0, top_p=1.0, top_k=0, use_cache=True,
                             pad_token_id=0)
        assert out.shape[1] == 256
    med, times = timed(run, runs)
    print(json.dumps({"workload": "B1-sampling", "peer": "pytorch-eager-hf-generate", "dtype": name,
                      "device": torch.cuda.get_device_name(), "shapes": {"batch": 64, "prompt": 128, "new": 128},
                      "medianSeconds": med, "tokensPerSecond": 64 * 128 / med, "runs": times}), flush=True)
    del model; torch.cuda.empty_cache()


def keep_kwargs(model, n):
    """forward kwargs computing logits for the last n positions only (the argument's name moved across HF versions)."""
    params = inspect.signature(model.forward).parameters
    for key in ("logits_to_keep", "num_logits_to_keep"):
        if key in params:
            return {key: n}
    raise SystemExit("this transformers version has no logits_to_keep / num_logits_to_keep")


def b2(dtype, name, runs, response_only=False):
    model = build(dtype).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-6, weight_decay=0.01)
    g = torch.Generator(device="cuda").manual_seed(0)
    ids = torch.randint(0, 151000, (64, 256), device="cuda", generator=g)
    mask = torch.ones_like(ids)
    resp = torch.zeros_like(ids, dtype=torch.float32); resp[:, 128:] = 1
    adv = torch.randn(64, 1, device="cuda", generator=g).expand(64, 256)
    with torch.no_grad():
        old = None

    # response-only: positions 127..254 predict tokens 128..255 (every column the loss uses)
    start = 128 if response_only else 1
    kw = keep_kwargs(model, 256 - start + 1) if response_only else {}

    def step():
        nonlocal old
        logits = model(input_ids=ids, attention_mask=mask, **kw).logits[:, :-1].float()
        logp = torch.log_softmax(logits, -1).gather(-1, ids[:, start:, None]).squeeze(-1)
        if old is None:
            old = logp.detach()
        ratio = torch.exp(torch.clamp(logp - old, max=3.0))
        a = adv[:, start:]
        loss1 = -a * ratio
        loss2 = -a * torch.clamp(ratio, 0.8, 1.2)
        l = torch.maximum(loss1, loss2)
        l = torch.where(a < 0, torch.minimum(l, -a * 3.0), l)
        m = resp[:, start:]
        loss = (l * m).sum() / m.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    torch.cuda.reset_peak_memory_stats()
    med, times = timed(step, runs)
    print(json.dumps({"workload": "B2-grpo-update",
                      "peer": "pytorch-eager-response-logits" if response_only else "pytorch-eager", "dtype": name,
                      "device": torch.cuda.get_device_name(), "shapes": {"batch": 64, "seq": 256},
                      "medianSeconds": med, "peakMemoryGB": torch.cuda.max_memory_allocated() / 1e9,
                      "runs": times}), flush=True)
    del model, opt; torch.cuda.empty_cache()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dtypes", default="fp32,bf16")
    ap.add_argument("--workloads", default="b1,b2,b2resp")
    a = ap.parse_args()
    dts = {"fp32": torch.float32, "bf16": torch.bfloat16}
    for w in a.workloads.split(","):
        for d in a.dtypes.split(","):
            if w == "b1":
                b1(dts[d], d, a.runs)
            else:
                b2(dts[d], d, a.runs, response_only=(w == "b2resp"))
