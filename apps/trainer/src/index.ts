export { type CliArgs, parseCliArgs, USAGE } from './args.js';
export { listPresets, presetFile, presetsDir, resolveConfig } from './config.js';

export { type MainIo, main } from './main.js';
export { Progress, type ProgressSink } from './progress.js';
export { encodePng, Raster } from './report/png.js';
export { buildReport, type Report } from './report/report.js';
export { writeRunReport } from './write-report.js';

export const packageName = '@magic/trainer-app';
