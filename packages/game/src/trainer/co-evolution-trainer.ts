import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { EventEmitter } from 'eventemitter3';
import type { GameConfig, Role } from '../config/schema.js';
import { CheckpointError, StageError } from '../errors.js';
import { agentAfterStep, agentBeforeStep, initialSwitchState, type SwitchState } from '../switch/switch-schedule.js';
import type { GameAgent } from './agent.js';
import { readLatestCheckpoint, saveTrainerCheckpoint, type TrainerState } from './checkpoint.js';
import { type SamplerBalance, SeedSampler } from './data-cursor.js';
import type { GameEvents, MetricsRecord } from './events.js';
import { SeededRng } from './rng.js';
import { STEP_STAGES, type Stage, type StageMap, type StageName, type StepContext } from './stages.js';

export interface Phase1Context {
  readonly runDir: string;
  readonly events: EventEmitter<GameEvents>;
}

export interface CoEvolutionTrainerOptions<S, D> {
  config: GameConfig;
  agents: Record<Role, GameAgent>;
  /** Training seeds (the sampler's cursor is checkpointed). */
  trainSeeds: readonly S[];
  /**
   * A fixed share of each batch from one stratum of the seeds (e.g. benign requests) in the steps of `roles`, drawn
   * from a sampler of their own; other roles' steps, and every step when omitted, draw plain epochs.
   */
  balance?: SamplerBalance<S> & { roles: readonly Role[] };
  /** Builds a step's data bag from its seed batch. */
  createData: (seeds: S[], step: number) => D;
  stages: StageMap<D>;
  /** Phase 1 (SFT); omitted = none. Returns metrics logged as one `phase1` record. */
  phase1?: (ctx: Phase1Context) => Promise<Record<string, number>>;
  /**
   * Validation on held-out seeds; returns `val/*` metrics. Omitted = no validation. `scope` 'full' at
   * `trainer.testFreq`; 'attacker-side' (the attacker's set only) at the edges of attacker blocks when
   * `validation.attackerBlockEdges` is on.
   */
  validate?: (step: number, scope: ValidationScope) => Promise<Record<string, number>>;
  /** Overrides config.trainer.runDir. */
  runDir?: string;
  /** Continue from `runDir/checkpoints/latest.json`. */
  resume?: boolean;
}

/** What a validation covers: every set, or only the attacker side (attacker-block edges). */
export type ValidationScope = 'full' | 'attacker-side';

export interface RunSummary {
  runDir: string;
  steps: number;
  metrics: MetricsRecord[];
  switchState: SwitchState;
  seconds: number;
}

const ROLE_INDEX: Record<Role, number> = { attacker: 0, defender: 1 };

/** Config fields that may differ between a run and its resume. */
function configDigest(config: GameConfig): string {
  const { runDir: _r, device: _d, totalSteps: _t, ...trainer } = config.trainer;
  return JSON.stringify({ ...config, trainer });
}

/**
 * MAGIC's co-evolution loop: phase 1 (SFT) once, then phase-2 steps, each a sequence of named,
 * timed, replaceable stages. Only the current agent is updated; both generate. Writes
 * `metrics.jsonl` and checkpoints into the run directory and emits typed events.
 */
export class CoEvolutionTrainer<S, D> {
  readonly events = new EventEmitter<GameEvents>();
  readonly config: GameConfig;
  readonly runDir: string;
  readonly rng: SeededRng;
  readonly sampler: SeedSampler<S>;
  /** The `balance` option's sampler, for the steps of its roles. */
  readonly balancedSampler: SeedSampler<S> | undefined;
  #opts: CoEvolutionTrainerOptions<S, D>;
  #state: TrainerState;
  #stages: Record<StageName, Stage<D>>;

