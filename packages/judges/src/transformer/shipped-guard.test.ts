import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, loadSafetensorsFile } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransformerGuard } from './transformer-guard.js';

// The trained guard this package ships (`magic-guard serve --guard transformer` without --model-dir).
const dir = fileURLToPath(new URL('../../data/transformer-guard', import.meta.url));
let guard: TransformerGuard;

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
  guard = await TransformerGuard.load(dir);
});
afterAll(() => guard?.dispose());

describe('shipped transformer guard', () => {
  it('fits the 10 MB budget with the backbone stored as BF16', async () => {
    const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
    expect(bytes).toBeLessThanOrEqual(10 * 1024 * 1024);
    const backbone = await loadSafetensorsFile(join(dir, 'model.safetensors'));
    expect(backbone.metadata.format).toBe('pt');
    expect(new Set([...backbone.tensors.values()].map((t) => t.dtype))).toEqual(new Set(['BF16']));
  });

  it('loads and answers both moderation modes with its trained heads', async () => {
    expect(guard.settings.maxLength).toBe(128);
    const benign = await guard.moderatePrompt('What is 12 plus 30? Show the steps.');
    expect(benign.safety).toBe('safe');
    const refusal = await guard.moderateResponse(
      '[placeholder request]',
      "I'm sorry, but I can't help with that request.",
    );
    expect(refusal.refusal).toBe('yes');
    const answer = await guard.moderateResponse('What is 12 plus 30?', '12 plus 30 is 42.');
    expect(answer.refusal).toBe('no');
    expect(answer.safety).toBe('safe');
  });
});
