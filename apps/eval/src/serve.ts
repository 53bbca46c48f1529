import type { LmRuntimeOptions } from '@magic/lm';
import { type InitBackendOptions, initBackend } from '@magic/tensor';
import { type RunningModelServer, startModelServer } from './model-server.js';
import type { ServeArgs } from './serve-args.js';
import { type CheckpointServable, loadCheckpoint, servableCheckpoint } from './targets/checkpoint-model.js';

export interface ServedCheckpoint {
  server: RunningModelServer;
  servable: CheckpointServable;
  backend: string;
  /** Stops accepting requests, closes connections and frees the model. */
  close(): Promise<void>;
}

/** magic-serve's core: starts a backend, loads the checkpoint and serves it through startModelServer. */
export async function serveCheckpoint(
  args: Omit<ServeArgs, 'help'>,
  lm: LmRuntimeOptions = {},
  backendOptions: Omit<InitBackendOptions, 'device'> = {},
): Promise<ServedCheckpoint> {
  const backend = await initBackend({ ...backendOptions, device: args.device });
  const { model } = await loadCheckpoint(args.model, lm);
  const servable = servableCheckpoint(model);
  let server: RunningModelServer;
  try {
    server = await startModelServer(servable, {
      host: args.host,
      port: args.port,
      modelName: args.modelName,
      apiKey: args.apiKey,
      maxBatchSize: args.maxBatch,
      batchWindowMs: args.batchWindowMs,
      maxTokensDefault: args.maxTokens,
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
  let closed = false;
  return {
    server,
    servable,
    backend: backend.name,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      await servable.run(async () => model.dispose());
    },
  };
}
