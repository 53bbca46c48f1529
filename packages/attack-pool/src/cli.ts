import { runCli } from './cli-run.js';

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('interrupted: finishing the split files; re-run the same command to resume\n');
  controller.abort();
});
const code = await runCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
