import { applyLmRuntimeOptions, CausalLM, type LmRuntimeOptions } from '@magic/lm';
import type { AttackerPrompts, ChatMessage, Seed } from '@magic/rollout';
import { type InitBackendOptions, initBackend } from '@magic/tensor';
import type { GameConfig, Role } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { CoEvolutionTrainer, type RunSummary } from '../trainer/co-evolution-trainer.js';
import { deriveSeed } from '../trainer/rng.js';
import { type GuardHandle, openGuard } from './guard.js';
import { LmPlayer } from './lm-player.js';
import { rewardConfigFor } from './reward-config.js';
import { openRuleJudge } from './rule-judge.js';
import { readSeedFile } from './seeds.js';
import { runSft } from './sft.js';
import {
  type PoolSource,
  readAlpacaChats,
  shippedAttackerPrompts,
  shippedAttackPool,
  shippedSeeds,
} from './shipped-data.js';
import { createMagicStages, createStepData, type MagicStepData } from './stages.js';
import { AttackRewriteCache, validateAttacker, validateDefender } from './validation.js';
import { resolveValidation, withoutHeldOut } from './validation-plan.js';
import type { ValidationRecord } from './validation-sets.js';

export interface MagicGame {
  trainer: CoEvolutionTrainer<Seed, MagicStepData>;
  players: Record<Role, LmPlayer>;
  /** Backend that runs the models (webgpu / tensorflow / wasm / cpu). */
  backend: string;
  guardWhere: string;
  run(): Promise<RunSummary>;
  /** Stops the guard server (if any) and frees the models. */
  close(): Promise<void>;
}

export interface CreateMagicGameOptions {
  runDir?: string;
  resume?: boolean;
  log?: (line: string) => void;
  /** Replace the shipped attack pool / seeds / prompts (tests). */
  data?: Partial<PoolSource>;
  /** Replace the attack pool's val split that the validation sets are built from (tests). */
  validationRecords?: () => ValidationRecord[];
  /** @magic/lm's kernel/decode switches and tokenizer folder (the CLI maps MAGIC_* variables to them). */
  lm?: LmRuntimeOptions;
  /** @magic/tensor's start-up options besides the device (the CLI maps MAGIC_* variables to them). */
  backend?: Omit<InitBackendOptions, 'device'>;
}

async function loadModel(config: GameConfig, role: Role, lm: LmRuntimeOptions = {}): Promise<CausalLM> {
  const spec = config.model[role];
  const model =
    spec.path !== undefined
      ? await CausalLM.fromPretrained(spec.path)
      : await CausalLM.fromPreset(spec.preset, {
          seed: deriveSeed(config.trainer.seed, 'init', role),
          ...(lm.qwenTokenizerDir === undefined ? {} : { qwenTokenizerDir: lm.qwenTokenizerDir }),
        });
  applyLmRuntimeOptions(model, lm);
  return model;
}

function trainingSeeds(config: GameConfig, shipped: Seed[]): Seed[] {
  return config.data.trainFiles !== undefined ? readSeedFile(config.data.trainFiles) : shipped;
}

/** Seeds of a step get deterministic group ids (the rollout would otherwise draw uuids). */
function withUids(seeds: Seed[], step: number): Seed[] {
  return seeds.map((s, i) => ({ ...s, uid: `step${step}-seed${i}` }));
}

/**
 * Wires the whole game from a config: backend, both models, guard (in process, loopback server or
 * remote), attack pool and seeds, phase-1 SFT, phase-2 stages and validation.
 */
