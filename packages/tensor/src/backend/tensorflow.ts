const PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return (
    code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (package|module)/.test(String(e))
  );
}

/**
 * Loads tfjs-node-gpu (or tfjs-node) if installed; it registers the 'tensorflow' backend.
 * Returns the package that loaded, or throws an Error whose message is the reason.
 */
export async function loadTensorflowBinding(): Promise<string> {
  const failures: string[] = [];
  for (const name of PACKAGES) {
    try {
      await import(/* @vite-ignore */ name);
      return name;
    } catch (e) {
      failures.push(isNotFound(e) ? `${name} not installed` : `${name} failed to load: ${(e as Error).message}`);
    }
  }
  throw new Error(failures.join('; '));
}
