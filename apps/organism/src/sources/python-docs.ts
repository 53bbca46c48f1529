import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { at } from '@magic/core';
import { type CorpusItem, countSkip, hasSpecialTokenText, type SourceReport } from '../corpus/types.js';
import { CorpusInputError, CorpusSourceError } from '../errors.js';
import { rstToSections } from './rst-text.js';

/** Sections shorter than this are headings or stubs, not prose. */
export const MIN_SECTION_CHARS = 200;

function findSourcesDir(root: string): string {
  const direct = join(root, '_sources');
  try {
    if (statSync(direct).isDirectory()) return direct;
  } catch {
    // Not the html dir itself: look for a `dpkg -x` tree below.
  }
  const docRoot = join(root, 'usr', 'share', 'doc');
  let names: string[] = [];
  try {
    names = readdirSync(docRoot);
  } catch {
    // Falls through to the error below.
  }
  for (const n of names.sort()) {
    const p = join(docRoot, n, 'html', '_sources');
    try {
      if (statSync(p).isDirectory()) return p;
    } catch {
      // Next candidate.
    }
  }
  throw new CorpusSourceError(root, 'no html/_sources dir (pass the `dpkg -x` root of python3.X-doc or its html dir)');
}

function listRst(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listRst(p));
    else if (name.endsWith('.rst.txt')) out.push(p);
  }
  return out;
}

/** The Debian package version from `changelog.Debian.gz` next to the docs (first line), if present. */
function debianVersion(root: string): string {
  const docRoot = join(root, 'usr', 'share', 'doc');
  try {
    for (const n of readdirSync(docRoot).sort()) {
      try {
        const lines = gunzipSync(readFileSync(join(docRoot, n, 'changelog.Debian.gz')))
          .toString('utf8')
          .split('\n');
        const first = at(lines, 0, 'changelog line');
        const m = /^(\S+) \(([^)]+)\)/.exec(first);
        if (m && n.endsWith('-doc')) return `Debian ${m[1]}-doc ${m[2]}`;
      } catch {
        // Not every doc dir has a changelog.
      }
    }
  } catch {
    // No usr/share/doc: the html dir was passed directly.
  }
  return 'unknown (html dir passed directly)';
}

/** Plain prose sections of the Python documentation (PSF licence), from an unpacked python3.X-doc package. */
export function readPythonDocs(root: string): { items: CorpusItem[]; report: SourceReport } {
  const dir = findSourcesDir(root);
  const skipped: Record<string, number> = {};
  const items: CorpusItem[] = [];
  const files = listRst(dir);
  if (files.length === 0) throw new CorpusSourceError(dir, 'no .rst.txt files');
  for (const file of files) {
    const rel = relative(dir, file).replace(/\.rst\.txt$/, '');
    // The licence/copyright pages are legal text, not documentation prose.
    if (/^(license|copyright|bugs|about)$/.test(rel)) {
      countSkip(skipped, 'legal/about page');
      continue;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file));
    } catch (e) {
      throw new CorpusInputError(file, undefined, 'not valid UTF-8', { cause: e });
    }
    for (const section of rstToSections(text)) {
      if (section.length < MIN_SECTION_CHARS) {
        countSkip(skipped, `section shorter than ${MIN_SECTION_CHARS} chars`);
        continue;
      }
      if (hasSpecialTokenText(section)) {
        countSkip(skipped, 'special-token text');
        continue;
      }
      items.push({ source: `python-docs:${rel}`, text: section });
    }
  }
  return {
    items,
    report: {
      name: 'python-docs',
      origin: `Python documentation reST sources (${dir})`,
      revision: debianVersion(root),
      licence: 'PSF License Agreement (documentation); code examples Zero-Clause BSD',
      items: items.length,
      skipped,
      notes: ['prose only: code blocks, doctests, tables and navigation directives removed'],
    },
  };
}
