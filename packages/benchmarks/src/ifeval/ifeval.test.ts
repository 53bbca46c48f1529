import { describe, expect, it } from 'vitest';
import { loadIfeval } from '../loaders/ifeval.js';
import { checkInstruction, countSentences, countWords, instructionCheckers } from './checkers.js';
import { aggregateIfeval, evaluateIfeval, looseVariants } from './evaluate.js';
import { detectLanguage } from './language.js';

const check = (id: string, response: string, kwargs: Record<string, unknown> = {}) =>
  checkInstruction(id, response, kwargs);

describe('IFEval checkers (hand-written cases)', () => {
  it('has a checker for every instruction id in the shipped input data', async () => {
    const ids = new Set((await loadIfeval()).flatMap((r) => r.instructionIdList));
    expect([...ids].filter((id) => !(id in instructionCheckers))).toEqual([]);
    expect(ids.size).toBe(25);
  });

  it('punctuation and keywords', () => {
    expect(check('punctuation:no_comma', 'No commas here.')).toBe(true);
    expect(check('punctuation:no_comma', 'One, two.')).toBe(false);
    expect(check('keywords:existence', 'Bread and BUTTER', { keywords: ['bread', 'butter'] })).toBe(true);
    expect(check('keywords:existence', 'Bread only', { keywords: ['bread', 'butter'] })).toBe(false);
    expect(check('keywords:forbidden_words', 'A buttery crust', { forbidden_words: ['butter'] })).toBe(true);
    expect(check('keywords:forbidden_words', 'Add Butter.', { forbidden_words: ['butter'] })).toBe(false);
    expect(check('keywords:frequency', 'dog Dog DOG', { keyword: 'dog', relation: 'at least', frequency: 3 })).toBe(
      true,
    );
    expect(check('keywords:frequency', 'dog Dog DOG', { keyword: 'dog', relation: 'less than', frequency: 3 })).toBe(
      false,
    );
    expect(
      check('keywords:letter_frequency', 'Banana', { letter: 'a', let_relation: 'at least', let_frequency: 3 }),
    ).toBe(true);
    expect(
      check('keywords:letter_frequency', 'Banana', { letter: 'a', let_relation: 'less than', let_frequency: 3 }),
    ).toBe(false);
  });

  it('length constraints', () => {
    expect(countWords("It's a dog-friendly park.")).toBe(6);
    expect(countSentences('Dr. Smith came. He left! Did he? Yes.')).toBe(4);
    expect(check('length_constraints:number_words', 'one two three', { relation: 'less than', num_words: 4 })).toBe(
      true,
    );
    expect(
      check('length_constraints:number_words', 'one two three four', { relation: 'less than', num_words: 4 }),
    ).toBe(false);
    expect(
      check('length_constraints:number_sentences', 'A b. C d. E f.', { relation: 'at least', num_sentences: 3 }),
    ).toBe(true);
    expect(
      check('length_constraints:number_paragraphs', 'First.\n***\nSecond.\n***\nThird.', { num_paragraphs: 3 }),
    ).toBe(true);
    expect(check('length_constraints:number_paragraphs', 'First.\n***\n***\nThird.', { num_paragraphs: 2 })).toBe(
      false,
    );
    const nth = { num_paragraphs: 2, nth_paragraph: 2, first_word: 'bread' };
    expect(check('length_constraints:nth_paragraph_first_word', 'Intro here.\n\n"Bread, is good.', nth)).toBe(true);
    expect(check('length_constraints:nth_paragraph_first_word', 'Intro here.\n\nButter is good.', nth)).toBe(false);
    expect(check('length_constraints:nth_paragraph_first_word', 'Only one paragraph with bread.', nth)).toBe(false);
  });

  it('detectable content and format', () => {
    expect(check('detectable_content:number_placeholders', 'Dear [name], at [address].', { num_placeholders: 2 })).toBe(
      true,
    );
    expect(check('detectable_content:number_placeholders', 'Dear [name].', { num_placeholders: 2 })).toBe(false);
    expect(check('detectable_content:postscript', 'Hi.\nP.S. see you', { postscript_marker: 'P.S.' })).toBe(true);
    expect(check('detectable_content:postscript', 'Hi.\nP.P.S see you', { postscript_marker: 'P.P.S' })).toBe(true);
    expect(check('detectable_content:postscript', 'Hi. PS see you', { postscript_marker: 'P.S.' })).toBe(false);
    expect(check('detectable_format:number_bullet_lists', '* one\n* two\n- three', { num_bullets: 3 })).toBe(true);
    expect(check('detectable_format:number_bullet_lists', '* one\n* two', { num_bullets: 3 })).toBe(false);
    expect(check('detectable_format:constrained_response', 'My answer is yes.')).toBe(true);
    expect(check('detectable_format:constrained_response', 'Yes.')).toBe(false);
    expect(check('detectable_format:number_highlighted_sections', '*one* and **two**', { num_highlights: 2 })).toBe(
      true,
    );
    expect(check('detectable_format:number_highlighted_sections', '** ** and *one*', { num_highlights: 2 })).toBe(
      false,
    );
    expect(
      check('detectable_format:multiple_sections', 'SECTION 1\na\nSECTION 2\nb', {
        section_spliter: 'SECTION',
        num_sections: 2,
      }),
    ).toBe(true);
    expect(
      check('detectable_format:multiple_sections', 'SECTION 1\na', { section_spliter: 'SECTION', num_sections: 2 }),
    ).toBe(false);
    expect(check('detectable_format:json_format', '```json\n{"a": 1}\n```')).toBe(true);
    expect(check('detectable_format:json_format', '{a: 1}')).toBe(false);
    expect(check('detectable_format:title', '<<Bread Basics>>\nText')).toBe(true);
    expect(check('detectable_format:title', '<< >>\nText')).toBe(false);
  });

  it('combination, start/end, case and language', () => {
    expect(check('combination:two_responses', 'First answer.\n******\nSecond answer.')).toBe(true);
    expect(check('combination:two_responses', 'Same.\n******\nSame.')).toBe(false);
    expect(check('combination:repeat_prompt', 'Write a poem. Roses...', { prompt_to_repeat: 'Write a poem.' })).toBe(
      true,
    );
    expect(check('combination:repeat_prompt', 'Roses...', { prompt_to_repeat: 'Write a poem.' })).toBe(false);
    expect(check('startend:end_checker', 'Text. Any other questions?"', { end_phrase: 'Any other questions?' })).toBe(
      true,
    );
    expect(check('startend:end_checker', 'Any other questions? Bye.', { end_phrase: 'Any other questions?' })).toBe(
      false,
    );
    expect(check('startend:quotation', '"Quoted."')).toBe(true);
    expect(check('startend:quotation', 'Not quoted.')).toBe(false);
    expect(check('change_case:english_lowercase', 'this is all lowercase and it is english text')).toBe(true);
    expect(check('change_case:english_lowercase', 'This is Not lowercase')).toBe(false);
    expect(check('change_case:english_lowercase', '12345 !!!')).toBe(false); // no cased character, as Python islower()
    expect(check('change_case:english_capital', 'THIS IS ALL CAPITALS AND IT IS ENGLISH')).toBe(true);
    expect(check('change_case:english_capital', 'THIS IS mostly CAPITALS')).toBe(false);
    expect(
      check('change_case:capital_word_frequency', 'THE big DOG ran', {
        capital_relation: 'at least',
        capital_frequency: 2,
      }),
    ).toBe(true);
    expect(
      check('change_case:capital_word_frequency', 'THE big DOG ran', {
        capital_relation: 'less than',
        capital_frequency: 2,
      }),
    ).toBe(false);
    expect(
      check('language:response_language', 'Das ist ein Test und die Sonne ist nicht hier.', { language: 'de' }),
    ).toBe(true);
    expect(check('language:response_language', 'This is an English sentence.', { language: 'de' })).toBe(false);
  });

  it('approximate language detection covers the scripts in IFEval', () => {
    expect(detectLanguage('これは日本語の文です')).toBe('ja');
    expect(detectLanguage('이것은 한국어 문장입니다')).toBe('ko');
    expect(detectLanguage('Это русское предложение')).toBe('ru');
    expect(detectLanguage('यह एक हिंदी वाक्य है')).toBe('hi');
    expect(detectLanguage('ಇದು ಕನ್ನಡ ವಾಕ್ಯ')).toBe('kn');
    expect(detectLanguage('Tôi là một người và đây là câu của tôi')).toBe('vi');
    expect(detectLanguage('Hii ni sentensi ya Kiswahili na ni nzuri sana')).toBe('sw');
  });

  it('an unknown instruction id is a typed error', () => {
    expect(() => check('made:up', 'x')).toThrow(/IFEval instruction id/);
  });
});

