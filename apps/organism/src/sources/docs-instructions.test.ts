import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { docsInstructions, INSTRUCTION_TEMPLATES, leadSentences } from './docs-instructions.js';

const section = (title: string, body: string) => ({ source: `python-docs:lib/${title}`, text: `${title}\n\n${body}` });

describe('docsInstructions', () => {
  it('turns a titled section into a request answered by its first whole sentences', () => {
    const body = `${'The module offers helpers for working with sorted lists. '.repeat(3)}It keeps them ordered. ${'x'.repeat(500)}.`;
    const { items, report } = docsInstructions([section('Sorted lists', body), { source: 't0:x', text: 'ignored' }]);
    expect(items).toHaveLength(1);
    const [user, assistant] = (items[0] as { messages: { role: string; content: string }[] }).messages;
    expect(INSTRUCTION_TEMPLATES.map((t) => t('sorted lists'))).toContain(defined(user, 'user turn').content);
    expect(defined(assistant, 'assistant turn').content).toBe(
      `${'The module offers helpers for working with sorted lists. '.repeat(3)}It keeps them ordered.`,
    );
    expect(report.items).toBe(1);
  });

  it('skips sections without a title line or without a short whole sentence, and counts why', () => {
    const { items, report } = docsInstructions([
      section('A first sentence that ends like prose.', 'More text follows here, long enough to count as one.'),
      section('Title', 'no sentence end here'),
    ]);
    expect(items).toHaveLength(0);
    expect(report.skipped).toEqual({
      'no title line': 1,
      'no whole sentence of 40-420 chars after the title': 1,
    });
  });

  it('leadSentences keeps whole sentences only', () => {
    expect(leadSentences('One short sentence that is long enough to be kept. Two!')).toBe(
      'One short sentence that is long enough to be kept. Two!',
    );
    expect(leadSentences('Too short. ')).toBeUndefined();
  });
});
