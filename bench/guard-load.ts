/**
 * Load test of the local guard server on loopback: N requests at concurrency C through OpenAICompatibleClient, each reply
 * checked against the in-process LocalGuard verdict.
 *   npx tsx bench/guard-load.ts [--requests 2000] [--concurrency 32]
 */
import { parseArgs } from 'node:util';
import { LocalGuard, runGuardLoad, startGuardServer } from '@magic/judges';
import { OpenAICompatibleClient } from '@magic/openai-client';

const { values } = parseArgs({ options: { requests: { type: 'string' }, concurrency: { type: 'string' } } });
const requests = Number(values.requests ?? 2000);
const concurrency = Number(values.concurrency ?? 32);
const guard = LocalGuard.load();
const server = await startGuardServer({ guard });
try {
  const client = new OpenAICompatibleClient({ baseURL: server.url, concurrency, maxRetries: 0, timeoutMs: 30_000 });
  await runGuardLoad({ client, guard, requests: 50, concurrency }); // warm-up
  const report = await runGuardLoad({ client, guard, requests, concurrency });
  const l = report.latencyMs;
  console.log(`guard-load: ${report.requests} requests, concurrency ${report.concurrency}, node ${process.version}`);
  console.log(`ok ${report.ok}  errors ${report.errors}  mismatches ${report.mismatches}`);
  console.log(
    `latency ms  p50 ${l.p50.toFixed(2)}  p90 ${l.p90.toFixed(2)}  p99 ${l.p99.toFixed(2)}  max ${l.max.toFixed(2)}`,
  );
  console.log(`throughput ${report.requestsPerSecond.toFixed(0)} req/s over ${(report.wallMs / 1000).toFixed(2)} s`);
  if (report.errors > 0 || report.mismatches > 0) process.exitCode = 1;
} finally {
  await server.close();
}
