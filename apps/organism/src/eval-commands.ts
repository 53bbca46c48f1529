import { resolve } from 'node:path';
import { DEVICES, type Device, initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import { writeModelCard } from './card/model-card.js';
import { numberArg, parseArgs } from './cli-args.js';
import { OrganismUsageError } from './errors.js';
import { ORGANISM_SET_NAMES, type OrganismSetName } from './eval/eval-sets.js';
import { writeOrganismEval } from './eval/evaluate.js';
import { fmtRate } from './report/eval-table.js';
import { writeOrganismReport } from './report/report.js';

const SET_NAMES = new Set<string>(ORGANISM_SET_NAMES);

/** Runs `eval`, `report` or `model-card` (EVAL_COMMANDS). */
/** `env`: the CLI's environment, for @magic/tensor's start-up options (initBackendOptionsFromEnv). */
export async function runEvalCommand(
  cmd: string,
  rest: string[],
  log: (line: string) => void,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<number> {
  if (cmd === 'eval') {
    const a = parseArgs(rest, {
      model: 'string',
      out: 'string',
      heldout: 'string',
      'max-new-tokens': 'string',
      limit: 'string',
      sets: 'string',
      'prompt-format': 'string',
      'max-prompt-tokens': 'string',
      'batch-size': 'string',
      seed: 'string',
      'guard-url': 'string',
      'guard-model': 'string',
      answers: 'string',
      device: 'string',
    });
    if (typeof a.model !== 'string' || typeof a.out !== 'string')
      throw new OrganismUsageError('eval needs --model DIR and --out FILE (see --help)');
    const format = a['prompt-format'] ?? 'game';
    if (format !== 'game' && format !== 'plain') throw new OrganismUsageError('--prompt-format must be game or plain');
    const device = (a.device ?? 'wasm') as string;
    if (!(DEVICES as readonly string[]).includes(device))
      throw new OrganismUsageError(`--device must be one of ${DEVICES.join(', ')}`);
    let sets: OrganismSetName[] | undefined;
    if (typeof a.sets === 'string') {
      const names = a.sets.split(',').map((s) => s.trim());
      const bad = names.find((s) => !SET_NAMES.has(s));
      if (bad !== undefined)
        throw new OrganismUsageError(`unknown set '${bad}' (one of ${ORGANISM_SET_NAMES.join(', ')})`);
      sets = names as OrganismSetName[];
    }
    const seed = a.seed === undefined ? 42 : Number(a.seed);
    if (!Number.isInteger(seed)) throw new OrganismUsageError('--seed must be an integer');
    const backend = await initBackend({
      ...initBackendOptionsFromEnv(env, device as Device),
      device: device as Device,
    });
    log(`eval: backend ${backend.name}`);
    const r = await writeOrganismEval({
      modelDir: resolve(a.model),
      out: resolve(a.out),
      ...(typeof a.heldout === 'string' ? { heldoutFile: resolve(a.heldout) } : {}),
      maxNewTokens: numberArg(a, 'max-new-tokens', 64),
      limit: numberArg(a, 'limit', 100),
      ...(sets === undefined ? {} : { sets }),
      promptFormat: format,
      ...(a['max-prompt-tokens'] === undefined ? {} : { maxPromptTokens: numberArg(a, 'max-prompt-tokens', 1) }),
      batchSize: numberArg(a, 'batch-size', 16),
      seed,
      ...(typeof a['guard-url'] === 'string' ? { guardUrl: a['guard-url'] } : {}),
      ...(typeof a['guard-model'] === 'string' ? { guardModel: a['guard-model'] } : {}),
      ...(typeof a.answers === 'string' ? { answersFile: resolve(a.answers) } : {}),
      log,
    });
    for (const s of r.sets) {
      const target =
        s.target === undefined ? '' : ` (target ${s.target.op} ${s.target.value}: ${s.target.met ? 'met' : 'missed'})`;
      const extra =
        s.kind === 'benign'
          ? `compliance ${fmtRate(s.compliance)}${s.rougeL === undefined ? '' : `, ROUGE-L ${s.rougeL.mean.toFixed(3)}`}`
          : `ASR ${fmtRate(s.nonRefusal)}`;
      log(
        `${s.name}: refusal ${fmtRate(s.refusal)}${target}; ${extra}${s.guardHarm === undefined ? '' : `; guard harm ${fmtRate(s.guardHarm)}`}`,
      );
    }
    log(`eval: ${r.seconds.toFixed(0)} s -> ${resolve(a.out)}`);
    return 0;
  }
  if (cmd === 'evidence') {
    const a = parseArgs(rest, {
      before: 'string',
      after: 'string',
      'fixed-attacker': 'string',
      out: 'string',
      device: 'string',
      limit: 'string',
      'organism-limit': 'string',
      'max-tokens': 'string',
      'batch-size': 'string',
      'eval-batch-size': 'string',
      'eval-concurrency': 'string',
      seed: 'string',
      reuse: 'boolean',
    });
    if (typeof a.before !== 'string' || typeof a.after !== 'string' || typeof a.out !== 'string')
      throw new OrganismUsageError('evidence needs --before DIR, --after DIR and --out DIR (see --help)');
    const device = (a.device ?? 'wasm') as string;
    if (!(DEVICES as readonly string[]).includes(device))
      throw new OrganismUsageError(`--device must be one of ${DEVICES.join(', ')}`);
    const seed = a.seed === undefined ? 42 : Number(a.seed);
    if (!Number.isInteger(seed)) throw new OrganismUsageError('--seed must be an integer');
    const sizes = {
      limit: numberArg(a, 'limit', 100),
      organismLimit: numberArg(a, 'organism-limit', 100),
      maxTokens: numberArg(a, 'max-tokens', 64),
      batchSize: numberArg(a, 'batch-size', 16),
      evalBatchSize: numberArg(a, 'eval-batch-size', 4),
      evalConcurrency: numberArg(a, 'eval-concurrency', 1),
    };
    const backend = await initBackend({
      ...initBackendOptionsFromEnv(env, device as Device),
      device: device as Device,
    });
    log(`evidence: backend ${backend.name}`);
    const { runEvidence } = await import('./evidence/run-evidence.js');
    const { evidence, files } = await runEvidence({
      models: {
        before: { dir: a.before },
        after: { dir: a.after },
        ...(typeof a['fixed-attacker'] === 'string' ? { fixedAttacker: { dir: a['fixed-attacker'] } } : {}),
      },
      out: a.out,
      device,
      ...sizes,
      seed,
      reuse: a.reuse === true,
      env,
      log,
    });
    if (evidence.ablation !== undefined) {
      const p = evidence.ablation.tests.find((t) => t.primary);
      log(
        `ablation (${evidence.ablation.primary}): ${p === undefined ? 'not measured' : `p = ${p.pValue.toPrecision(3)}, co-evolved ${evidence.ablation.coEvolvedWins ? 'wins' : 'does not win'}`}`,
      );
    }
    log(`evidence: ${files.join(', ')}`);
    return 0;
  }
  if (cmd === 'evidence-seeds') {
    const a = parseArgs(rest, { evidence: 'string', out: 'string' });
    if (typeof a.evidence !== 'string' || typeof a.out !== 'string')
      throw new OrganismUsageError('evidence-seeds needs --evidence FILE,FILE,... and --out DIR (see --help)');
    const { writeSeedSummary } = await import('./evidence/seed-summary.js');
    const files = a.evidence
      .split(',')
      .filter((f) => f.length > 0)
      .map((f) => resolve(f));
    const { summary, files: written } = await writeSeedSummary(files, resolve(a.out));
    const primary = summary.tests.find((t) => t.primary);
    if (primary !== undefined)
      log(
        `${primary.name} over ${summary.seeds.length} seeds: co-evolved better at ${primary.coEvolvedBetterSeeds}, paired p = ${primary.paired.pValue.toPrecision(3)}, co-evolved ${primary.coEvolvedWins ? 'wins' : 'does not win'}`,
      );
    log(`evidence-seeds: ${written.join(', ')}`);
    return 0;
  }
  if (cmd === 'report') {
    const a = parseArgs(rest, { run: 'string', out: 'string', eval: 'string', title: 'string' });
    if (typeof a.run !== 'string' || typeof a.out !== 'string')
      throw new OrganismUsageError('report needs --run DIR and --out FILE (see --help)');
    const r = await writeOrganismReport({
      runDir: resolve(a.run),
      out: resolve(a.out),
      ...(typeof a.eval === 'string' ? { evalFile: resolve(a.eval) } : {}),
      ...(typeof a.title === 'string' ? { title: a.title } : {}),
    });
    log(`report: ${r.out}`);
    return 0;
  }
  if (cmd === 'model-card') {
    const a = parseArgs(rest, {
      model: 'string',
      eval: 'string',
      'train-log': 'string',
      name: 'string',
      license: 'string',
    });
    if (typeof a.model !== 'string') throw new OrganismUsageError('model-card needs --model DIR (see --help)');
    const file = await writeModelCard(resolve(a.model), {
      ...(typeof a.eval === 'string' ? { evalFile: resolve(a.eval) } : {}),
      ...(typeof a['train-log'] === 'string' ? { trainLogFile: resolve(a['train-log']) } : {}),
      ...(typeof a.name === 'string' ? { name: a.name } : {}),
      ...(typeof a.license === 'string' ? { license: a.license } : {}),
    });
    log(`model card: ${file}`);
    return 0;
  }
  throw new OrganismUsageError(`unknown command '${cmd}' (see --help)`);
}
