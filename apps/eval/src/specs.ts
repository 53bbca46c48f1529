import { EvalCliError } from './errors.js';

export type TargetSpec =
  | { kind: 'local'; dir: string }
  | { kind: 'openai'; baseURL: string; model: string }
  | { kind: 'replay'; id: string };

export type JudgeSpec =
  | { kind: 'local' }
  | { kind: 'rules' }
  | { kind: 'qwen3guard' | 'wildguard' | 'harmbench-cls'; baseURL: string; model: string };

/** `local:<dir>`, `openai:<baseURL>#<model>` or `replay:<target id of an earlier run>`. */
export function parseTargetSpec(spec: string): TargetSpec {
  if (spec.startsWith('local:')) {
    const dir = spec.slice('local:'.length);
    if (!dir) throw new EvalCliError('--target', `'${spec}' names no checkpoint folder (local:<dir>)`);
    return { kind: 'local', dir };
  }
  if (spec.startsWith('openai:')) {
    const rest = spec.slice('openai:'.length);
    const hash = rest.lastIndexOf('#');
    if (hash <= 0 || hash === rest.length - 1) {
      throw new EvalCliError('--target', `'${spec}' must be openai:<baseURL>#<model>`);
    }
    return { kind: 'openai', baseURL: checkUrl('--target', rest.slice(0, hash)), model: rest.slice(hash + 1) };
  }
  if (spec.startsWith('replay:')) {
    const id = spec.slice('replay:'.length);
    if (!id) throw new EvalCliError('--target', `'${spec}' names no target id (replay:<meta.target of results.json>)`);
    return { kind: 'replay', id };
  }
  throw new EvalCliError('--target', `'${spec}' must start with local:, openai: or replay:`);
}

/** `local`, `rules`, or `<protocol>:<baseURL>[#model]` with protocol qwen3guard | wildguard | harmbench-cls. */
export function parseJudgeSpec(spec: string): JudgeSpec {
  if (spec === 'local') return { kind: 'local' };
  if (spec === 'rules') return { kind: 'rules' };
  const colon = spec.indexOf(':');
  const protocol = colon > 0 ? spec.slice(0, colon) : spec;
  if (protocol !== 'qwen3guard' && protocol !== 'wildguard' && protocol !== 'harmbench-cls') {
    throw new EvalCliError(
      '--judge',
      `'${spec}' is not one of local, rules, qwen3guard:<url>, wildguard:<url>, harmbench-cls:<url>`,
    );
  }
  const rest = colon > 0 ? spec.slice(colon + 1) : '';
  if (!rest) throw new EvalCliError('--judge', `'${spec}' names no endpoint URL`);
  const hash = rest.lastIndexOf('#');
  const url = hash > 0 ? rest.slice(0, hash) : rest;
  const model = hash > 0 ? rest.slice(hash + 1) : 'orm';
  return { kind: protocol, baseURL: checkUrl('--judge', url), model };
}

function checkUrl(flag: string, url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    return url.replace(/\/+$/, '');
  } catch {
    throw new EvalCliError(flag, `'${url}' is not an http(s) URL`);
  }
}
