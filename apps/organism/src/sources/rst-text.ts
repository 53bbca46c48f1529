import { at } from '@magic/core';

/** Directives whose bodies are code, tables or navigation rather than prose (dropped with their body). */
const DROP_DIRECTIVES =
  /^\.\.\s+(code-block|code|sourcecode|highlight|toctree|literalinclude|index|testcode|testsetup|testoutput|testcleanup|doctest|productionlist|raw|csv-table|list-table|table|image|figure|include|sectionauthor|moduleauthor|only|c:\w+|cpp:\w+|_|\|)/;

/** Inline reST markup to plain text: roles, literals, links, emphasis. */
export function stripInline(line: string): string {
  return line
    .replace(/:[\w:-]+:`~?([^`<]*?)\s*<[^>]*>`/g, '$1')
    .replace(/:[\w:-]+:`~([^`]*?)`/g, (_m, t: string) => t.split('.').pop() ?? t)
    .replace(/:[\w:-]+:`!?([^`]*?)`/g, '$1')
    .replace(/``([^`]+)``/g, '$1')
    .replace(/`([^`<]+?)\s*<[^>]+>`__?/g, '$1')
    .replace(/`([^`]+)`_{0,2}/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[\s(])\*([^*\s][^*]*?)\*(?=[\s).,;:!?]|$)/g, '$1$2')
    .replace(/\|([\w -]+)\|/g, '$1');
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

/**
 * Plain prose from a reStructuredText document (the Python docs' `_sources/*.rst.txt`): titles and paragraphs
 * kept, code blocks, doctests, tables and navigation directives dropped. Sections are split at titles.
 */
export function rstToSections(rst: string): string[] {
  const lines = rst.replace(/\r\n?/g, '\n').split('\n');
  const sections: string[][] = [[]];
  let para: string[] = [];
  let skipIndent = -1;
  const flush = (): void => {
    if (para.length === 0) return;
    let text = para.join(' ').replace(/\s+/g, ' ').trim();
    para = [];
    if (text === '' || text.startsWith('>>>')) return;
    text = text.replace(/\s+::$/, '').replace(/::$/, ':');
    at(sections, sections.length - 1, 'current section').push(stripInline(text));
  };
  for (let i = 0; i < lines.length; i++) {
    const line = at(lines, i, 'rst line');
    const trimmed = line.trim();
    if (skipIndent >= 0) {
      if (trimmed === '' || indentOf(line) > skipIndent) continue;
      skipIndent = -1;
    }
    if (trimmed === '') {
      flush();
      continue;
    }
    // Title: a text line followed by an underline of punctuation (overlines are dropped as lines of their own).
    const next = lines[i + 1]?.trim() ?? '';
    if (/^([=\-~^"'*+#`:.])\1{2,}$/.test(trimmed)) continue;
    if (/^([=\-~^"'*+#`:.])\1{2,}$/.test(next) && next.length >= trimmed.length - 1 && indentOf(line) === 0) {
      flush();
      sections.push([stripInline(trimmed)]);
      i++;
      continue;
    }
    if (trimmed.startsWith('..')) {
      flush();
      if (DROP_DIRECTIVES.test(trimmed) || !/^\.\.\s+[\w:-]+::/.test(trimmed)) skipIndent = indentOf(line);
      else {
        // Prose directives (note, warning, versionchanged, function signatures): keep their argument text.
        const arg = trimmed.replace(/^\.\.\s+[\w:-]+::\s*/, '');
        if (arg !== '' && !/^[\w.]+\(/.test(arg)) para.push(arg);
        flush();
      }
      continue;
    }
    if (/^[+|]?[-=+]{3,}[-=+ |]*$/.test(trimmed) || trimmed.startsWith('|') || trimmed.startsWith('+-')) continue;
    if (trimmed.startsWith('>>>')) {
      // A doctest block runs to the next blank line (its output lines included).
      flush();
      while (i + 1 < lines.length && at(lines, i + 1, 'rst line').trim() !== '') i++;
      continue;
    }
    if (trimmed.startsWith(':') && /^:[\w -]+:/.test(trimmed) && para.length === 0) continue;
    para.push(trimmed);
    // A paragraph ending in "::" introduces a literal (code) block: drop the indented block that follows.
    if (trimmed.endsWith('::')) {
      flush();
      skipIndent = indentOf(line);
    }
  }
  flush();
  return sections.map((s) => s.join('\n\n')).filter((s) => s.trim() !== '');
}
