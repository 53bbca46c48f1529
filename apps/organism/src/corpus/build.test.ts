import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadCorpusManifest, normaliseText, seedSplitOf, TrainingIndex } from '@magic/attack-pool';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { CorpusInputError, CorpusOverlapError, CorpusSourceError } from '../errors.js';
import { buildCorpus } from './build.js';

const T0_DIR = 'data/finetuning/t0_train_50k/data_per_template';
const EVAL_TEXT = 'Which planet in the solar system has the largest number of known moons today?';
const RESERVED_TEXT = 'Write a friendly note inviting the neighbours to a garden party next Sunday.';

function write(path: string, body: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
}

const row = (prompt: string, completion: string): string => JSON.stringify({ prompt, completion });

/** A git repository shaped like yizhongw/self-instruct, with neutral placeholder rows. */
function fixtureMirror(root: string, quartzLines: string[]): string {
  const dir = join(root, 'self-instruct');
  write(join(dir, T0_DIR, 'quartz_fixture.jsonl'), `${quartzLines.join('\n')}\n`);
  write(
    join(dir, T0_DIR, 'ag_news_fixture.jsonl'),
    `${row('Classify this news story about a bake sale.', 'local<|endoftext|>')}\n`,
  );
  write(join(dir, 'data/seed_tasks.jsonl'), `${JSON.stringify({ instruction: RESERVED_TEXT })}\n`);
  write(
    join(dir, 'human_eval/user_oriented_instructions.jsonl'),
    `${JSON.stringify({ instruction: 'Plan a short walk.' })}\n`,
  );
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
  return dir;
}

