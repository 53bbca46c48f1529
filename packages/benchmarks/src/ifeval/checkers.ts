import { EvaluationError, UnknownBenchmarkError } from '../errors.js';
import { detectLanguage } from './language.js';

/** Kwargs of one instruction (nulls already dropped by the loader). */
export type InstructionKwargs = Record<string, unknown>;
/** Checks one response against one instruction; `prompt` is the IFEval prompt (for repeat_prompt). */
export type InstructionChecker = (response: string, kwargs: InstructionKwargs) => boolean;

function numberArg(kwargs: InstructionKwargs, key: string): number {
  const value = kwargs[key];
  if (typeof value !== 'number')
    throw new EvaluationError(`IFEval kwarg ${key} must be a number, got ${JSON.stringify(value)}`, 'ifeval');
  return value;
}

function stringArg(kwargs: InstructionKwargs, key: string): string {
  const value = kwargs[key];
  if (typeof value !== 'string')
    throw new EvaluationError(`IFEval kwarg ${key} must be a string, got ${JSON.stringify(value)}`, 'ifeval');
  return value;
}

function stringListArg(kwargs: InstructionKwargs, key: string): string[] {
  const value = kwargs[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    throw new EvaluationError(`IFEval kwarg ${key} must be a string list`, 'ifeval');
  return value;
}

/** IFEval relations: `less than` is strict, `at least` is >=. */
function compare(count: number, relation: string, threshold: number): boolean {
  if (relation === 'less than') return count < threshold;
  if (relation === 'at least') return count >= threshold;
  throw new EvaluationError(`unknown IFEval relation ${relation}`, 'ifeval');
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Word count as nltk's RegexpTokenizer(r"\w+") (Unicode-aware). */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}_]+/gu)?.length ?? 0;
}

/** Sentence count. APPROXIMATION of nltk's punkt splitter: split after . ! ? followed by space or end, ignoring common abbreviations. */
export function countSentences(text: string): number {
  const masked = text.replace(/\b(Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|vs|etc|e\.g|i\.e)\./gi, '$1<dot>');
  return masked.split(/(?<=[.!?])["')\]]*\s+/).filter((s) => /[\p{L}\p{N}]/u.test(s)).length;
}

function splitParagraphsByStars(text: string): string[] | null {
  const parts = text.split(/\s?\*\*\*\s?/);
  const nonEmpty = parts.filter((p, i) => {
    if (p.trim() !== '') return true;
    if (i !== 0 && i !== parts.length - 1) return false;
    return false;
  });
  const emptyInside = parts.some((p, i) => p.trim() === '' && i !== 0 && i !== parts.length - 1);
  return emptyInside ? null : nonEmpty;
}

function firstWordOf(paragraph: string): string {
  const word = (paragraph.trim().split(/\s+/)[0] ?? '').replace(/^['"]+/, '');
  let first = '';
  for (const letter of word) {
    if ('.,?!\'"'.includes(letter)) break;
    first += letter.toLowerCase();
  }
  return first;
}

/** Python's str.isupper / str.islower: at least one cased character, and all cased characters in that case. */
const isUpper = (s: string) => s !== s.toLowerCase() && s === s.toUpperCase();
const isLower = (s: string) => s !== s.toUpperCase() && s === s.toLowerCase();

/** The checkers for every instruction id in IFEval's input data (after google-research/instruction_following_eval). */
export const instructionCheckers: Record<string, InstructionChecker> = {
  'punctuation:no_comma': (r) => !r.includes(','),
  'keywords:existence': (r, k) => stringListArg(k, 'keywords').every((w) => new RegExp(escapeRegExp(w), 'i').test(r)),
  'keywords:forbidden_words': (r, k) =>
    !stringListArg(k, 'forbidden_words').some((w) => new RegExp(`\\b${escapeRegExp(w)}\\b`, 'i').test(r)),
  'keywords:frequency': (r, k) => {
    const count = r.match(new RegExp(escapeRegExp(stringArg(k, 'keyword')), 'gi'))?.length ?? 0;
    return compare(count, stringArg(k, 'relation'), numberArg(k, 'frequency'));
  },
  'keywords:letter_frequency': (r, k) => {
    const letter = stringArg(k, 'letter').toLowerCase();
    const count = [...r.toLowerCase()].filter((c) => c === letter).length;
    return compare(count, stringArg(k, 'let_relation'), numberArg(k, 'let_frequency'));
  },
  'length_constraints:number_words': (r, k) =>
    compare(countWords(r), stringArg(k, 'relation'), numberArg(k, 'num_words')),
  'length_constraints:number_sentences': (r, k) =>
    compare(countSentences(r), stringArg(k, 'relation'), numberArg(k, 'num_sentences')),
  'length_constraints:number_paragraphs': (r, k) =>
    splitParagraphsByStars(r)?.length === numberArg(k, 'num_paragraphs'),
  'length_constraints:nth_paragraph_first_word': (r, k) => {
    const paragraphs = r.split(/\n\n/);
    const count = paragraphs.filter((p) => p.trim() !== '').length;
    const nth = numberArg(k, 'nth_paragraph');
    if (count !== numberArg(k, 'num_paragraphs') || nth > paragraphs.length) return false;
    return firstWordOf(paragraphs[nth - 1] ?? '') === stringArg(k, 'first_word').toLowerCase();
  },
  'detectable_content:number_placeholders': (r, k) =>
    (r.match(/\[.*?\]/g)?.length ?? 0) >= numberArg(k, 'num_placeholders'),
  'detectable_content:postscript': (r, k) => {
    const marker = stringArg(k, 'postscript_marker');
    const pattern =
      marker === 'P.P.S'
        ? /\s*p\.\s?p\.\s?s.*$/m
        : marker === 'P.S.'
          ? /\s*p\.\s?s\..*$/m
          : new RegExp(`\\s*${escapeRegExp(marker.toLowerCase())}.*$`, 'm');
    return pattern.test(r.toLowerCase());
  },
  'detectable_format:number_bullet_lists': (r, k) => {
    const stars = r.match(/^\s*\*[^*].*$/gm)?.length ?? 0;
    const dashes = r.match(/^\s*-.*$/gm)?.length ?? 0;
    return stars + dashes === numberArg(k, 'num_bullets');
  },
  'detectable_format:constrained_response': (r) =>
    ['My answer is yes.', 'My answer is no.', 'My answer is maybe.'].some((o) => r.trim().includes(o)),
  'detectable_format:number_highlighted_sections': (r, k) => {
    const single = (r.match(/\*[^\n*]*\*/g) ?? []).filter((h) => h.replace(/^\*+|\*+$/g, '').trim() !== '').length;
    const double = (r.match(/\*\*[^\n*]*\*\*/g) ?? []).filter(
      (h) => h.replace(/^\*\*|\*\*$/g, '').trim() !== '',
    ).length;
    return single + double >= numberArg(k, 'num_highlights');
  },
  'detectable_format:multiple_sections': (r, k) => {
    const parts = r.split(new RegExp(`\\s?${escapeRegExp(stringArg(k, 'section_spliter'))}\\s?\\d+\\s?`));
    return parts.length - 1 >= numberArg(k, 'num_sections');
  },
  'detectable_format:json_format': (r) => {
    const body = r
      .trim()
      .replace(/^```(?:json|Json|JSON)?/, '')
      .replace(/```$/, '')
      .trim();
    try {
      JSON.parse(body);
      return true;
    } catch {
      return false;
    }
  },
  'detectable_format:title': (r) => (r.match(/<<[^\n]+>>/g) ?? []).some((t) => t.replace(/^<<|>>$/g, '').trim() !== ''),
  'combination:two_responses': (r) => {
    const parts = r.split('******');
    const valid: string[] = [];
    for (const [i, part] of parts.entries()) {
      if (part.trim() !== '') valid.push(part.trim());
      else if (i !== 0 && i !== parts.length - 1) return false;
    }
    return valid.length === 2 && valid[0] !== valid[1];
  },
  'combination:repeat_prompt': (r, k) =>
    r.trim().toLowerCase().startsWith(stringArg(k, 'prompt_to_repeat').trim().toLowerCase()),
  'startend:end_checker': (r, k) =>
    r
      .trim()
      .replace(/^"+|"+$/g, '')
      .toLowerCase()
      .endsWith(stringArg(k, 'end_phrase').trim().toLowerCase()),
  'startend:quotation': (r) => {
    const t = r.trim();
    return t.length > 1 && t.startsWith('"') && t.endsWith('"');
  },
  'change_case:english_lowercase': (r) => isLower(r) && detectLanguage(r) === 'en',
  'change_case:english_capital': (r) => isUpper(r) && detectLanguage(r) === 'en',
  'change_case:capital_word_frequency': (r, k) => {
    const count = (r.match(/[\p{L}\p{N}_']+/gu) ?? []).filter(isUpper).length;
    return compare(count, stringArg(k, 'capital_relation'), numberArg(k, 'capital_frequency'));
  },
  'language:response_language': (r, k) => detectLanguage(r) === stringArg(k, 'language'),
};

/** Runs one instruction's checker; an id with no checker is a typed error. */
export function checkInstruction(instructionId: string, response: string, kwargs: InstructionKwargs): boolean {
  const checker = instructionCheckers[instructionId];
  if (!checker)
    throw new UnknownBenchmarkError('IFEval instruction id', instructionId, Object.keys(instructionCheckers));
  return checker(response, kwargs);
}
