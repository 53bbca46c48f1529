import { MagicError } from '@magic/core';

/** Base of every typed error in this package (a MagicError: a `code` and the shared `magic.error` marker). */
export class BenchmarkError extends MagicError {}

/** A row of a benchmark file failed to parse or validate. Names the file, line and field. */
export class BenchmarkFileError extends BenchmarkError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  constructor(input: {
    file: string;
    line?: number | undefined;
    field?: string | undefined;
    reason: string;
    cause?: unknown;
  }) {
    const where = `${input.file}${input.line === undefined ? '' : `:${input.line}`}`;
    const field = input.field ? ` (field ${input.field})` : '';
    super('BENCHMARK_FILE_INVALID', `${where}${field}: ${input.reason}`, { cause: input.cause });
    this.file = input.file;
    this.line = input.line;
    this.field = input.field;
  }
  static override isInstance(e: unknown): e is BenchmarkFileError {
    return BenchmarkError.isInstance(e) && e.code === 'BENCHMARK_FILE_INVALID';
  }
}

/** A benchmark that is not shipped with this package (licence) was requested without a `path`. */
export class BenchmarkNotAvailableError extends BenchmarkError {
  readonly benchmark: string;
  readonly howToGet: string;
  constructor(benchmark: string, howToGet: string) {
    super(
      'BENCHMARK_NOT_AVAILABLE',
      `benchmark ${benchmark} is not shipped with @magic/benchmarks (licence); pass { path }. How to get it: ${howToGet}`,
    );
    this.benchmark = benchmark;
    this.howToGet = howToGet;
  }
  static override isInstance(e: unknown): e is BenchmarkNotAvailableError {
    return BenchmarkError.isInstance(e) && e.code === 'BENCHMARK_NOT_AVAILABLE';
  }
}

/** An unknown benchmark, split, suite or metric name. */
export class UnknownBenchmarkError extends BenchmarkError {
  readonly requested: string;
  constructor(kind: string, name: string, known: readonly string[]) {
    super('BENCHMARK_UNKNOWN', `unknown ${kind} "${name}"; known: ${known.join(', ')}`);
    this.requested = name;
  }
  static override isInstance(e: unknown): e is UnknownBenchmarkError {
    return BenchmarkError.isInstance(e) && e.code === 'BENCHMARK_UNKNOWN';
  }
}

/** The evaluation itself failed (a target returned the wrong number of texts, a bad cache line...). */
export class EvaluationError extends BenchmarkError {
  readonly benchmark: string | undefined;
  constructor(message: string, benchmark?: string, options?: { cause?: unknown }) {
    super('EVALUATION_FAILED', benchmark ? `${benchmark}: ${message}` : message, options);
    this.benchmark = benchmark;
  }
  static override isInstance(e: unknown): e is EvaluationError {
    return BenchmarkError.isInstance(e) && e.code === 'EVALUATION_FAILED';
  }
}
