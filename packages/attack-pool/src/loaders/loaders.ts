import { basename } from 'node:path';
import { z } from 'zod';
import { SeedLoadError } from '../errors.js';
import { type DataType, dataTypeSchema, type SeedRecord, seedRecordSchema } from '../schemas.js';
import {
  optionalString,
  type Row,
  readCsvRows,
  readJsonArrayRows,
  readJsonlRows,
  readParquetRows,
  requireString,
} from './read.js';

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
  for (const [k, v] of Object.entries(init.meta ?? {})) if (v !== undefined) meta[k] = v;
  return seedRecordSchema.parse({ ...init, category: init.category ?? 'uncategorized', meta });
}

/** HarmBench behaviours CSV. Contextual rows get `ContextString` prepended (HarmBench's own convention). */
export function loadHarmBenchCsv(file: string, options: { includeContext?: boolean; source?: string } = {}) {
  const rows = readCsvRows(file, { requiredColumns: ['Behavior', 'BehaviorID'] });
  return rows.map((row) => {
    const behavior = requireString(file, row, 'Behavior');
    const context = optionalString(file, row, 'ContextString');
    const text = context && options.includeContext !== false ? `${context}\n\n---\n\n${behavior}` : behavior;
    return seed({
      id: `harmbench:${requireString(file, row, 'BehaviorID')}`,
      text,
      dataType: 'vanilla_harmful',
      category: optionalString(file, row, 'SemanticCategory'),
      source: options.source ?? 'harmbench',
      meta: {
        functionalCategory: optionalString(file, row, 'FunctionalCategory'),
        contextual: context ? 'true' : undefined,
      },
    });
  });
}

/** AdvBench: the original `goal,target` CSV or the HarmBench-format copy (`Behavior,...,BehaviorID`). */
export function loadAdvBenchCsv(file: string): SeedRecord[] {
  const rows = readCsvRows(file);
  return rows.map((row, i) => {
    const harmbenchFormat = 'Behavior' in row.fields;
    const text = requireString(file, row, harmbenchFormat ? 'Behavior' : 'goal');
    const upstreamId = harmbenchFormat ? requireString(file, row, 'BehaviorID') : `advbench_${i + 1}`;
    return seed({
      id: `advbench:${upstreamId}`,
      text,
      dataType: 'vanilla_harmful',
      category: 'advbench',
      source: 'advbench',
    });
  });
}

/** JBB-Behaviors CSV (`index,goal,target,behavior,category,source`); harmful and benign files share the format. */
export function loadJbbBehaviorsCsv(file: string, options: { dataType: DataType }): SeedRecord[] {
  const rows = readCsvRows(file, { requiredColumns: ['goal', 'category'] });
  const tag = options.dataType === 'vanilla_harmful' ? 'jbb-harmful' : 'jbb-benign';
  return rows.map((row) =>
    seed({
      id: `${tag}:${requireString(file, row, 'index')}`,
      text: requireString(file, row, 'goal'),
      dataType: options.dataType,
      category: requireString(file, row, 'category'),
      source: tag,
      meta: { behavior: optionalString(file, row, 'behavior'), upstreamSource: optionalString(file, row, 'source') },
    }),
  );
}