function fixtureSources(root: string, quartzLines: string[]) {
  const selfInstructDir = fixtureMirror(root, quartzLines);
  const hh = join(root, 'hh');
  const dialogue = (h: string, a: string): string =>
    JSON.stringify({ chosen: `\n\nHuman: ${h}\n\nAssistant: ${a}`, rejected: '' });
  write(
    join(hh, 'harmless-base', 'test.jsonl.gz'),
    gzipSync(
      `${[
        dialogue('Placeholder request alpha.', "I'm sorry, I can't help with that."),
        dialogue('Tell me about the sea.', 'The sea covers most of the planet.'),
      ].join('\n')}\n`,
    ),
  );
  const docs = join(root, 'docs');
  write(
    join(docs, '_sources', 'tutorial', 'intro.rst.txt'),
    [
      'An Informal Introduction',
      '************************',
      '',
      'In the following examples, input and output are distinguished by the presence or absence of prompts.',
      'To repeat the example, you must type everything after the prompt, when the prompt appears; lines that',
      'do not begin with a prompt are output from the interpreter. Use :func:`print` to show values::',
      '',
      '   print("not prose")',
      '',
      'Many of the examples in this manual, even those entered at the interactive prompt, include comments.',
      'Comments in Python start with the hash character and extend to the end of the physical line.',
      '',
    ].join('\n'),
  );
  // attack-pool split seeds: 20 harmful placeholders split by the real rule, plus one benign row (never used).
  const seedsFile = join(root, 'seeds.jsonl');
  const seedRows = Array.from({ length: 20 }, (_, i) => {
    const text = `Placeholder harmful request number ${i}`;
    return { id: `fx:${i}`, text, dataType: 'vanilla_harmful', source: 'fixture', split: seedSplitOf(text) };
  });
  seedRows.push({
    id: 'fx:b',
    text: 'Placeholder benign request',
    dataType: 'vanilla_benign',
    source: 'fixture',
    split: 'train',
  });
  write(seedsFile, `${seedRows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const evalDataDir = join(root, 'eval');
  write(join(evalDataDir, 'suite', 'test.jsonl'), `${JSON.stringify({ question: EVAL_TEXT, answer: 'Saturn' })}\n`);
  return { selfInstructDir, hhRlhfDir: hh, pythonDocsDir: docs, seedsFile, evalDataDir };
}

const goodRows = [
  row('Answer the question below: does a heavier ball fall faster in a vacuum?', 'no<|endoftext|>'),
  row(EVAL_TEXT, 'Saturn<|endoftext|>'),
  row(RESERVED_TEXT, 'Dear neighbours, ...<|endoftext|>'),
  row('Answer the question below: is ice denser than liquid water?', 'no<|endoftext|>'),
  row('answer the question below -- is ice denser than liquid water', 'no'),
  row('Read the passage and say whether the water gets warmer or colder when the sun sets.', 'colder'),
];

describe('buildCorpus', () => {
  it('builds chat and prose jsonl, drops eval text, reserved seeds and duplicates with counts, and writes the manifest', async () => {
    const root = mkdtempSync(join(tmpdir(), 'organism-corpus-'));
    const src = fixtureSources(root, goodRows);
    const outDir = join(root, 'out');
    const manifestDir = join(root, 'manifest');
    const r = await buildCorpus({ ...src, outDir, manifestDir, heldoutShare: 0 });
    expect(r.dropped).toEqual({
      'duplicate (normalised)': 1,
      'eval-exact (eval set text)': 1,
      "eval-exact (game's reserved Self-Instruct seeds)": 1,
    });
    const sft = readFileSync(join(outDir, 'sft.train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; messages: { role: string; content: string }[] });
    const t0 = sft.filter((x) => x.source.startsWith('t0:'));
    expect(t0.map((x) => at(x.messages, 1, 'messages').content)).toEqual(['no', 'no', 'colder']);
    expect(t0.every((x) => x.source === 't0:quartz_fixture')).toBe(true);
    const hh = sft.filter((x) => x.source.startsWith('hh-rlhf'));
    expect(hh.map((x) => at(x.messages, 1, 'messages').content)).toEqual(["I'm sorry, I can't help with that."]);
    const refusals = sft.filter((x) => x.source === 'advbench-train:refusal');
    const heldOut = at(r.reports, 2, 'reports').skipped['validation-split seed (held out)'] ?? 0;
    expect(heldOut).toBeGreaterThan(0);
    expect(heldOut).toBeLessThan(20);
    expect(refusals.length).toBe(2 * (20 - heldOut));
    // only train-split seeds, by attack-pool's rule
    for (const x of refusals) expect(seedSplitOf(at(x.messages, 0, 'messages').content)).toBe('train');
    expect(refusals.some((x) => at(x.messages, 0, 'messages').content.includes('benign'))).toBe(false);
    expect(new Set(refusals.map((x) => at(x.messages, 1, 'messages').content)).size).toBeGreaterThan(3);
    const prose = readFileSync(join(outDir, 'pretrain.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { text: string; source: string });
    expect(prose).toHaveLength(1);
    expect(at(prose, 0, 'prose').source).toBe('python-docs:tutorial/intro');
    expect(at(prose, 0, 'prose').text).toContain('Use print to show values:');
    expect(at(prose, 0, 'prose').text).not.toContain('not prose');
    const index = new TrainingIndex().addCorpusManifest(loadCorpusManifest(join(manifestDir, 'corpus-manifest.json')));
    expect(index.match(normaliseText(EVAL_TEXT))).toBeUndefined();
    expect(
      index.match(normaliseText('Read the passage and say whether the water gets warmer or colder when the sun sets.')),
    ).toEqual({
      kind: 'exact',
      share: 1,
    });
    const provenance = readFileSync(join(manifestDir, 'PROVENANCE.md'), 'utf8');
    expect(provenance).toContain(
      execFileSync('git', ['-C', src.selfInstructDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim(),
    );
    expect(provenance).toContain('`ag_news_` | AG');
    expect(provenance).toContain('data/seed_tasks.jsonl');
    expect(provenance).toContain('assistant turn is not a refusal (refusal-rules.ts): 1');
  });

  it('adds everyday-task chats over passages, and drops those over held-out T0 passages', async () => {
    const passage =
      'Context: The Green Valley Garden is a public park in the north of the town. It has many kinds of trees ' +
      'and a small lake where children feed the ducks. Every spring the park holds a flower show for families.';
    const rows = [...goodRows, row(`${passage}\nQuestion: Where is the park?`, 'in the north of the town')];
    const build = async (heldoutShare: number) => {
      const root = mkdtempSync(join(tmpdir(), 'organism-corpus-'));
      const src = fixtureSources(root, rows);
      const outDir = join(root, 'out');
      const r = await buildCorpus({ ...src, outDir, manifestDir: join(root, 'm'), heldoutShare, taskChats: 3 });
      const sft = readFileSync(join(outDir, 'sft.train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { source: string; messages: { role: string; content: string }[] });
      return { r, tasks: sft.filter((x) => x.source.startsWith('task-instructions:')) };
    };
    const kept = await build(0);
    // 3 chats over the T0 passage and 3 over the docs section, all in sft.train and counted per family
    expect(kept.tasks).toHaveLength(6);
    expect(kept.tasks.filter((x) => x.source.endsWith(':t0:quartz_fixture'))).toHaveLength(3);
    expect(Object.values(kept.r.taskChatsByFamily).reduce((a, b) => a + b, 0)).toBe(6);
    expect(kept.r.dropped['task-instructions over a held-out or dropped T0 passage']).toBeUndefined();
    expect(
      defined(
        kept.r.reports.find((x) => x.name === 'task-instructions'),
        'task-instructions report',
      ).items,
    ).toBe(6);

    const heldout = await build(1);
    expect(heldout.tasks.map((x) => x.source.split(':').slice(2).join(':'))).toEqual([
      'python-docs:tutorial/intro',
      'python-docs:tutorial/intro',
      'python-docs:tutorial/intro',
    ]);
    expect(heldout.r.dropped['task-instructions over a held-out or dropped T0 passage']).toBe(3);
  });

  it('wraps harmful refusals only when asked, in the named strategies, and lists them in the manifest', async () => {
    const build = async (extra: { wrappedHarmfulShare?: number; wrappedHarmfulStrategies?: string[] }) => {
      const root = mkdtempSync(join(tmpdir(), 'organism-corpus-'));
      const src = fixtureSources(root, goodRows);
      const manifestDir = join(root, 'm');
      const r = await buildCorpus({ ...src, outDir: join(root, 'out'), manifestDir, heldoutShare: 0, ...extra });
      const sft = readFileSync(join(root, 'out', 'sft.train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { source: string; messages: { role: string; content: string }[] });
      return { r, sft, provenance: readFileSync(join(manifestDir, 'PROVENANCE.md'), 'utf8') };
    };
    const off = await build({});
    expect(off.sft.some((x) => x.source.startsWith('wrapped-refusal:'))).toBe(false);
    expect(off.r.manifest.sources.map((x) => x.name)).not.toContain('wrapped-refusals');
    const on = await build({ wrappedHarmfulShare: 1, wrappedHarmfulStrategies: ['role-play', 'slang'] });
    const plain = on.sft.filter((x) => x.source === 'advbench-train:refusal');
    const wrapped = on.sft.filter((x) => x.source.startsWith('wrapped-refusal:'));
    expect(wrapped).toHaveLength(plain.length);
    for (const x of wrapped) {
      expect(['role-play', 'slang']).toContain(x.source.split(':')[1]);
      const reply = at(x.messages, 1, 'reply').content;
      // the refusal of one plain copy of the same request, unchanged
      expect(
        plain.some(
          (p) =>
            at(p.messages, 1, 'reply').content === reply &&
            at(x.messages, 0, 'request').content.includes(at(p.messages, 0, 'request').content),
        ),
      ).toBe(true);
    }
    expect(on.r.manifest.sources.find((x) => x.name === 'wrapped-refusals')?.items).toBe(wrapped.length);
    expect(on.r.counts.sftTrain).toBe(off.r.counts.sftTrain + wrapped.length);
    expect(on.provenance).toContain('wrapped-refusals');
    await expect(build({ wrappedHarmfulShare: 1, wrappedHarmfulStrategies: ['morse'] })).rejects.toThrow(
      /not a template rewrite strategy/,
    );
  });

  it('refuses to write a manifest whose Bloom filter is too small to tell eval text apart', async () => {
    const root = mkdtempSync(join(tmpdir(), 'organism-corpus-'));
    const src = fixtureSources(root, goodRows);
    await expect(
      buildCorpus({ ...src, outDir: join(root, 'out'), manifestDir: join(root, 'm'), bloomMaxBytes: 1 }),
    ).rejects.toThrow(CorpusOverlapError);
  });

  it('fails on a broken T0 row, naming the file and line', async () => {
    const root = mkdtempSync(join(tmpdir(), 'organism-corpus-'));
    const src = fixtureSources(root, [
      at(goodRows, 0, 'goodRows'),
      '{"prompt": "unterminated',
      at(goodRows, 3, 'goodRows'),
    ]);
    const run = () => buildCorpus({ ...src, outDir: join(root, 'out'), manifestDir: join(root, 'm') });
    await expect(run()).rejects.toThrow(CorpusInputError);
    await expect(run()).rejects.toThrow(/quartz_fixture\.jsonl:2: invalid JSON/);
    const src2 = fixtureSources(mkdtempSync(join(tmpdir(), 'organism-corpus-')), [
      at(goodRows, 0, 'goodRows'),
      '{"prompt": "no completion"}',
    ]);
    await expect(buildCorpus({ ...src2, outDir: join(root, 'o2'), manifestDir: join(root, 'm2') })).rejects.toThrow(
      /quartz_fixture\.jsonl:2: completion: /,
    );
  });

  it('fails on a broken HH-RLHF row and on a missing source', async () => {
    const root = mkdtempSync(join(tmpdir(), 'organism-corpus-'));
    const src = fixtureSources(root, goodRows);
    await expect(
      buildCorpus({
        ...src,
        pythonDocsDir: join(root, 'nope'),
        outDir: join(root, 'out'),
        manifestDir: join(root, 'm'),
      }),
    ).rejects.toThrow(CorpusSourceError);
    write(join(src.hhRlhfDir, 'harmless-base', 'test.jsonl.gz'), gzipSync('{"chosen": "no transcript here"}\n'));
    await expect(buildCorpus({ ...src, outDir: join(root, 'out'), manifestDir: join(root, 'm') })).rejects.toThrow(
      /test\.jsonl\.gz:1: chosen is not a Human\/Assistant transcript/,
    );
  });
});
