export {
  type FieldMapping,
  type GenericFileRow,
  type GenericFormat,
  inferFormat,
  readGenericFile,
} from './generic.js';
export {
  type HarmBenchFileRow,
  harmbenchCsvRowSchema,
  harmbenchFunctionalCategories,
  harmbenchPrompt,
  readHarmBenchFile,
} from './harmbench.js';
export { type JbbBehaviorsFileRow, jbbBehaviorsCsvRowSchema, readJbbBehaviorsFile } from './jbb.js';
export { type OrBenchFileRow, orBenchCsvRowSchema, readOrBenchFile } from './or-bench.js';
export {
  type CsvReadOptions,
  type JsonValueAt,
  type Row,
  readCsvRows,
  readJsonArrayRows,
  readJsonArrayValues,
  readJsonlRows,
  readJsonlValues,
  readParquetRows,
} from './read.js';
export { type FileRow, parseRows } from './rows.js';
export {
  type AdvBenchFileRow,
  advbenchHarmbenchRowSchema,
  advbenchOriginalRowSchema,
  type RefusalDirectionFileRow,
  readAdvBenchFile,
  readRefusalDirectionFile,
  readSelfInstructFile,
  readSorryBenchFile,
  refusalDirectionRowSchema,
  type SelfInstructFileRow,
  type SorryBenchFileRow,
  selfInstructRowSchema,
  sorryBenchRowSchema,
} from './seed-formats.js';
export { readStrongRejectFile, type StrongRejectFileRow, strongrejectCsvRowSchema } from './strongreject.js';
export {
  readWildJailbreakFile,
  readWildJailbreakParquet,
  type WildJailbreakDataType,
  type WildJailbreakFileRow,
  wildjailbreakDataTypes,
  wildjailbreakParquetRowSchema,
  wildjailbreakRowSchema,
} from './wildjailbreak.js';
export {
  readXsTestFile,
  type XsTestFileRow,
  type XsTestLabel,
  xstestCsvRowSchema,
  xstestJsonRowSchema,
} from './xstest.js';