/** XSTest v2 prompts CSV (`id,prompt,type,label,...`); `label` safe/unsafe sets the data type. */
export function loadXsTestCsv(file: string, options: { labels?: ('safe' | 'unsafe')[] } = {}): SeedRecord[] {
  const keep = new Set(options.labels ?? ['safe', 'unsafe']);
  const rows = readCsvRows(file, { requiredColumns: ['id', 'prompt', 'type', 'label'] });
  const out: SeedRecord[] = [];
  for (const row of rows) {
    const label = requireString(file, row, 'label');
    if (label !== 'safe' && label !== 'unsafe') {
      throw new SeedLoadError({ file, line: row.line, field: 'label', reason: `expected safe|unsafe, got '${label}'` });
    }
    if (!keep.has(label)) continue;
    out.push(
      seed({
        id: `xstest:${requireString(file, row, 'id')}`,
        text: requireString(file, row, 'prompt'),
        dataType: label === 'safe' ? 'vanilla_benign' : 'vanilla_harmful',
        category: requireString(file, row, 'type'),
        source: 'xstest',
      }),
    );
  }
  return out;
}

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
  const rows = file.endsWith('.tsv') ? readCsvRows(file, { delimiter: '\t' }) : readJsonlRows(file);
  return rows.map((row, i) => {
    const vanilla = optionalString(file, row, 'vanilla');
    const adversarial = optionalString(file, row, 'adversarial');
    const text = vanilla ?? adversarial;
    if (!text) throw new SeedLoadError({ file, line: row.line, field: 'vanilla', reason: 'no vanilla or adversarial' });
    const rowType = optionalString(file, row, 'data_type');
    const dataType = rowType === undefined ? options.dataType : wjbTypes[rowType];
    if (!dataType) {
      throw new SeedLoadError({
        file,
        line: row.line,
        field: 'data_type',
        reason: rowType ? `unknown data_type '${rowType}'` : 'no data_type column: pass options.dataType',
      });
    }
    return seed({
      id: `wildjailbreak:${basename(file)}:${i}`,
      text,
      dataType,
      category: rowType ?? 'wildjailbreak',
      source: 'wildjailbreak',
      meta: { adversarial, tactics: optionalString(file, row, 'tactics') },
    });
  });
}

/** refusal-direction splits: a JSON array of `{ instruction, category }`. */
export function loadRefusalDirectionJson(file: string, options: { dataType?: DataType } = {}): SeedRecord[] {
  return readJsonArrayRows(file).map((row, i) =>
    seed({
      id: `refusal-direction:${basename(file)}:${i}`,
      text: requireString(file, row, 'instruction'),
      dataType: options.dataType ?? 'vanilla_harmful',
      category: optionalString(file, row, 'category'),
      source: 'refusal-direction',
    }),
  );
}

/** StrongREJECT CSV (`category, source, forbidden_prompt`). */
export function loadStrongRejectCsv(file: string): SeedRecord[] {
  const rows = readCsvRows(file, { requiredColumns: ['category', 'source', 'forbidden_prompt'] });
  return rows.map((row, i) =>
    seed({
      id: `strongreject:${i}`,
      text: requireString(file, row, 'forbidden_prompt'),
      dataType: 'vanilla_harmful',
      category: requireString(file, row, 'category'),
      source: 'strongreject',
      meta: { upstreamSource: optionalString(file, row, 'source') },
    }),
  );
}

/** OR-Bench CSV (`prompt, category`). OR-Bench-80k/hard are benign (default); pass harmful for OR-Bench-toxic. */
export function loadOrBenchCsv(file: string, options: { dataType?: DataType } = {}): SeedRecord[] {
  const rows = readCsvRows(file, { requiredColumns: ['prompt', 'category'] });
  return rows.map((row, i) =>
    seed({
      id: `or-bench:${basename(file)}:${i}`,
      text: requireString(file, row, 'prompt'),
      dataType: options.dataType ?? 'vanilla_benign',
      category: requireString(file, row, 'category'),
      source: 'or-bench',
    }),
  );
}

/** SORRY-Bench JSONL (`question_id, category, turns[], prompt_style`); the seed text is `turns[0]`. */
export function loadSorryBenchJsonl(file: string, options: { promptStyles?: string[] } = {}): SeedRecord[] {
  const out: SeedRecord[] = [];
  for (const row of readJsonlRows(file)) {
    const turns = row.fields.turns;
    if (!Array.isArray(turns) || typeof turns[0] !== 'string' || turns[0].trim() === '') {
      throw new SeedLoadError({ file, line: row.line, field: 'turns', reason: 'expected a non-empty string array' });
    }
    const style = optionalString(file, row, 'prompt_style') ?? 'base';
    if (options.promptStyles && !options.promptStyles.includes(style)) continue;
    out.push(
      seed({
        id: `sorry-bench:${requireId(file, row, 'question_id')}:${style}`,
        text: turns[0],
        dataType: 'vanilla_harmful',
        category: requireId(file, row, 'category'),
        source: 'sorry-bench',
        meta: { promptStyle: style },
      }),
    );
  }
  return out;
}

