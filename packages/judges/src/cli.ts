import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeGuardCvReport } from './eval/cv-report.js';
import { type GuardRecipe, ngramGuardRecipe } from './eval/recipe.js';
import { runGuardCv } from './eval/run-guard-cv.js';
import { LocalGuard } from './local/local-guard.js';
import { saveLocalGuardFile, serializeLocalGuard } from './local/model.js';
import { trainLocalGuard } from './local/train.js';
import { startGuardServer } from './server/guard-server.js';
import type { Guard } from './types.js';

const usage = `magic-guard — the MAGIC local guard

  magic-guard train --out <weights.json> [--data <dir>] [--seed 1234] [--epochs 6]
  magic-guard train --guard transformer --backbone <hf dir> --out <dir> [--data <dir>] [--seed 1234] [--rewrites 4]
                    [--epochs 3] [--batch 32] [--lr 1e-3] [--max-length 128] [--max-seconds S] [--device auto]
                    [--report <file.json>] [--speed N (in-process requests/s check after training)]
      the transformer guard: the backbone fine-tuned with three heads, saved as an HF folder + guard.json
  magic-guard cv --out <dir> [--guard ngram|transformer] [--data <dir>]... [--families <file>] [--max-rows-per-family N]
                 [--seed 1234] [--bootstrap 1000] [--controversial-as safe|unsafe] [--no-loso] [--loso-max-seeds N]
                 [--weights <file>] [transformer: --backbone <hf dir> --epochs --batch --lr --max-length --max-seconds --device]
      leave-one-family-out cross-validation + leave-one-strategy-out of a guard recipe, and the shipped
      (or --weights) n-gram guard on families it never saw -> guard-cv.json/.md
  magic-guard serve [--port 8000] [--host 127.0.0.1] [--api-key KEY | env MAGIC_GUARD_API_KEY] [--model orm]
                    [--guard ngram [--weights <file>] | --guard transformer [--model-dir <dir>] [--device auto] [--batch 32]]
      --model-dir defaults to the package's data/transformer-guard (magic-guard train --guard transformer output)
`;

function pct(x: number) {
  return x.toFixed(3);
}

async function train(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      data: { type: 'string' },
      seed: { type: 'string' },
      epochs: { type: 'string' },
      ...transformerFlags,
      rewrites: { type: 'string' },
      report: { type: 'string' },
      speed: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('train needs --out <weights.json> (or <dir> with --guard transformer)');
  const dataDir = resolve(values.data ?? new URL('../data/guard-training', import.meta.url).pathname);
  const seed = Number(values.seed ?? 1234);
  const guardName = guardFlag(values.guard);
  if (guardName === 'transformer') {
    const { trainTransformerCommand } = await import('./transformer/commands.js');
    return trainTransformerCommand({
      flags: { ...values, backbone: values.backbone && resolve(values.backbone) },
      dataDir,
      out: resolve(values.out),
      seed,
      rewritesPerSeed: positiveInt('--rewrites', values.rewrites) ?? 4,
      report: values.report && resolve(values.report),
      speedRequests: positiveInt('--speed', values.speed) ?? 0,
    });
  }
  const result = trainLocalGuard({ dataDir, seed, epochs: values.epochs ? Number(values.epochs) : undefined });
  const file = serializeLocalGuard(result.model, {
    seed,
    validation: { ...result.validation, ...result.bySource },
    data: { counts: result.counts },
  });
  saveLocalGuardFile(resolve(values.out), file);
  console.log('| task | n | positives | precision | recall | F1 |\n|---|---|---|---|---|---|');
  for (const [task, m] of Object.entries(result.validation)) {
    console.log(`| ${task} | ${m.n} | ${m.positives} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} |`);
  }
  console.log('\n| task/source | n | accuracy |\n|---|---|---|');
  for (const [key, m] of Object.entries(result.bySource)) console.log(`| ${key} | ${m.n} | ${pct(m.accuracy)} |`);
  console.log(`\ncounts ${JSON.stringify(result.counts)}\nwrote ${values.out}`);
}

/** Flags of the transformer guard, shared by train, cv and serve. */
const transformerFlags = {
  guard: { type: 'string' },
  backbone: { type: 'string' },
  device: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  'max-length': { type: 'string' },
  'max-seconds': { type: 'string' },
} as const;

const guardNames = ['ngram', 'transformer'] as const;

function guardFlag(value: string | undefined): (typeof guardNames)[number] {
  const name = value ?? 'ngram';
  if (!(guardNames as readonly string[]).includes(name))
    throw new Error(`--guard must be one of ${guardNames.join(', ')}, got '${name}'`);
  return name as (typeof guardNames)[number];
}

type CvFlags = Record<string, string | boolean | string[] | undefined>;

/**
 * Guard recipes `magic-guard cv --guard` can cross-validate; a new guard adds its recipe here. The transformer's
 * (TF.js, a backbone) loads only when asked for.
 */
