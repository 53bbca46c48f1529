#!/usr/bin/env python3
"""Checks that transformers loads a saved organism (tokenizer + model) and computes the logits we compute.

Our side: `npx tsx apps/organism/scripts/write-organism-expect.ts MODEL_DIR expect.json`. Here, offline:
  - AutoTokenizer renders each chat with the model's chat template and encodes it: the ids must equal ours;
  - AutoModelForCausalLM (fp32, eager attention) on the same left-padded batch: max |logit - ours| over
    unpadded positions must be <= the tolerance in expect.json (1e-4).
Prints one JSON line; exit code 0 when both hold.

usage: python3 apps/organism/scripts/check-organism-hf.py --model DIR --expect expect.json [--device cpu|cuda]
"""
import argparse
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    with open(args.expect, encoding="utf-8") as f:
        exp = json.load(f)
    tok = AutoTokenizer.from_pretrained(args.model, local_files_only=True)
    ids_ok = True
    for chat, ours, mask in zip(exp["chats"], exp["inputIds"], exp["attentionMask"]):
        text = tok.apply_chat_template(chat["messages"], tokenize=False, add_generation_prompt=chat["addGenerationPrompt"])
        theirs = tok(text, add_special_tokens=False)["input_ids"]
        ids_ok &= theirs == [i for i, m in zip(ours, mask) if m == 1]
    model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32, attn_implementation="eager")
    model.eval().to(args.device)
    ids = torch.tensor(exp["inputIds"], device=args.device)
    mask = torch.tensor(exp["attentionMask"], device=args.device)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        got = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits.float().cpu()
    want = torch.tensor(exp["logits"], dtype=torch.float32)
    diff = (got - want).abs()[mask.cpu().bool()]
    max_diff = float(diff.max())
    ok = ids_ok and max_diff <= float(exp["tolerance"])
    print(json.dumps({"model": args.model, "idsMatch": ids_ok, "maxAbsDiff": max_diff, "maxAbsLogit": float(want.abs().max()),
                      "tolerance": exp["tolerance"], "ok": ok, "shape": list(got.shape),
                      "transformers": transformers.__version__, "torch": torch.__version__}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
