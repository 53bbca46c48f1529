#!/usr/bin/env node
import { serveMain } from './serve-main.js';

process.exitCode = await serveMain(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
