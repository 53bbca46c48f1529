import { open } from 'node:fs/promises';
import {
  decodeTensorBytes,
  encodeTensorBytes,
  parseSafetensorsHeader,
  planSafetensors,
  readHeaderLength,
  type SafetensorsFile,
  type SafetensorsTensor,
  type TensorToSave,
  type WriteSafetensorsOptions,
} from './safetensors.js';

async function readExactly(fh: import('node:fs/promises').FileHandle, length: number, position: number) {
  const buf = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buf.subarray(0, done);
}

/**
 * Loads a safetensors file tensor by tensor (no whole-file buffer, so shards over 2 GB load too).
 * The header is validated against the file size before any tensor is read.
 */
export async function loadSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const headerLen = readHeaderLength(await readExactly(fh, 8, 0), size, path);
    const header = parseSafetensorsHeader(await readExactly(fh, headerLen, 8), size, path);
    const tensors = new Map<string, SafetensorsTensor>();
    for (const e of header.entries) {
      const raw = await readExactly(fh, e.end - e.begin, header.dataStart + e.begin);
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeTensorBytes(e.dtype, raw) });
    }
    return { tensors, metadata: header.metadata };
  } finally {
    await fh.close();
  }
}

/** Writes tensors to a safetensors file, one tensor at a time. */
export async function saveSafetensorsFile(
  path: string,
  tensors: Record<string, TensorToSave>,
  opts: WriteSafetensorsOptions = {},
): Promise<void> {
  const { header, plan, dtype } = planSafetensors(tensors, opts, path);
  const fh = await open(path, 'w');
  try {
    await fh.write(header, 0, header.byteLength, 0);
    for (const p of plan) {
      const bytes = encodeTensorBytes(p.data, dtype);
      await fh.write(bytes, 0, bytes.byteLength, header.byteLength + p.begin);
    }
  } finally {
    await fh.close();
  }
}
