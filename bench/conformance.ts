// Backend conformance on this machine: `node .bundle/conformance.mjs [device ...]` (default: auto).
// Prints one JSON document: per device, what started (adapter, skipped) and each case's max error vs cpu.
import { type Device, initBackend, initBackendOptionsFromEnv, releaseWebGpu } from '@magic/tensor';
import { runConformance } from '@magic/tensor/testing';

const devices = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['auto']) as Device[];
const runs: Record<string, unknown>[] = [];
for (const device of devices) {
  try {
    const info = await initBackend({ ...initBackendOptionsFromEnv(process.env), device });
    const report = await runConformance({ backend: info.name });
    runs.push({
      device,
      backend: info.name,
      adapter: info.adapter ?? null,
      skipped: info.skipped,
      pass: report.pass,
      results: report.results.map((r) => ({
        name: r.name,
        maxError: r.maxError,
        atol: r.atol,
        rtol: r.rtol,
        pass: r.pass,
        ms: Math.round(r.ms),
        ...(r.error ? { error: r.error } : {}),
      })),
    });
  } catch (e) {
    runs.push({ device, pass: false, error: `${(e as Error).name}: ${(e as Error).message}` });
  }
}
releaseWebGpu();
const pass = runs.every((r) => r.pass === true);
console.log(JSON.stringify({ node: process.version, pass, runs }, null, 2));
process.exitCode = pass ? 0 : 1;
