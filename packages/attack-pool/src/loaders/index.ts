export { type FieldMapping, type GenericFormat, inferFormat } from '../datasets/generic.js';
export {
  loadAdvBenchCsv,
  loadGenericSeeds,
  loadHarmBenchCsv,
  loadJbbBehaviorsCsv,
  loadOrBenchCsv,
  loadRefusalDirectionJson,
  loadSelfInstructJsonl,
  loadSorryBenchJsonl,
  loadStrongRejectCsv,
  loadWildJailbreak,
  loadXsTestCsv,
} from './loaders.js';
export { evenSample, loadSeedSpec, parseSeedSpec, type SeedSpec, seedFormats } from './seed-spec.js';