export async function createMagicGame(config: GameConfig, opts: CreateMagicGameOptions = {}): Promise<MagicGame> {
  const log = opts.log ?? (() => {});
  const backend = await initBackend({ ...opts.backend, device: config.trainer.device });
  log(
    `backend: ${backend.name}${backend.skipped.length > 0 ? ` (skipped: ${backend.skipped.map((s) => `${s.device}: ${s.reason}`).join('; ')})` : ''}`,
  );
  const data: PoolSource = {
    seeds: opts.data?.seeds ?? (() => shippedSeeds()),
    attackPool:
      opts.data?.attackPool ?? ((prompts: AttackerPrompts) => shippedAttackPool(prompts, config.phase1.sft.dataFile)),
    attackerPrompts: opts.data?.attackerPrompts ?? (() => shippedAttackerPrompts()),
  };
  const attackerPrompts = data.attackerPrompts();
  const validation = await resolveValidation(config, opts.validationRecords);
  const allTrain = trainingSeeds(config, data.seeds());
  // validation is only separate if no held-out seed is also trained on
  const train = withoutHeldOut(allTrain, validation.heldOutTexts);
  log(
    `seeds: ${train.length} train${allTrain.length > train.length ? ` (${allTrain.length - train.length} held-out validation seeds removed)` : ''}; validation (${config.validation.mode}): ${validation.sets.map((s) => `${s.name} ${s.items.length}`).join(', ')}${validation.attackerSeeds.length > 0 ? `, attacker ${validation.attackerSeeds.length}` : ''}`,
  );
  const share = config.data.benignShare;
  const benignTrain = train.filter((s) => s.dataType === 'vanilla_benign').length;
  if (share !== undefined && ((share > 0 && benignTrain === 0) || (share < 1 && benignTrain === train.length))) {
    throw new ConfigError(
      'data.benignShare',
      'config',
      `${share} needs both kinds of seed; ${benignTrain} of ${train.length} train seeds are benign`,
    );
  }
  for (const s of validation.sets) {
    if (config.validation.mode === 'separate' && s.items.length < config.validation.setSize) {
      log(
        `validation set ${s.name}: ${s.items.length} items, fewer than validation.setSize ${config.validation.setSize}`,
      );
    }
  }
  const models = {
    attacker: await loadModel(config, 'attacker', opts.lm),
    defender: await loadModel(config, 'defender', opts.lm),
  };
  const players = {
    attacker: new LmPlayer('attacker', models.attacker, config),
    defender: new LmPlayer('defender', models.defender, config),
  };
  const ruleJudge = openRuleJudge(config);
  let guard: GuardHandle | undefined = await openGuard(config);
  log(`guard: ${guard.guard.name} (${guard.where})`);
  const stages = createMagicStages({
    config,
    players,
    guard: guard.guard,
    attackerPrompts,
    ruleJudge,
    rewardConfig: rewardConfigFor(config),
    judgeEndpoint: guard.where,
  });
  const sftEnabled = config.phase1.sft.enable || config.phase1.defenderSft.enable;
  const g = guard.guard;
  const rewrites = new AttackRewriteCache();
  const validateAttackerSide = async () =>
    validateAttacker(
      players.attacker.generator,
      players.defender.generator,
      g,
      validation.attackerSeeds,
      attackerPrompts,
      config,
      { cache: rewrites, fingerprint: await players.attacker.parameterFingerprint() },
    );
  const trainer = new CoEvolutionTrainer<Seed, MagicStepData>({
    config,
    agents: players,
    trainSeeds: train,
    ...(config.data.benignShare === undefined
      ? {}
      : {
          balance: {
            share: config.data.benignShare,
            isMember: (s: Seed) => s.dataType === 'vanilla_benign',
            roles: ['defender'] as const,
          },
        }),
    createData: (seeds, step) => createStepData(withUids(seeds, step)),
    stages,
    runDir: opts.runDir,
    resume: opts.resume,
    validate:
      validation.sets.some((s) => s.items.length > 0) || validation.attackerSeeds.length > 0
        ? async (_step, scope) =>
            scope === 'attacker-side'
              ? validateAttackerSide()
              : {
                  ...(await validateDefender(players.defender.generator, g, validation.sets, config)),
                  ...(await validateAttackerSide()),
                }
        : undefined,
    phase1: sftEnabled
      ? async ({ events }) => {
          const metrics: Record<string, number> = {};
          for (const role of ['attacker', 'defender'] as const) {
            const cfg = role === 'attacker' ? config.phase1.sft : config.phase1.defenderSft;
            if (!cfg.enable) continue;
            const chats: ChatMessage[][] =
              role === 'attacker'
                ? data.attackPool(attackerPrompts)
                : cfg.dataFile !== undefined
                  ? readAlpacaChats(cfg.dataFile)
                  : defenderWarmStart(train);
            const r = await runSft(models[role], chats, cfg, {
              seed: deriveSeed(config.trainer.seed, 'sft', role),
              onStep: (step, total, loss) =>
                events.emit('phase-progress', {
                  phase: 'phase1',
                  step,
                  totalSteps: total,
                  metrics: { 'sft/loss': loss },
                }),
            });
            const p = role === 'attacker' ? 'sft' : 'sft_defender';
            Object.assign(metrics, {
              [`${p}/loss_first`]: r.firstLoss,
              [`${p}/loss_last`]: r.lastLoss,
              [`${p}/loss`]: r.meanLoss,
              [`${p}/steps`]: r.steps,
              [`${p}/examples`]: r.examples,
            });
          }
          return metrics;
        }
      : undefined,
  });
  return {
    trainer,
    players,
    backend: backend.name,
    guardWhere: guard.where,
    run: () => trainer.run(),
    close: async () => {
      const gh = guard;
      guard = undefined;
      await gh?.close();
      players.attacker.disposeReference();
      players.defender.disposeReference();
      models.attacker.dispose();
      models.defender.dispose();
    },
  };
}

/**
 * Defender warm start (optional, off in the paper): refuse harmful and answer benign training
 * seeds with short neutral templates, so a random-init defender learns the two behaviours.
 */
function defenderWarmStart(train: readonly Seed[]): ChatMessage[][] {
  return train.map((s) => [
    { role: 'user', content: `Question:\n${s.question}` },
    {
      role: 'assistant',
      content:
        s.dataType === 'vanilla_harmful'
          ? "I'm sorry, but I can't help with that."
          : 'Sure. Here is a short, helpful answer to your question.',
    },
  ]);
}
