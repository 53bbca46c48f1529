import { at } from '@magic/core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/init-backend.js';
import { releaseWebGpu } from '../backend/webgpu.js';
import { CONFORMANCE_CASES } from './cases.js';
import { runConformance } from './runner.js';

afterAll(() => releaseWebGpu());

// webgpu here is the software adapter (Mesa llvmpipe); it must start: a failure to start fails the test.
describe.each(['cpu', 'wasm', 'webgpu'] as const)('backend conformance: %s', (device) => {
  it('matches cpu on every case within its tolerance, leaking nothing', async () => {
    const info = await initBackend({ device, allowSoftwareAdapter: true });
    expect(info.name).toBe(device);
    const report = await runConformance({ backend: device });
    const failed = report.results.filter((r) => !r.pass);
    expect(failed, JSON.stringify(failed)).toEqual([]);
    expect(report.results.map((r) => r.name)).toEqual(CONFORMANCE_CASES.map((c) => c.name));
    await initBackend({ device: 'cpu' });
  });
});

describe('conformance runner', () => {
  it('fails a case that disagrees with the reference', async () => {
    await initBackend({ device: 'cpu' });
    let calls = 0;
    const report = await runConformance({
      backend: 'cpu',
      cases: [{ name: 'off-by-one', atol: 1e-6, rtol: 0, run: async () => ({ y: new Float32Array([calls++]) }) }],
    });
    expect(report.pass).toBe(false);
    expect(at(report.results, 0, 'report.results').maxError).toBe(1);
  });
});
