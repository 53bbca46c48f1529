import { basename } from 'node:path';
import type { FieldMapping, GenericFormat } from '../datasets/generic.js';
import { readGenericFile } from '../datasets/generic.js';
import { harmbenchPrompt, readHarmBenchFile } from '../datasets/harmbench.js';
import { readJbbBehaviorsFile } from '../datasets/jbb.js';
import { readOrBenchFile } from '../datasets/or-bench.js';
import {
  readAdvBenchFile,
  readRefusalDirectionFile,
  readSelfInstructFile,
  readSorryBenchFile,
} from '../datasets/seed-formats.js';
import { readStrongRejectFile } from '../datasets/strongreject.js';
import { readWildJailbreakFile } from '../datasets/wildjailbreak.js';
import { readXsTestFile } from '../datasets/xstest.js';
import { SeedLoadError } from '../errors.js';
import { type DataType, dataTypeSchema, type SeedRecord, seedRecordSchema } from '../schemas.js';

// Each loader maps the validated rows of one dataset format (parsed in ../datasets, which @magic/benchmarks
// reads too) to seed records.

interface SeedInit {
  id: string;
  text: string;
  dataType: DataType;
  category?: string | undefined;
  source: string;
  meta?: Record<string, string | undefined>;
}

function seed(init: SeedInit): SeedRecord {
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.meta ?? {})) if (v !== undefined && v !== '') meta[k] = v;
  return seedRecordSchema.parse({ ...init, category: init.category || 'uncategorized', meta });
}

/** HarmBench behaviours CSV. Contextual rows get `ContextString` prepended (HarmBench's own convention). */
export function loadHarmBenchCsv(file: string, options: { includeContext?: boolean; source?: string } = {}) {
  return readHarmBenchFile(file).map((row) => {
    const context = row.contextString !== '';
    return seed({
      id: `harmbench:${row.behaviorId}`,
      text: options.includeContext === false ? row.behavior : harmbenchPrompt(row),
      dataType: 'vanilla_harmful',
      category: row.semanticCategory,
      source: options.source ?? 'harmbench',
      meta: { functionalCategory: row.functionalCategory, contextual: context ? 'true' : undefined },
    });
  });
}

/** AdvBench: the original `goal,target` CSV or the HarmBench-format copy (`Behavior,...,BehaviorID`). */
export function loadAdvBenchCsv(file: string): SeedRecord[] {
  return readAdvBenchFile(file).map((row, i) =>
    seed({
      id: `advbench:${row.behaviorId ?? `advbench_${i + 1}`}`,
      text: row.behavior,
      dataType: 'vanilla_harmful',
      category: 'advbench',
      source: 'advbench',
    }),
  );
}

/** JBB-Behaviors CSV (`index,goal,target,behavior,category,source`); harmful and benign files share the format. */
export function loadJbbBehaviorsCsv(file: string, options: { dataType: DataType }): SeedRecord[] {
  const tag = options.dataType === 'vanilla_harmful' ? 'jbb-harmful' : 'jbb-benign';
  return readJbbBehaviorsFile(file).map((row) =>
    seed({
      id: `${tag}:${row.index}`,
      text: row.goal,
      dataType: options.dataType,
      category: row.category,
      source: tag,
      meta: { behavior: row.behavior, upstreamSource: row.source },
    }),
  );
}

/** XSTest v2 prompts (the upstream CSV, or safety-eval's JSON); `label` safe/unsafe sets the data type. */
export function loadXsTestCsv(file: string, options: { labels?: ('safe' | 'unsafe')[] } = {}): SeedRecord[] {
  const keep = new Set(options.labels ?? ['safe', 'unsafe']);
  return readXsTestFile(file)
    .filter((row) => keep.has(row.label))
    .map((row) =>
      seed({
        id: `xstest:${row.id}`,
        text: row.prompt,
        dataType: row.label === 'safe' ? 'vanilla_benign' : 'vanilla_harmful',
        category: row.type,
        source: 'xstest',
      }),
    );
}

/** WildJailbreak's four data types, folded to the two seed data types. */
const wjbTypes: Record<string, DataType> = {
  vanilla_harmful: 'vanilla_harmful',
  adversarial_harmful: 'vanilla_harmful',
  vanilla_benign: 'vanilla_benign',
  adversarial_benign: 'vanilla_benign',
};

/**
 * WildJailbreak: eval JSONL (`vanilla, adversarial`) or the train TSV (`vanilla, adversarial, tactics,
 * completion, data_type`). The seed text is `vanilla` (or `adversarial` when it is the only prompt);
 * the adversarial rewrite is kept in `meta.adversarial`. A row's `data_type` wins over `options.dataType`.
 */
