export { MagicError } from '@magic/core';
export * from './config/index.js';
export { CheckpointError, ConfigError, JudgeOutageError, ReferencePolicyError, StageError } from './errors.js';
export * from './magic/index.js';
export * from './switch/index.js';
export * from './trainer/index.js';
