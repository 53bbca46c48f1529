import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../capture-io.test-helpers.js';
import { main } from '../main.js';
import { parseTargetSpec } from '../specs.js';
import { ReplayMissError, replayChatTarget } from './replay-target.js';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magic-eval-replay-'));
  await initBackend({ device: 'wasm' });
  const lm = await CausalLM.fromPreset('tiny', { seed: 0 });
  await lm.save(join(dir, 'ckpt'));
  lm.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const common = ['--suite', 'over-refusal', '--limit', '3', '--max-tokens', '6', '--device', 'wasm', '--plain'];
const results = (out: string) =>
  JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
    meta: { target: string };
    runs: { tasks: { id: string; n: number; metrics: Record<string, unknown> }[] }[];
  };

describe('replay target', () => {
  it('parses replay:<id> and rejects an empty id', () => {
    expect(parseTargetSpec('replay:local:/x@abc')).toEqual({ kind: 'replay', id: 'local:/x@abc' });
    expect(() => parseTargetSpec('replay:')).toThrow(/names no target id/);
  });

  it('never makes a text up: any uncached chat is a typed miss', async () => {
    const target = replayChatTarget('local:/m@1');
    await expect(target.generate([[{ role: 'user', content: 'a placeholder' }]], {} as never)).rejects.toSatisfy(
      (e) => ReplayMissError.isInstance(e) && (e as ReplayMissError).missing === 1,
    );
  });

  it("judges an earlier run's cached answers again without the model, with the same numbers", async () => {
    const first = join(dir, 'first');
    const cache = join(first, 'generations.jsonl');
    const a = captureIo();
    expect(
      await main(['--target', `local:${join(dir, 'ckpt')}`, '--judge', 'rules', '--out', first, ...common], a.io),
    ).toBe(0);
    const id = results(first).meta.target;
    expect(id).toMatch(/^local:.*ckpt@/);

    const again = join(dir, 'again');
    const b = captureIo();
    const code = await main(
      ['--target', `replay:${id}`, '--judge', 'rules', '--out', again, '--cache', cache, ...common],
      b.io,
    );
    expect(code).toBe(0);
    expect(b.err.join('')).toMatch(/generations 0 new, 9 cached/);
    const tasks = (r: ReturnType<typeof results>) =>
      r.runs.flatMap((run) => run.tasks.map((t) => [t.id, t.n, t.metrics]));
    expect(tasks(results(again))).toEqual(tasks(results(first)));
    expect(results(again).meta.target).toBe(id);

    // another id (or another budget) misses the cache: a typed failure, not made-up answers
    const c = captureIo();
    expect(
      await main(
        ['--target', `replay:${id}x`, '--judge', 'rules', '--out', join(dir, 'miss'), '--cache', cache, ...common],
        c.io,
      ),
    ).toBe(1);
    expect(c.err.join('')).toMatch(/EVAL_REPLAY_MISS: replay target .* have no cached generation/);
  }, 120_000);
});
