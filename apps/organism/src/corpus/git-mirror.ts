import { execFileSync } from 'node:child_process';
import { CorpusSourceError } from '../errors.js';

/** Read-only access to a (bare) git mirror at its HEAD commit. */
export class GitMirror {
  readonly commit: string;

  constructor(readonly dir: string) {
    try {
      this.commit = this.git(['rev-parse', 'HEAD']).trim();
    } catch (e) {
      throw new CorpusSourceError(dir, 'not a readable git repository', { cause: e });
    }
  }

  private git(args: string[]): string {
    return execFileSync('git', ['-C', this.dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  }

  /** Paths of the files under `folder` at the pinned commit, sorted. */
  list(folder: string): string[] {
    return this.git(['ls-tree', '-r', '--name-only', this.commit, `${folder.replace(/\/$/, '')}/`])
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  }

  read(path: string): string {
    try {
      return this.git(['show', `${this.commit}:${path}`]);
    } catch (e) {
      throw new CorpusSourceError(`${this.dir}:${path}`, 'cannot read file at HEAD', { cause: e });
    }
  }
}