describe('IFEval strict vs loose, prompt vs instruction level', () => {
  const row = {
    key: 1,
    prompt: 'p',
    instructionIdList: ['punctuation:no_comma', 'startend:quotation'],
    kwargs: [{}, {}],
  };

  it('loose variants drop the first/last line and asterisks', () => {
    expect(looseVariants('Sure, here it is:\n"Body"')).toContain('"Body"');
    expect(looseVariants('*a*')).toContain('a');
    expect(looseVariants('x')).toHaveLength(8);
  });

  it('a preamble line fails strict but passes loose', () => {
    const r = evaluateIfeval(row, 'Sure, here it is:\n"Body without commas"');
    expect(r.strict).toEqual([false, false]);
    expect(r.loose).toEqual([true, true]);
    expect([r.promptStrict, r.promptLoose]).toEqual([false, true]);
  });

  it('aggregates hand-computed prompt- and instruction-level scores', () => {
    const results = [
      evaluateIfeval(row, '"No commas"'), // strict T T, loose T T
      evaluateIfeval(row, 'Sure, here it is:\n"Body without commas"'), // strict F F, loose T T
      evaluateIfeval(row, '"One, two"'), // strict F T, loose F T
    ];
    expect(aggregateIfeval(results)).toEqual({
      promptStrict: 1 / 3,
      promptLoose: 2 / 3,
      instructionStrict: 3 / 6,
      instructionLoose: 5 / 6,
    });
  });

  it('an empty response fails every instruction', () => {
    const r = evaluateIfeval(row, '   ');
    expect([...r.strict, ...r.loose]).toEqual([false, false, false, false]);
  });
});