function requireId(file: string, row: Row, field: string): string {
  const value = optionalString(file, row, field);
  if (value === undefined) throw new SeedLoadError({ file, line: row.line, field, reason: 'missing' });
  return value;
}

/** Field mapping for generic files: which column holds the text, id, category and data type. */
export interface FieldMapping {
  text: string;
  id?: string;
  category?: string;
  dataType?: string;
}

export type GenericFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet';

export function inferFormat(file: string): GenericFormat {
  const ext = file.split('.').pop()?.toLowerCase();
  if (ext === 'csv' || ext === 'tsv' || ext === 'jsonl' || ext === 'json' || ext === 'parquet') return ext;
  throw new SeedLoadError({ file, reason: `cannot infer format from extension '.${ext ?? ''}'` });
}

/** Any CSV/TSV/JSONL/JSON-array/Parquet file with a field mapping. Row data types override `options.dataType`. */
export async function loadGenericSeeds(
  file: string,
  options: { mapping: FieldMapping; format?: GenericFormat; dataType?: DataType; source?: string },
): Promise<SeedRecord[]> {
  const format = options.format ?? inferFormat(file);
  const rows =
    format === 'parquet'
      ? await readParquetRows(file)
      : format === 'jsonl'
        ? readJsonlRows(file)
        : format === 'json'
          ? readJsonArrayRows(file)
          : readCsvRows(file, { delimiter: format === 'tsv' ? '\t' : ',', requiredColumns: [options.mapping.text] });
  const source = options.source ?? basename(file);
  return rows.map((row, i) => genericSeed(file, row, i, options.mapping, options.dataType, source));
}

function genericSeed(
  file: string,
  row: Row,
  index: number,
  mapping: FieldMapping,
  fallback: DataType | undefined,
  source: string,
): SeedRecord {
  const rawType = mapping.dataType ? optionalString(file, row, mapping.dataType) : undefined;
  const parsedType = rawType === undefined ? undefined : dataTypeSchema.safeParse(wjbTypes[rawType] ?? rawType);
  if (parsedType && !parsedType.success) {
    throw new SeedLoadError({
      file,
      line: row.line,
      field: mapping.dataType,
      reason: `unknown data type '${rawType}'`,
    });
  }
  const dataType = parsedType?.data ?? fallback;
  if (!dataType)
    throw new SeedLoadError({
      file,
      line: row.line,
      field: 'dataType',
      reason: 'no data type (map a column or pass one)',
    });
  return seed({
    id: `${source}:${mapping.id ? requireId(file, row, mapping.id) : index}`,
    text: requireString(file, row, mapping.text),
    dataType,
    category: mapping.category ? optionalString(file, row, mapping.category) : undefined,
    source,
  });
}

const selfInstructInstance = z.object({ input: z.string(), output: z.string() }).loose();

/**
 * Self-Instruct human-written tasks (`seed_tasks.jsonl`, `user_oriented_instructions.jsonl`): one benign
 * seed per task, the instruction followed by its first instance's input when that is non-empty.
 */
export function loadSelfInstructJsonl(file: string): SeedRecord[] {
  return readJsonlRows(file).map((row) => {
    const instances = z.array(selfInstructInstance).safeParse(row.fields.instances);
    if (!instances.success) throw new SeedLoadError({ file, line: row.line, field: 'instances', reason: 'not a list' });
    const input = instances.data[0]?.input.trim() ?? '';
    const instruction = requireString(file, row, 'instruction');
    return seed({
      id: `self-instruct:${requireId(file, row, 'id')}`,
      text: input === '' ? instruction : `${instruction}\n\n${input}`,
      dataType: 'vanilla_benign',
      category: optionalString(file, row, 'name') ?? optionalString(file, row, 'motivation_app'),
      source: 'self-instruct',
    });
  });
}
