import type { CausalLM } from '@magic/lm';

/** Two groups of two rows: a prompt, then two response tokens, right-padded. */
export function batchFor(model: CausalLM) {
  const a = model.tokenizer.encode('hello world, how are you');
  const b = model.tokenizer.encode('bake bread');
  const width = Math.max(a.length, b.length) + 2;
  const row = (ids: number[], uid: string) => {
    const full = [...ids, 7, 9];
    const pad = width - full.length;
    return {
      ids: [...full, ...new Array<number>(pad).fill(model.tokenizer.padTokenId)],
      mask: [...full.map(() => 1), ...new Array<number>(pad).fill(0)],
      resp: [...ids.map(() => 0), 1, 1, ...new Array<number>(pad).fill(0)],
      uid,
    };
  };
  const rows = [row(a, 'g0'), row(a, 'g0'), row(b, 'g1'), row(b, 'g1')];
  return {
    inputIds: rows.map((r) => r.ids),
    attentionMask: rows.map((r) => r.mask),
    responseMask: rows.map((r) => r.resp),
    uids: rows.map((r) => r.uid),
    rewards: [1, -1, 0.5, -0.5],
  };
}