export function loadWildJailbreak(file: string, options: { dataType?: DataType } = {}): SeedRecord[] {
  return readWildJailbreakFile(file).map((row, i) => {
    const dataType = row.dataType === undefined ? options.dataType : wjbTypes[row.dataType];
    if (!dataType) {
      throw new SeedLoadError({
        file,
        line: row.line,
        field: 'data_type',
        reason: 'no data_type column: pass options.dataType',
      });
    }
    return seed({
      id: `wildjailbreak:${basename(file)}:${i}`,
      text: row.request,
      dataType,
      category: row.dataType ?? 'wildjailbreak',
      source: 'wildjailbreak',
      meta: { adversarial: row.adversarial, tactics: row.tactics },
    });
  });
}

/** refusal-direction splits: a JSON array of `{ instruction, category }`. */
export function loadRefusalDirectionJson(file: string, options: { dataType?: DataType } = {}): SeedRecord[] {
  return readRefusalDirectionFile(file).map((row, i) =>
    seed({
      id: `refusal-direction:${basename(file)}:${i}`,
      text: row.instruction,
      dataType: options.dataType ?? 'vanilla_harmful',
      category: row.category,
      source: 'refusal-direction',
    }),
  );
}

/** StrongREJECT CSV (`category, source, forbidden_prompt`). */
export function loadStrongRejectCsv(file: string): SeedRecord[] {
  return readStrongRejectFile(file).map((row, i) =>
    seed({
      id: `strongreject:${i}`,
      text: row.forbiddenPrompt,
      dataType: 'vanilla_harmful',
      category: row.category,
      source: 'strongreject',
      meta: { upstreamSource: row.source },
    }),
  );
}

/** OR-Bench CSV (`prompt, category`). OR-Bench-80k/hard are benign (default); pass harmful for OR-Bench-toxic. */
export function loadOrBenchCsv(file: string, options: { dataType?: DataType } = {}): SeedRecord[] {
  return readOrBenchFile(file).map((row, i) =>
    seed({
      id: `or-bench:${basename(file)}:${i}`,
      text: row.prompt,
      dataType: options.dataType ?? 'vanilla_benign',
      category: row.category,
      source: 'or-bench',
    }),
  );
}

/** SORRY-Bench JSONL (`question_id, category, turns[], prompt_style`); the seed text is `turns[0]`. */
export function loadSorryBenchJsonl(file: string, options: { promptStyles?: string[] } = {}): SeedRecord[] {
  return readSorryBenchFile(file)
    .filter((row) => !options.promptStyles || options.promptStyles.includes(row.promptStyle))
    .map((row) =>
      seed({
        id: `sorry-bench:${row.questionId}:${row.promptStyle}`,
        text: row.prompt,
        dataType: 'vanilla_harmful',
        category: row.category,
        source: 'sorry-bench',
        meta: { promptStyle: row.promptStyle },
      }),
    );
}

/** Any CSV/TSV/JSONL/JSON-array/Parquet file with a field mapping. Row data types override `options.dataType`. */
export async function loadGenericSeeds(
  file: string,
  options: { mapping: FieldMapping; format?: GenericFormat; dataType?: DataType; source?: string },
): Promise<SeedRecord[]> {
  const rows = await readGenericFile(file, { mapping: options.mapping, format: options.format });
  const source = options.source ?? basename(file);
  return rows.map((row, i) => {
    const parsedType =
      row.dataType === undefined ? undefined : dataTypeSchema.safeParse(wjbTypes[row.dataType] ?? row.dataType);
    if (parsedType && !parsedType.success) {
      const reason = `unknown data type '${row.dataType}'`;
      throw new SeedLoadError({ file, line: row.line, field: options.mapping.dataType, reason });
    }
    const dataType = parsedType?.data ?? options.dataType;
    if (!dataType) {
      const reason = 'no data type (map a column or pass one)';
      throw new SeedLoadError({ file, line: row.line, field: 'dataType', reason });
    }
    return seed({ id: `${source}:${row.id ?? i}`, text: row.text, dataType, category: row.category, source });
  });
}

/**
 * Self-Instruct human-written tasks (`seed_tasks.jsonl`, `user_oriented_instructions.jsonl`): one benign
 * seed per task, the instruction followed by its first instance's input when that is non-empty.
 */
export function loadSelfInstructJsonl(file: string): SeedRecord[] {
  return readSelfInstructFile(file).map((row) => {
    const input = row.firstInput.trim();
    return seed({
      id: `self-instruct:${row.id}`,
      text: input === '' ? row.instruction : `${row.instruction}\n\n${input}`,
      dataType: 'vanilla_benign',
      category: row.name ?? row.motivationApp,
      source: 'self-instruct',
    });
  });
}
