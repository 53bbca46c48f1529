import { magicVitest } from '@magic/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(magicVitest({ name: 'e2e', include: ['**/*.test.ts'], testTimeout: 600_000 }));
