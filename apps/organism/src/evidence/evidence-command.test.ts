// `magic-organism evidence` usage errors: raised before any backend starts or model loads.
import { describe, expect, it } from 'vitest';
import { OrganismUsageError } from '../errors.js';
import { runEvalCommand } from '../eval-commands.js';

const run = (args: string[]) => runEvalCommand('evidence', args, () => {});

describe('magic-organism evidence arguments', () => {
  it('needs --before, --after and --out', async () => {
    await expect(run(['--before', 'b', '--after', 'a'])).rejects.toThrow(/--before DIR, --after DIR and --out DIR/);
    await expect(run(['--after', 'a', '--out', 'o'])).rejects.toThrow(OrganismUsageError);
  });

  it('rejects an unknown device, a bad seed, a non-positive limit and unknown flags', async () => {
    const base = ['--before', 'b', '--after', 'a', '--out', 'o'];
    await expect(run([...base, '--device', 'tpu'])).rejects.toThrow(/--device must be one of/);
    await expect(run([...base, '--seed', '1.5'])).rejects.toThrow(/--seed must be an integer/);
    await expect(run([...base, '--limit', '0'])).rejects.toThrow(/--limit must be a positive number/);
    await expect(run([...base, '--fixed'])).rejects.toThrow(/unknown option --fixed/);
  });
});
