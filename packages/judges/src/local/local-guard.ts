import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from '@magic/core';
import { GuardModelError } from '../errors.js';
import { renderQwen3GuardReply } from '../protocols/qwen3guard.js';
import type { Guard, GuardCallOptions, GuardVerdict, ModerationMode, SafetyLabel } from '../types.js';
import { type LocalGuardModel, loadLocalGuardFile, scoreTask } from './model.js';

export const defaultWeightsFileName = 'local-guard.json';

/** Finds `data/local-guard.json` of this package, from source (src/local) or from the build (dist). */
export function defaultWeightsPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === '@magic/judges') {
      return join(dir, 'data', defaultWeightsFileName);
    }
    dir = dirname(dir);
  }
  throw new GuardModelError(defaultWeightsFileName, 'cannot locate the @magic/judges package directory');
}

export interface LocalGuardOptions {
  /** Probabilities in [low, high) of the harmfulness heads answer Controversial; unset = never. */
  controversialBand?: [number, number];
}

export interface LocalGuardScores {
  harmful: number;
  refusal?: number;
}

/**
 * A small learned guard (hashed n-gram logistic heads for prompt harmfulness, response refusal and response
 * harmfulness) answering in Qwen3Guard's verdict shape. It predicts no categories (always `Categories: None`).
 */
export class LocalGuard implements Guard {
  readonly name = 'local-guard';
  readonly model: LocalGuardModel;
  readonly #band: [number, number] | undefined;

  constructor(model: LocalGuardModel, options: LocalGuardOptions = {}) {
    this.model = model;
    this.#band = options.controversialBand;
  }

  /** Loads the shipped weights (or `path`). */
  static load(path: string = defaultWeightsPath(), options: LocalGuardOptions = {}): LocalGuard {
    return new LocalGuard(loadLocalGuardFile(path), options);
  }

  scorePrompt(prompt: string): LocalGuardScores {
    return { harmful: scoreTask(this.model, 'prompt', '', prompt) };
  }

  scoreResponse(prompt: string, response: string): LocalGuardScores {
    return {
      harmful: scoreTask(this.model, 'response', prompt, response),
      refusal: scoreTask(this.model, 'refusal', prompt, response),
    };
  }

  async moderatePrompt(prompt: string, options: GuardCallOptions = {}): Promise<GuardVerdict> {
    options.signal?.throwIfAborted();
    return this.#verdict('prompt', this.scorePrompt(prompt));
  }

  async moderateResponse(prompt: string, response: string, options: GuardCallOptions = {}): Promise<GuardVerdict> {
    options.signal?.throwIfAborted();
    return this.#verdict('response', this.scoreResponse(prompt, response));
  }

  /** Qwen3Guard-Gen text for a moderation request (what the guard server answers). */
  async renderReply(mode: ModerationMode, prompt: string, response = ''): Promise<string> {
    const verdict =
      mode === 'prompt' ? await this.moderatePrompt(prompt) : await this.moderateResponse(prompt, response);
    return verdict.raw;
  }

  #label(p: number, threshold: number): SafetyLabel {
    if (this.#band && p >= this.#band[0] && p < this.#band[1]) return 'controversial';
    return p >= threshold ? 'unsafe' : 'safe';
  }

  #verdict(mode: ModerationMode, scores: LocalGuardScores): GuardVerdict {
    const threshold = mode === 'prompt' ? this.model.thresholds.prompt : this.model.thresholds.response;
    const base = { safety: this.#label(scores.harmful, threshold), categories: [] as string[] };
    const verdict =
      mode === 'response'
        ? {
            ...base,
            refusal: (defined(scores.refusal, 'refusal score of a response') >= this.model.thresholds.refusal
              ? 'yes'
              : 'no') as 'yes' | 'no',
          }
        : base;
    return { ...verdict, raw: renderQwen3GuardReply(verdict, mode) };
  }
}
