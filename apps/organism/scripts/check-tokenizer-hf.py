#!/usr/bin/env python3
"""Checks that HF transformers reads an organism tokenizer exactly as @magic/lm does.

Loads the tokenizer dir with AutoTokenizer and compares, for every case in the ids file written by
`npx tsx apps/organism/scripts/write-tokenizer-ids.ts` (our side):
  - encode(text, add_special_tokens=False) == ids, and decode(ids) == text;
  - apply_chat_template(messages, tokenize=False, add_generation_prompt=...) == rendered;
  - the special tokens' ids, eos and pad.
No network needed. Exit code 0 when everything matches, 1 otherwise (mismatches are printed).

usage: python3 apps/organism/scripts/check-tokenizer-hf.py \
         --tokenizer apps/organism/data/tokenizer-s --ids apps/organism/data/tokenizer-s-ids.json
"""
import argparse
import json
import sys

from transformers import AutoTokenizer


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--ids", required=True)
    args = ap.parse_args()
    tok = AutoTokenizer.from_pretrained(args.tokenizer, local_files_only=True)
    with open(args.ids, encoding="utf-8") as f:
        ours = json.load(f)
    bad = 0
    for i, case in enumerate(ours["cases"]):
        ids = tok.encode(case["text"], add_special_tokens=False)
        if ids != case["ids"]:
            bad += 1
            print(f"case {i}: ids differ\n  hf:   {ids}\n  ours: {case['ids']}")
        text = tok.decode(case["ids"], skip_special_tokens=False, clean_up_tokenization_spaces=False)
        if text != case["text"]:
            bad += 1
            print(f"case {i}: decode differs: {text!r} != {case['text']!r}")
    for i, chat in enumerate(ours["chats"]):
        rendered = tok.apply_chat_template(
            chat["messages"], tokenize=False, add_generation_prompt=chat["addGenerationPrompt"]
        )
        if rendered != chat["rendered"]:
            bad += 1
            print(f"chat {i}: template differs: {rendered!r} != {chat['rendered']!r}")
        ids = tok.encode(rendered, add_special_tokens=False)
        if ids != chat["ids"]:
            bad += 1
            print(f"chat {i}: ids differ\n  hf:   {ids}\n  ours: {chat['ids']}")
    for content, want in ours["specialIds"].items():
        got = tok.convert_tokens_to_ids(content)
        if got != want:
            bad += 1
            print(f"special {content}: hf {got} != ours {want}")
    if tok.eos_token_id != ours["eosTokenId"] or tok.pad_token_id != ours["padTokenId"]:
        bad += 1
        print(f"eos/pad: hf {tok.eos_token_id}/{tok.pad_token_id} != ours {ours['eosTokenId']}/{ours['padTokenId']}")
    if len(tok) != ours["vocabSize"]:
        bad += 1
        print(f"vocab size: hf {len(tok)} != ours {ours['vocabSize']}")
    n = len(ours["cases"]) + len(ours["chats"])
    print(f"{'OK' if bad == 0 else 'FAILED'}: {n} cases, {bad} mismatches ({args.tokenizer})")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
