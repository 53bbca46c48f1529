import { formatDuration, ProgressLine, type ProgressSink, progressBar } from '@magic/core';
import type { GameEventEmitter, PhaseName } from '@magic/game';

export type { ProgressSink } from '@magic/core';

/** Max |log p_sampling - log p_recomputed| (nats) above which the run warns once. */
const DRIFT_WARNING = 0.05;

const fmt = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

/**
 * Progress per phase: on a TTY one bar line redrawn in place (step, agent, reward, ASR, tokens/s,
 * ETA); otherwise one plain line per step/event.
 */
export class Progress {
  #phase: PhaseName | undefined;
  #phaseStart = 0;
  #lastAsr: number | undefined;
  #warnedDrift = false;
  readonly #out: ProgressLine;

  constructor(sink: ProgressSink) {
    this.#out = new ProgressLine(sink);
  }

  attach(events: GameEventEmitter): void {
    events.on('phase-start', (e) => {
      this.#endLine();
      this.#phase = e.phase;
      this.#phaseStart = performance.now();
      this.#line(`[${e.phase}] ${e.detail}${e.totalSteps > 0 ? ` (${e.totalSteps} steps)` : ''}`);
    });
    events.on('phase-progress', (e) => {
      const loss = e.metrics['sft/loss'];
      this.#bar(e.phase, e.step, e.totalSteps, `loss ${fmt(loss)}`);
    });
    events.on('step-end', (e) => {
      const drift = e.metrics['train/logprob_max_abs_diff_vs_sampling'];
      if (drift !== undefined && drift > DRIFT_WARNING && !this.#warnedDrift) {
        this.#warnedDrift = true;
        this.#line(
          `  warning: recomputed log-probs differ from the sampling log-probs by up to ${drift.toFixed(3)} nats at step ${e.step} (same weights): the backend's training forward and its sampling path disagree`,
        );
      }
      const tokS = e.metrics['perf/tokens_per_s'] ?? e.generatedTokens / Math.max(1e-9, e.timings['generate'] ?? 0);
      const asr = e.metrics['reward/asr'];
      const reward =
        e.role === 'defender' ? e.metrics['reward/defender_score_mean'] : e.metrics['reward/attacker_score_mean'];
      this.#bar(
        'phase2',
        e.step,
        e.totalSteps,
        `${e.role.padEnd(8)} reward ${fmt(reward)} | ASR ${fmt(asr, 2)} | val ASR ${fmt(this.#lastAsr, 2)} | ${tokS.toFixed(0)} tok/s`,
      );
    });
    events.on('agent-switch', (e) => this.#line(`  switch -> ${e.to} from step ${e.step} (${e.reason})`));
    events.on('validation-end', (e) => {
      this.#lastAsr = e.metrics['val/asr'];
      this.#line(
        `  validation @${e.step}: ASR ${fmt(e.metrics['val/asr'], 3)}, benign refusal ${fmt(e.metrics['val/refusal_rate_benign'], 3)}, benign compliance ${fmt(e.metrics['val/compliance_rate_benign'], 3)}${e.metrics['val/attacker/asr'] === undefined ? '' : `, attacker-side ASR ${fmt(e.metrics['val/attacker/asr'], 3)}`} (${e.seconds.toFixed(1)}s)`,
      );
    });
    events.on('checkpoint-saved', (e) => this.#line(`  checkpoint @${e.step}: ${e.dir}`));
    events.on('resumed', (e) => this.#line(`resuming from step ${e.step} (checkpoint ${e.dir})`));
    events.on('phase-end', (e) => {
      this.#endLine();
      this.#line(`[${e.phase}] done in ${formatDuration(e.seconds)}`);
    });
  }

  #bar(phase: string, step: number, total: number, detail: string): void {
    const elapsed = (performance.now() - this.#phaseStart) / 1000;
    const eta = step > 0 && total > 0 ? (elapsed / step) * (total - step) : Number.NaN;
    this.#out.bar(`[${phase}] ${progressBar(step, total)} ${step}/${total} | ${detail} | ETA ${formatDuration(eta)}`);
  }

  #line(text: string): void {
    this.#out.line(text);
  }

  #endLine(): void {
    this.#out.close();
  }

  /** Ends an open bar line (call before printing the final summary). */
  close(): void {
    this.#endLine();
    void this.#phase;
  }
}