const guardRecipes: Record<(typeof guardNames)[number], (flags: CvFlags) => Promise<GuardRecipe>> = {
  ngram: async () => ngramGuardRecipe(),
  transformer: async (flags) => {
    const { recipeOptions, startBackend } = await import('./transformer/commands.js');
    const { transformerGuardRecipe } = await import('./transformer/recipe.js');
    console.error(await startBackend(flags.device as string | undefined));
    const backbone = flags.backbone as string | undefined;
    return transformerGuardRecipe(recipeOptions({ ...(flags as object), backbone: backbone && resolve(backbone) }));
  },
};

const dataPath = (p: string) => new URL(`../data/${p}`, import.meta.url).pathname;

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got '${value}'`);
  return n;
}

async function cv(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string' },
      data: { type: 'string', multiple: true },
      families: { type: 'string' },
      'max-rows-per-family': { type: 'string' },
      seed: { type: 'string' },
      bootstrap: { type: 'string' },
      'controversial-as': { type: 'string' },
      'no-loso': { type: 'boolean' },
      'loso-max-seeds': { type: 'string' },
      weights: { type: 'string' },
      epochs: { type: 'string' },
      ...transformerFlags,
    },
  });
  if (!values.out) throw new Error('cv needs --out <dir>');
  const guardName = guardFlag(values.guard);
  const recipe = await guardRecipes[guardName](values);
  const weights = values.weights ? resolve(values.weights) : undefined;
  const controversialAs = values['controversial-as'] ?? 'safe';
  if (controversialAs !== 'unsafe' && controversialAs !== 'safe')
    throw new Error(`--controversial-as must be unsafe or safe, got '${controversialAs}'`);
  const report = await runGuardCv({
    dataDirs: (values.data ?? [dataPath('guard-training'), dataPath('guard-cv')]).map((d) => resolve(d)),
    familyMapFile: resolve(values.families ?? dataPath('guard-cv/families.json')),
    familyMapName: values.families ?? '@magic/judges data/guard-cv/families.json',
    recipe,
    // Concurrent calls fill the transformer guard's batches; the n-gram guard does not care.
    concurrency: guardName === 'transformer' ? 64 : undefined,
    seed: positiveInt('--seed', values.seed),
    bootstrap: positiveInt('--bootstrap', values.bootstrap),
    maxRowsPerFamily: positiveInt('--max-rows-per-family', values['max-rows-per-family']),
    controversialAs,
    reference: {
      name: weights ? `local guard (${values.weights})` : 'shipped local guard',
      guard: weights ? LocalGuard.load(weights) : LocalGuard.load(),
    },
    loso: values['no-loso'] ? false : { maxSeeds: positiveInt('--loso-max-seeds', values['loso-max-seeds']) },
    onFold: (f) =>
      console.error(
        `fold ${f.family}: test ${JSON.stringify(f.test)}, dropped ${f.droppedNearDuplicates}, ${f.seconds.toFixed(1)} s`,
      ),
    onStrategy: (s) =>
      console.error(`strategy ${s.strategy}: recall ${s.harmful.recall.toFixed(3)}, ${s.seconds.toFixed(1)} s`),
  });
  const { json, markdown } = writeGuardCvReport(report, resolve(values.out));
  for (const [task, m] of Object.entries(report.familyCv.pooled)) console.log(`${task} F1 ${pct(m.f1)} (n ${m.n})`);
  if (report.loso) console.log(`LOSO recall ${pct(report.loso.pooled.recall)}`);
  console.log(`wrote ${json} and ${markdown}`);
}

async function serve(args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'api-key': { type: 'string' },
      weights: { type: 'string' },
      model: { type: 'string' },
      'model-dir': { type: 'string' },
      guard: { type: 'string' },
      device: { type: 'string' },
      batch: { type: 'string' },
    },
  });
  let guard: Guard;
  if (guardFlag(values.guard) === 'transformer') {
    const { startBackend } = await import('./transformer/commands.js');
    const { TransformerGuard } = await import('./transformer/transformer-guard.js');
    console.error(await startBackend(values.device));
    // Default: the folder this package ships once a trained guard is committed there (magic-guard train output).
    guard = await TransformerGuard.load(resolve(values['model-dir'] ?? dataPath('transformer-guard')), {
      maxBatchSize: positiveInt('--batch', values.batch),
    });
  } else {
    guard = values.weights ? LocalGuard.load(resolve(values.weights)) : LocalGuard.load();
  }
  const server = await startGuardServer({
    guard,
    port: Number(values.port ?? 8000),
    host: values.host,
    apiKey: values['api-key'] ?? process.env.MAGIC_GUARD_API_KEY,
    modelName: values.model,
  });
  console.log(
    `magic-guard serving ${server.url} (auth ${(values['api-key'] ?? process.env.MAGIC_GUARD_API_KEY) ? 'on' : 'off'})`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export async function main(argv: string[]) {
  const [command, ...rest] = argv;
  // Asking for help (anywhere) is not an error; a missing or unknown command is a usage error (exit 2).
  if (argv.some((a) => a === '--help' || a === '-h') || command === 'help') {
    console.log(usage);
    return;
  }
  if (command === 'train') return train(rest);
  if (command === 'serve') return serve(rest);
  if (command === 'cv') return cv(rest);
  console.error(`${command === undefined ? 'missing command' : `unknown command '${command}'`}\n\n${usage}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
