import { basename, resolve } from 'node:path';
import { at } from '@magic/core';
import { z } from 'zod';
import { DEVICES, type DeviceName, flagValue, parseFlags, positiveInt } from './args.js';
import { EvalCliError } from './errors.js';

export interface ServeArgs {
  model: string;
  modelName: string;
  host: string;
  port: number;
  device: DeviceName;
  apiKey: string | undefined;
  maxBatch: number;
  batchWindowMs: number;
  maxTokens: number;
  help: boolean;
}

export const SERVE_USAGE = `magic-serve: an OpenAI-compatible /v1/chat/completions server for a checkpoint

Usage: magic-serve --model DIR [--port N] [--host H] [--device D] [--api-key KEY] [--max-batch N]

  --model DIR         checkpoint folder (HF layout: config.json, model.safetensors, tokenizer files)
  --model-name NAME   name served in /v1/models and replies (default: the folder name)
  --port N            TCP port (default 8000; 0 = any free port)
  --host H            interface (default 127.0.0.1; 0.0.0.0 listens on every interface)
  --device D          auto | webgpu | tensorflow | wasm | cpu (default auto)
  --api-key KEY       require "Authorization: Bearer KEY" (default: $MAGIC_SERVE_API_KEY, else none)
  --max-batch N       most requests generated together (default 16)
  --batch-window-ms N wait this long to gather a batch (default 5)
  --max-tokens N      reply budget when a request gives none (default 512)
  -h, --help          this text
Stops cleanly on SIGINT / SIGTERM.
Environment: MAGIC_PACKED_MLP=0, MAGIC_PACKED_DECODE=0, MAGIC_DECODE_GRAPH=0 turn a fast WebGPU path off;
  backend start-up: MAGIC_ALLOW_SOFTWARE_WEBGPU=1, MAGIC_FAST_MATMUL=0|all, MAGIC_WEBGPU_POOL_GB, ... (the table in
  @magic/tensor's README).`;

/** magic-serve's command line. */
export function parseServeArgs(argv: string[], env: Readonly<Record<string, string | undefined>> = {}): ServeArgs {
  const { values: v, positionals } = parseFlags(argv, {
    model: { type: 'string' },
    'model-name': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    device: { type: 'string' },
    'api-key': { type: 'string' },
    'max-batch': { type: 'string' },
    'batch-window-ms': { type: 'string' },
    'max-tokens': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  } as const);
  if (positionals.length > 0)
    throw new EvalCliError(at(positionals, 0, 'positionals'), 'unexpected argument (flags start with --)');
  const help = v.help ?? false;
  if (help) return { help } as ServeArgs;
  if (v.model === undefined || v.model === '') throw new EvalCliError('--model', 'is required (a checkpoint folder)');
  const apiKey = v['api-key'] ?? env['MAGIC_SERVE_API_KEY'];
  if (apiKey === '') throw new EvalCliError('--api-key', 'is empty');
  return {
    model: v.model,
    modelName: flagValue('--model-name', z.string().min(1), v['model-name'] ?? basename(resolve(v.model))),
    host: flagValue('--host', z.string().min(1), v.host ?? '127.0.0.1'),
    port: flagValue('--port', z.coerce.number().int().min(0).max(65535), v.port ?? '8000'),
    device: flagValue('--device', z.enum(DEVICES), v.device ?? 'auto'),
    apiKey,
    maxBatch: flagValue('--max-batch', positiveInt, v['max-batch'] ?? '16'),
    batchWindowMs: flagValue('--batch-window-ms', z.coerce.number().int().min(0), v['batch-window-ms'] ?? '5'),
    maxTokens: flagValue('--max-tokens', positiveInt, v['max-tokens'] ?? '512'),
    help,
  };
}
