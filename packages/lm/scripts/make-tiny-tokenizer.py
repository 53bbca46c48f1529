#!/usr/bin/env python3
"""Writes the tiny byte-level BPE tokenizer (vocab 512) used by the `tiny` preset and the HF reference fixtures.

Pure standard library (no `tokenizers`/`transformers` needed). Same file format and pre-tokenizer as Qwen2.5's
tokenizer.json: ids 0..255 are the byte-level alphabet, 256..508 are BPE merges learned on the neutral text below,
509..511 are <|endoftext|>, <|im_start|>, <|im_end|>.

usage: python3 packages/lm/scripts/make-tiny-tokenizer.py [--out packages/lm/src/tiny-tokenizer]
"""
import argparse
import collections
import json
import os
import re

VOCAB_SIZE = 512
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

CORPUS = """
How do I bake bread? Mix flour, water, salt and yeast, then knead the dough and let it rise.
The weather today is sunny with a light breeze. Tomorrow there will be rain in the morning.
You are a helpful assistant. Answer the question clearly and politely.
I can help with that. Here is a simple recipe for a loaf of bread that anyone can make at home.
What is the capital of France? The capital of France is Paris.
Please write a short poem about the sea and the sky and the stars at night.
The quick brown fox jumps over the lazy dog. Numbers: 0 1 2 3 4 5 6 7 8 9 10 100 2024.
Sorry, I cannot help with that request. Is there something else I can do for you?
user assistant system The the and that this with for you your are is was be can will not
Thank you! Let me know if you have any other questions about cooking, gardening or travel.
"""


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def pretokenize(text):
    return re.findall(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]| ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+", text)


def train(num_merges):
    b2u = bytes_to_unicode()
    words = collections.Counter(tuple(b2u[b] for b in w.encode("utf-8")) for w in pretokenize(CORPUS))
    merges = []
    for _ in range(num_merges):
        pairs = collections.Counter()
        for w, c in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += c
        if not pairs:
            break
        best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
        merges.append(best)
        new_words = collections.Counter()
        for w, c in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            new_words[tuple(out)] += c
        words = new_words
    return b2u, merges


def build():
    n_merges = VOCAB_SIZE - 256 - len(SPECIALS)
    b2u, merges = train(n_merges)
    vocab = {}
    for b in range(256):
        vocab[b2u[b]] = len(vocab)
    for a, b in merges:
        if a + b not in vocab:
            vocab[a + b] = len(vocab)
    assert len(vocab) <= VOCAB_SIZE - len(SPECIALS), len(vocab)
    base = VOCAB_SIZE - len(SPECIALS)
    added = [
        {"id": base + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for i, s in enumerate(SPECIALS)
    ]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {
                    "type": "Split",
                    "pattern": {
                        "Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
                    },
                    "behavior": "Isolated",
                    "invert": False,
                },
                byte_level,
            ],
        },
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": vocab,
            "merges": [[a, b] for a, b in merges],
        },
    }
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "qwen2.5-chat-template.jinja")) as f:
        template = f.read()
    config = {
        "add_bos_token": False,
        "add_prefix_space": False,
        "added_tokens_decoder": {
            str(t["id"]): {k: t[k] for k in ("content", "lstrip", "normalized", "rstrip", "single_word", "special")} for t in added
        },
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None,
        "chat_template": template,
        "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>",
        "errors": "replace",
        "model_max_length": 4096,
        "pad_token": "<|endoftext|>",
        "split_special_tokens": False,
        "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None,
    }
    return tokenizer, config


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=os.path.join(here, "..", "src", "tiny-tokenizer"))
    args = p.parse_args()
    tokenizer, config = build()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=1)
    with open(os.path.join(args.out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, ensure_ascii=False, indent=2)
    print(f"wrote {args.out}: {len(tokenizer['model']['vocab'])} BPE tokens + {len(SPECIALS)} specials")


if __name__ == "__main__":
    main()
