export { CONFORMANCE_CASES, type ConformanceCase } from './cases.js';
export { seededNormal } from './inputs.js';
export { type ConformanceReport, type ConformanceResult, runConformance } from './runner.js';
