import { magicVitest } from '@magic/vitest-config';
import { defineConfig } from 'vitest/config';

export default defineConfig(magicVitest());
