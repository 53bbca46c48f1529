import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyLayer, ConfigError, type GameConfig, loadConfig, readConfigFile } from '@magic/game';
import type { CliArgs } from './args.js';

/** Folder of the shipped presets (`apps/trainer/presets`), from source or from dist. */
export function presetsDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'presets');
}

/** The repository root: a preset's relative `model.*.path` resolves against it (npm start works from any folder). */
export function repoRoot(): string {
  return resolve(presetsDir(), '..', '..', '..');
}

export function listPresets(): string[] {
  const dir = presetsDir();
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => f.slice(0, -'.yaml'.length))
        .sort()
    : [];
}

export function presetFile(name: string, dir = presetsDir()): string {
  const file = join(dir, `${name}.yaml`);
  if (!existsSync(file)) {
    throw new ConfigError('--preset', 'command line', `unknown preset '${name}' (have: ${listPresets().join(', ')})`);
  }
  return file;
}

/**
 * A preset's tree, after its `extends: <preset>` chain (the named preset first, this file's keys over it; lists
 * are replaced, not merged), so a twin such as organism-s-fixed-attacker tracks its base.
 */
function readPresetTree(name: string, chain: readonly string[], dir: string): Record<string, unknown> {
  const file = presetFile(name, dir);
  const own = readConfigFile(file);
  const base = own.extends;
  if (base === undefined) return own;
  delete own.extends;
  if (typeof base !== 'string') throw new ConfigError('extends', file, 'must be the name of another preset');
  if (chain.includes(base)) {
    throw new ConfigError('extends', file, `preset cycle: ${[...chain, name, base].join(' -> ')}`);
  }
  const tree = readPresetTree(base, [...chain, name], dir);
  applyLayer(tree, own, file);
  return tree;
}

/**
 * A preset's tree with `extends` resolved and relative model paths made absolute under the repository root
 * (`dir`: another presets folder, for tests).
 */
export function readPreset(name: string, dir = presetsDir()): Record<string, unknown> {
  const tree = readPresetTree(name, [], dir);
  const model = tree.model as Record<string, { path?: unknown }> | undefined;
  for (const spec of Object.values(model ?? {})) {
    if (typeof spec?.path === 'string' && !isAbsolute(spec.path)) spec.path = join(repoRoot(), spec.path);
  }
  return tree;
}

/** preset < --config files < environment < --set/bare overrides < --device/--run-dir. */
export function resolveConfig(args: CliArgs, env: Readonly<Record<string, string | undefined>>): GameConfig {
  const overrides = [...args.overrides];
  if (args.device !== undefined) overrides.push(`trainer.device=${args.device}`);
  if (args.runDir !== undefined) overrides.push(`trainer.runDir=${args.runDir}`);
  return loadConfig({
    base: args.preset === undefined ? undefined : readPreset(args.preset),
    files: args.configFiles,
    env,
    overrides,
  });
}