  constructor(opts: CoEvolutionTrainerOptions<S, D>) {
    this.#opts = opts;
    this.config = opts.config;
    this.runDir = opts.runDir ?? opts.config.trainer.runDir;
    this.rng = new SeededRng(opts.config.trainer.seed);
    this.sampler = new SeedSampler(opts.trainSeeds, {
      seed: opts.config.trainer.seed,
      shuffle: opts.config.data.shuffle,
    });
    this.balancedSampler = opts.balance
      ? new SeedSampler(opts.trainSeeds, {
          seed: opts.config.trainer.seed,
          shuffle: opts.config.data.shuffle,
          balance: opts.balance,
        })
      : undefined;
    this.#state = {
      version: 1,
      step: 0,
      phase1Done: opts.phase1 === undefined,
      switchState: initialSwitchState(opts.config.switchAgent),
      rngState: this.rng.state,
      dataCursor: this.sampler.cursor,
      ...(this.balancedSampler ? { balancedDataCursor: this.balancedSampler.cursor } : {}),
      metrics: [],
      configDigest: configDigest(opts.config),
    };
    this.#stages = {
      switch: (ctx) => this.#switchStage(ctx),
      validate: (ctx) => this.#validateStage(ctx),
      checkpoint: (ctx) => this.#checkpointStage(ctx),
      ...opts.stages,
    };
  }

  get state(): Readonly<TrainerState> {
    return this.#state;
  }

  get metricsFile(): string {
    return join(this.runDir, 'metrics.jsonl');
  }

  /** Runs (or resumes) the whole game to `trainer.totalSteps`. */
  async run(): Promise<RunSummary> {
    const t0 = performance.now();
    mkdirSync(this.runDir, { recursive: true });
    if (this.#opts.resume) await this.#restore();
    else writeFileSync(this.metricsFile, '');
    writeFileSync(join(this.runDir, 'resolved-config.json'), `${JSON.stringify(this.config, null, 2)}\n`);
    if (!this.#state.phase1Done) {
      await this.#runPhase1(defined(this.#opts.phase1, 'phase1 of a run whose phase 1 is not done'));
    }
    await this.#runPhase2();
    return {
      runDir: this.runDir,
      steps: this.#state.step,
      metrics: this.#state.metrics,
      switchState: this.#state.switchState,
      seconds: (performance.now() - t0) / 1000,
    };
  }

  async #restore(): Promise<void> {
    const found = await readLatestCheckpoint(this.runDir);
    if (found === null)
      throw new CheckpointError(join(this.runDir, 'checkpoints', 'latest.json'), 'no checkpoint to resume from');
    const { dir, state } = found;
    if (state.configDigest !== this.#state.configDigest) {
      throw new CheckpointError(join(dir, 'trainer-state.json'), 'config differs from the run being resumed');
    }
    for (const role of ['attacker', 'defender'] as const) await this.#opts.agents[role].loadCheckpoint(join(dir, role));
    this.#state = state;
    this.rng.state = state.rngState;
    this.sampler.cursor = state.dataCursor;
    if (this.balancedSampler && state.balancedDataCursor) this.balancedSampler.cursor = state.balancedDataCursor;
    writeFileSync(this.metricsFile, state.metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));
    this.events.emit('resumed', { step: state.step, dir });
  }

  async #runPhase1(phase1: NonNullable<CoEvolutionTrainerOptions<S, D>['phase1']>): Promise<void> {
    const t0 = performance.now();
    this.events.emit('phase-start', { phase: 'phase1', totalSteps: 0, detail: 'supervised fine-tuning' });
    const metrics = await phase1({ runDir: this.runDir, events: this.events });
    const seconds = (performance.now() - t0) / 1000;
    this.#appendMetrics({ step: 0, phase: 'phase1', ...metrics, 'timing/phase1': seconds });
    this.#state.phase1Done = true;
    this.events.emit('phase-end', { phase: 'phase1', metrics, seconds });
    await this.#saveCheckpoint(0);
  }

  async #runPhase2(): Promise<void> {
    const { totalSteps, valBeforeTrain, testFreq } = this.config.trainer;
    const t0 = performance.now();
    this.events.emit('phase-start', { phase: 'phase2', totalSteps, detail: 'alternating GRPO' });
    if (this.#state.step === 0) {
      for (const role of ['attacker', 'defender'] as const) await this.#opts.agents[role].beginPhase2?.();
      this.#state.switchState = agentBeforeStep(this.#state.switchState, 1, this.config.switchAgent);
      const validate = this.#opts.validate;
      if (valBeforeTrain && testFreq > 0 && validate && !this.#state.metrics.some((m) => m.phase === 'val0')) {
        const val = await this.#runValidation(validate, 0, 'full');
        this.#appendMetrics({ step: 0, phase: 'val0', ...val });
      }
    }
    for (let step = this.#state.step + 1; step <= totalSteps; step++) await this.#runStep(step);
    const last = this.#state.metrics.at(-1) ?? {};
    const numeric = Object.fromEntries(
      Object.entries(last).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
    this.events.emit('phase-end', { phase: 'phase2', metrics: numeric, seconds: (performance.now() - t0) / 1000 });
  }

  async #runStep(step: number): Promise<void> {
    const role = this.#state.switchState.currentAgent;
    const balance = this.#opts.balance;
    const sampler = this.balancedSampler && balance?.roles.includes(role) ? this.balancedSampler : this.sampler;
    const seeds = sampler.nextBatch(this.config.data.trainBatchSize);
    const ctx: StepContext<D> = {
      step,
      totalSteps: this.config.trainer.totalSteps,
      role,
      runDir: this.runDir,
      data: this.#opts.createData(seeds, step),
      metrics: {},
      generatedTokens: 0,
    };
    const timings: Record<string, number> = {};
    const stepStart = performance.now();
    for (const name of STEP_STAGES) {
      if (name === 'switch') this.#openStepRecord(ctx, timings);
      if (name === 'checkpoint') this.#commitStepRecord(ctx.step, stepStart);
      const t = performance.now();
      try {
        await this.#stages[name](ctx);
      } catch (e) {
        if (StageError.isInstance(e)) throw e;
        throw new StageError(name, step, { cause: e });
      }
      const seconds = (performance.now() - t) / 1000;
      timings[name] = seconds;
      if (this.#pendingRecord) this.#pendingRecord[`timing/${name}`] = seconds;
      this.events.emit('stage-end', { step, stage: name, seconds });
    }
    this.events.emit('step-end', {
      step,
      totalSteps: ctx.totalSteps,
      role,
      metrics: { ...ctx.metrics },
      timings,
      generatedTokens: ctx.generatedTokens,
    });
  }

  /** The record for the current step, appended to metrics.jsonl once the step's stages are done. */
  #pendingRecord: MetricsRecord | undefined;

  #openStepRecord(ctx: StepContext<D>, timings: Record<string, number>): void {
    const genSeconds = timings['generate'] ?? 0;
    this.#pendingRecord = {
      step: ctx.step,
      phase: 'phase2',
      'train/current_agent': ROLE_INDEX[ctx.role],
      'train/current_agent_name': ctx.role,
      ...ctx.metrics,
      'perf/generated_tokens': ctx.generatedTokens,
      'perf/tokens_per_s': genSeconds > 0 ? ctx.generatedTokens / genSeconds : 0,
    };
    for (const [k, v] of Object.entries(timings)) this.#pendingRecord[`timing/${k}`] = v;
  }

  /** The open step record: the switch stage opens it, the checkpoint stage commits it. */
  #openRecord(): MetricsRecord {
    return defined(this.#pendingRecord, 'metrics record of the step');
  }

  /** The step is complete (checkpoint aside): its record goes to metrics.jsonl before any save. */
  #commitStepRecord(step: number, stepStart: number): void {
    const record = this.#openRecord();
    record['timing/step'] = (performance.now() - stepStart) / 1000;
    this.#pendingRecord = undefined;
    this.#appendMetrics(record);
    this.#state.step = step;
  }

  #switchStage(ctx: StepContext<D>): void {
    const cfg = this.config.switchAgent;
    const before = this.#state.switchState;
    let next = agentAfterStep(before, ctx.step, ctx.metrics, cfg);
    next = agentBeforeStep(next, ctx.step + 1, cfg);
    this.#state.switchState = next;
    for (const sw of next.switches.slice(before.switches.length)) this.events.emit('agent-switch', sw);
  }

  async #validateStage(ctx: StepContext<D>): Promise<void> {
    const { testFreq, totalSteps } = this.config.trainer;
    const validate = this.#opts.validate;
    if (!validate || testFreq <= 0) return;
    if (ctx.step % testFreq === 0 || ctx.step === totalSteps) {
      Object.assign(this.#openRecord(), await this.#runValidation(validate, ctx.step, 'full'));
    } else if (this.config.validation.attackerBlockEdges && this.#atAttackerBlockEdge(ctx)) {
      Object.assign(this.#openRecord(), await this.#runValidation(validate, ctx.step, 'attacker-side'));
    }
  }

  /** The step just before an attacker block (its start state) or an attacker block's last step (its end state). */
  #atAttackerBlockEdge(ctx: StepContext<D>): boolean {
    const next = this.#state.switchState.currentAgent;
    return next !== ctx.role && (next === 'attacker' || ctx.role === 'attacker');
  }

  async #runValidation(
    validate: NonNullable<CoEvolutionTrainerOptions<S, D>['validate']>,
    step: number,
    scope: ValidationScope,
  ): Promise<Record<string, number>> {
    const t = performance.now();
    const metrics = await validate(step, scope);
    this.events.emit('validation-end', { step, metrics, seconds: (performance.now() - t) / 1000 });
    return metrics;
  }

  async #checkpointStage(ctx: StepContext<D>): Promise<void> {
    const { saveFreq, totalSteps } = this.config.trainer;
    if ((saveFreq > 0 && ctx.step % saveFreq === 0) || ctx.step === totalSteps) await this.#saveCheckpoint(ctx.step);
  }

  /** A NaN or infinite value (nothing was measured) is left out of the record: JSON has no NaN, and 0 would lie. */
  #appendMetrics(record: MetricsRecord): void {
    const kept = Object.fromEntries(
      Object.entries(record).filter(([, v]) => typeof v !== 'number' || Number.isFinite(v)),
    ) as MetricsRecord;
    this.#state.metrics.push(kept);
    appendFileSync(this.metricsFile, `${JSON.stringify(kept)}\n`);
  }

  async #saveCheckpoint(step: number): Promise<void> {
    const t = performance.now();
    this.#state.step = step;
    this.#state.rngState = this.rng.state;
    this.#state.dataCursor = this.sampler.cursor;
    if (this.balancedSampler) this.#state.balancedDataCursor = this.balancedSampler.cursor;
    const dir = await saveTrainerCheckpoint(
      this.runDir,
      this.#state,
      this.#opts.agents,
      this.config.trainer.maxCheckpoints,
    );
    this.events.emit('checkpoint-saved', { step, dir, seconds: (performance.now() - t) / 1000 });
  }
}
