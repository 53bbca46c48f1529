import { readFileSync } from 'node:fs';
import { at } from '@magic/core';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { type Assignment, envAssignments, resolveAlias } from './aliases.js';
import { type GameConfig, GameConfigSchema } from './schema.js';

type Tree = Record<string, unknown>;

function isPlainObject(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Flattens nested objects to dotted leaf keys (arrays are leaves). */
export function flattenKeys(obj: Tree, prefix = ''): Assignment[] {
  const out: Assignment[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (isPlainObject(v) && Object.keys(v).length > 0) out.push(...flattenKeys(v, key));
    else out.push([key, v]);
  }
  return out;
}

/** Sets `value` at dotted `key`, creating objects on the way. */
export function setDotted(tree: Tree, key: string, value: unknown, source: string): void {
  const parts = key.split('.');
  let node: Tree = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node[part] = {};
    else if (!isPlainObject(next)) throw new ConfigError(key, source, `'${part}' is a value, not a section`);
    node = node[part] as Tree;
  }
  node[at(parts, parts.length - 1, 'parts of the key')] = value;
}

/** Applies a layer (nested object, possibly with the original's key names) onto `tree`. */
export function applyLayer(tree: Tree, layer: Tree, source: string): void {
  for (const [key, value] of flattenKeys(layer)) {
    for (const [k, v] of resolveAlias(key, value, source)) setDotted(tree, k, v, source);
  }
}

/** Parses `a.b=c` (a leading `--set` is handled by the CLI). Values are YAML scalars/flow lists. */
export function parseOverride(arg: string): Assignment {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new ConfigError(arg, 'command line', "expected 'key=value'");
  const key = arg.slice(0, eq).trim().replace(/^\+/, '');
  const raw = arg.slice(eq + 1);
  let value: unknown;
  try {
    value = raw === '' ? '' : parseYaml(raw);
  } catch {
    value = raw;
  }
  return [key, value];
}

/** Reads a YAML config file into a nested object. */
export function readConfigFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('', path, `cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError('', path, `invalid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isPlainObject(doc)) throw new ConfigError('', path, 'top level must be a mapping');
  return doc;
}

export interface LoadConfigOptions {
  /** Lowest layer, e.g. a preset already parsed. */
  base?: Tree;
  /** YAML files, applied in order. */
  files?: string[];
  /** Environment (the original's REWARD_* etc.); a CLI passes its environment to honour it. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Dotted `key=value` overrides, applied last. */
  overrides?: string[];
}

/** Builds the config: defaults < base < files < env < overrides; every key and value validated. */
export function loadConfig(opts: LoadConfigOptions = {}): GameConfig {
  const tree: Tree = {};
  if (opts.base) applyLayer(tree, opts.base, 'preset');
  for (const f of opts.files ?? []) applyLayer(tree, readConfigFile(f), f);
  if (opts.env) for (const [k, v] of envAssignments(opts.env)) setDotted(tree, k, v, 'environment');
  for (const o of opts.overrides ?? []) {
    const [key, value] = parseOverride(o);
    for (const [k, v] of resolveAlias(key, value, 'command line')) setDotted(tree, k, v, `override '${o}'`);
  }
  return parseGameConfig(tree, 'config');
}

/** Validates a nested object; the first problem becomes a ConfigError naming the dotted key. */
export function parseGameConfig(tree: unknown, source: string): GameConfig {
  const r = GameConfigSchema.safeParse(tree);
  if (r.success) return r.data;
  throw issueToError(at(r.error.issues, 0, 'issues of a failed parse'), source);
}

function issueToError(issue: z.core.$ZodIssue, source: string): ConfigError {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = (path === '' ? '' : `${path}.`) + issue.keys[0];
    return new ConfigError(key, source, `unknown key '${key}'`);
  }
  return new ConfigError(path, source, issue.message);
}
