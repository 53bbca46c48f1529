/** Base of every error this app throws; `code` is stable for callers and tests. */
export class OrganismError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A corpus source file with a row that cannot be read; names the file and 1-based line. */
export class CorpusInputError extends OrganismError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('CORPUS_INPUT', `${file}${line === undefined ? '' : `:${line}`}: ${reason}`, options);
  }
}

/** A source that the build needs is missing (mirror, docs dir, dataset file). */
export class CorpusSourceError extends OrganismError {
  constructor(
    readonly source: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('CORPUS_SOURCE', `${source}: ${reason}`, options);
  }
}

/** The finished corpus still overlaps an eval text (the build refuses to write it). */
export class CorpusOverlapError extends OrganismError {
  constructor(reason: string) {
    super('CORPUS_OVERLAP', reason);
  }
}

/** Bad tokenizer training input or options. */
export class TokenizerTrainError extends OrganismError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('TOKENIZER_TRAIN', reason, options);
  }
}

/** Bad command-line usage. */
export class OrganismUsageError extends OrganismError {
  constructor(reason: string) {
    super('USAGE', reason);
  }
}

/** A tokenized corpus that cannot be read, or does not belong to the model's tokenizer. */
export class TokenStoreError extends OrganismError {
  constructor(
    readonly where: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('TOKEN_STORE', `${where}: ${reason}`, options);
  }
}

/** The tokenizer and the model (or the tokenized corpus) disagree on the vocabulary. */
export class VocabMismatchError extends OrganismError {
  constructor(reason: string) {
    super('VOCAB_MISMATCH', reason);
  }
}

/** A training stage's options or checkpoint cannot be used. */
export class OrganismTrainError extends OrganismError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('ORGANISM_TRAIN', reason, options);
  }
}

/** An evaluation input (model dir, eval set file, lexicon, eval.json) that cannot be used; names the file. */
export class EvalInputError extends OrganismError {
  constructor(
    readonly file: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('EVAL_INPUT', `${file}: ${reason}`, options);
  }
}

/** A train-log.jsonl line that is not a valid log record; names the file and 1-based line. */
export class TrainLogError extends OrganismError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('TRAIN_LOG', `${file}${line === undefined ? '' : `:${line}`}: ${reason}`, options);
  }
}

/** The before/after evidence could not be measured or assembled (a model folder, a magic-eval run, a results file). */
export class EvidenceError extends OrganismError {
  constructor(
    readonly where: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('EVIDENCE', `${where}: ${reason}`, options);
  }
}
