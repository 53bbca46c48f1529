import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureRun } from '../report/report-fixture.test-helpers.js';
import { buildModelCard, writeModelCard } from './model-card.js';
import { markdownTableAfter } from './provenance-tables.js';

const dir = mkdtempSync(join(tmpdir(), 'organism-card-'));
const model = join(dir, 'organism-s');
const config = {
  model_type: 'qwen2',
  vocab_size: 4096,
  hidden_size: 128,
  intermediate_size: 384,
  num_hidden_layers: 4,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  max_position_embeddings: 1024,
  rope_theta: 10000,
  tie_word_embeddings: true,
};

beforeAll(() => {
  mkdirSync(model);
  writeFileSync(join(model, 'config.json'), JSON.stringify(config));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model card', () => {
  it('has YAML front matter with licence and tags, and the architecture from config.json', () => {
    const card = buildModelCard(model);
    const front = at(card.split('---\n'), 1, 'card');
    expect(front).toContain('license: cc-by-sa-4.0\n');
    expect(front).toMatch(/tags:\n( {2}- [a-z0-9-]+\n)+/);
    expect(front).toContain('  - model-organism\n');
    expect(card).toContain('# organism-s\n');
    // 4096*128 embeddings + 4 layers of (q,k,v,o with biases, MLP, 2 norms) + final norm
    const layer = 128 * 128 + 128 + 2 * (64 * 128 + 64) + 128 * 128 + 3 * 384 * 128 + 2 * 128;
    const params = 4096 * 128 + 4 * layer + 128;
    expect(card).toContain(`| parameters | ${params.toLocaleString('en-US')} (input and output embeddings tied) |`);
    expect(card).toContain('| attention heads / key-value heads / head dim | 4 / 2 / 32 |');
    expect(card).toContain('Not evaluated yet');
  });

  it('lists the training sources and the used T0 datasets with licences from PROVENANCE.md', () => {
    const card = buildModelCard(model);
    for (const part of ['| t0-per-template |', '| hh-rlhf-refusals |', '| python-docs |', 'PSF License Agreement']) {
      expect(card).toContain(part);
    }
    expect(card).toContain('| ROPES (Lin et al. 2019) | CC BY 4.0 |');
    // a rejected dataset is not listed as training data
    expect(card).not.toContain('SAMSum');
    expect(card).toMatch(/## Intended use[\s\S]*Not for deployment/);
    expect(card).toContain('## Limitations');
  });

  it('adds training and evaluation numbers when the run files are there, and writes README.md', async () => {
    writeFixtureRun(model);
    const file = await writeModelCard(model, { name: 'organism-s test', license: 'apache-2.0' });
    const card = readFileSync(file, 'utf8');
    expect(file).toBe(join(model, 'README.md'));
    expect(card).toContain('license: apache-2.0\n');
    expect(card).toContain('| pretrain | 40 | 2,621,440 |');
    expect(card).toMatch(
      /\| harmful_heldout_source \| 100 \| 0\.710 \[0\.\d{3}, 0\.\d{3}\] \(71\/100\) \| refusal >= 0\.8: missed \|/,
    );
    expect(card).toContain('| heldout_instructions | 100 |');
    expect(card).toContain('0.210 [0.170, 0.250]');
  });

  it('reads markdown tables after a heading', () => {
    const md = '# t\n\n## A\n\nintro\n\n| x | y |\n|---|---|\n| 1 | 2 \\| 3 |\n| 4 | 5 |\n\nafter\n| 9 | 9 |\n';
    expect(markdownTableAfter(md, '## A')).toEqual([
      ['1', '2 \\| 3'],
      ['4', '5'],
    ]);
    expect(markdownTableAfter(md, '## B')).toEqual([]);
  });
});
