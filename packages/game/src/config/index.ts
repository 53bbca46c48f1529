export { ENV_ALIASES, envAssignments, KEY_ALIASES, PREFIX_ALIASES, resolveAlias, snakeToCamel } from './aliases.js';
export {
  applyLayer,
  flattenKeys,
  type LoadConfigOptions,
  loadConfig,
  parseGameConfig,
  parseOverride,
  readConfigFile,
  setDotted,
} from './load.js';
export * from './schema.js';
