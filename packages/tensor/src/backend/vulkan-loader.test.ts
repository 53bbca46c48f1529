import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defined } from '@magic/core';
import { afterAll, describe, expect, it } from 'vitest';
import { hasGpuDeviceNode, hasVulkanLoader } from './adapter.js';

const work = mkdtempSync(join(tmpdir(), 'vulkan-loader-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('hasVulkanLoader', () => {
  const none = { ldLibraryPath: '', libDirs: [], ldCache: join(work, 'no-such-cache') };

  it('finds libvulkan.so.1 on LD_LIBRARY_PATH, in a lib folder or in ld.so.cache', () => {
    expect(hasVulkanLoader(none)).toBe(false);
    const dir = join(work, 'lib');
    mkdirSync(dir);
    writeFileSync(join(dir, 'libvulkan.so.1'), '');
    expect(hasVulkanLoader({ ...none, ldLibraryPath: `/nowhere:${dir}` })).toBe(true);
    expect(hasVulkanLoader({ ...none, libDirs: [dir] })).toBe(true);
    const cache = join(work, 'ld.so.cache');
    writeFileSync(
      cache,
      Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from('libvulkan.so.1\0/opt/x/libvulkan.so.1\0')]),
    );
    expect(hasVulkanLoader({ ...none, ldCache: cache })).toBe(true);
    writeFileSync(cache, 'libc.so.6\0/lib/libc.so.6\0');
    expect(hasVulkanLoader({ ...none, ldCache: cache })).toBe(false);
  });
});

describe('hasGpuDeviceNode', () => {
  it('finds NVIDIA, DRM render, KFD or dxg nodes, or an ICD named by the user', () => {
    const dev = join(work, 'dev');
    mkdirSync(join(dev, 'dri'), { recursive: true });
    expect(hasGpuDeviceNode({ devDir: dev, icdOverride: '' })).toBe(false);
    expect(hasGpuDeviceNode({ devDir: dev, icdOverride: '/opt/icd/nvidia_icd.json' })).toBe(true);
    writeFileSync(join(dev, 'dri', 'renderD128'), '');
    expect(hasGpuDeviceNode({ devDir: dev, icdOverride: '' })).toBe(true);
    const nv = join(work, 'dev-nv');
    mkdirSync(nv);
    writeFileSync(join(nv, 'nvidia0'), '');
    expect(hasGpuDeviceNode({ devDir: nv, icdOverride: '' })).toBe(true);
    expect(hasGpuDeviceNode({ devDir: join(work, 'no-dev'), icdOverride: '' })).toBe(false);
  });
});

describe('device auto on a machine without a GPU', () => {
  it("starts without Dawn's Vulkan-loader warning on stderr", async () => {
    // a fresh process: the warning came from Dawn's native code the first time it probed for an adapter
    const script = join(work, 'start.mts');
    writeFileSync(
      script,
      `import { initBackend } from ${JSON.stringify(new URL('./init-backend.ts', import.meta.url).href)};
const info = await initBackend({ device: 'auto', allowSoftwareAdapter: false });
console.log(JSON.stringify({ name: info.name, skipped: info.skipped.map((s) => s.device) }));`,
    );
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, MAGIC_ALLOW_SOFTWARE_WEBGPU: '' },
    });
    const started = JSON.parse(defined(stdout.trim().split('\n').at(-1), 'last stdout line')) as {
      name: string;
      skipped: string[];
    };
    expect(started.name).not.toBe('auto');
    // where the loader is installed (CI's Mesa drivers) Dawn probes and may warn about other things; this is the
    // warning printed on every start of a machine without it
    expect(stderr).not.toContain("Couldn't load Vulkan");
    // nor any other Dawn probe message carrying a C++ source path, where no GPU device node exists
    if (!hasGpuDeviceNode()) expect(stderr).not.toMatch(/\.cpp:\d+/);
  });
});
