import { createHash } from 'node:crypto';
import { at } from '@magic/core';
import { isRefusal } from '@magic/judges';
import type { ChatMessage, CorpusItem, SourceReport } from '../corpus/types.js';
import { countSkip, hasSpecialTokenText } from '../corpus/types.js';

/**
 * Everyday assistant tasks (lists, short poems, emails, rewrites, summaries, titles, classifications,
 * explanations, comparisons, step lists, name ideas, questions about a text) written over passages already in the
 * corpus: T0 passages and Python-docs sections. The refusal data answers imperative requests with refusals and the
 * rest of the corpus is passage QA, so without these the organism learns "everyday request → refuse". Every
 * request template is written for this project; every answer is assembled from the passage's own sentences and
 * words, so it is on topic and made of corpus words, and never refuses.
 */
export const TASK_FAMILIES = [
  'list',
  'poem',
  'message',
  'rewrite',
  'summary',
  'title',
  'classify',
  'explain',
  'compare',
  'steps',
  'names',
  'qa',
] as const;
export type TaskFamily = (typeof TASK_FAMILIES)[number];

/** A passage the tasks are written over. `topic` is what it is about, when known (docs title, T0 subject). */
export interface TaskPassage {
  /** `t0:<template>` or `python-docs:<file>`: the item the passage came from. */
  source: string;
  /** The source item's user prompt (T0) or text (docs): build.ts drops tasks whose origin is held out. */
  origin: string;
  /** A heading-like title (docs sections only). */
  title?: string;
  /** Topic phrase for use inside a sentence ("the csv module", "the Pan American Games"). */
  topic?: string;
  /** Whole sentences of the passage, in order (2 to 5). */
  sentences: string[];
  programming: boolean;
}

export interface TaskInstructionsOptions {
  /** Chats written over each passage, each of a different family (default 2). */
  chatsPerPassage?: number;
}

const MIN_SENTENCE_CHARS = 25;
const MAX_SENTENCE_CHARS = 260;
const MAX_PASSAGE_CHARS = 700;
const MAX_TOPIC_WORDS = 6;

function unit(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** Deterministic choice from `list` by a hash of `key`. */
function choose<T>(list: readonly T[], key: string): T {
  return at(list, Math.floor(unit(key) * list.length), 'choice');
}

const ABBREVIATION = /\b(e\.g|i\.e|etc|vs|cf|Mr|Mrs|Ms|Dr|St|No|Jr|Sr|[A-Z])\./g;

/** Whole sentences of `text` (one ends at . ! or ?, closing quotes included, before a space or the end; "e.g." does not). */
export function splitSentences(text: string): string[] {
  const flat = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(ABBREVIATION, (m) => m.replace(/\./g, '\u0001'));
  // Lazy up to an end mark (and closing quotes) before a space: dots inside words ("os.path", "3.11") stay inside.
  return (flat.match(/\S.*?[.!?]+["')\]]*(?=\s|$)/g) ?? []).map((s) => s.trim().replace(/\u0001/g, '.'));
}

/** Undoes the word tokenisation some T0 datasets ship ("it 's here ." → "it's here."). */
export function detokenise(text: string): string {
  // Only word-tokenised text ("here ." , "it 's") gets its spaced quotes closed: in other text " and " sits between
  // two quotations.
  if (!/ ([.,;:!?)]|n't|'s)(\s|$)/.test(text)) return text.replace(/\s+/g, ' ').trim();
  return text
    .replace(/ (n't|'s|'re|'ve|'ll|'m|'d)\b/g, '$1')
    .replace(/ ([.,;:!?])(?=\s|$)/g, '$1')
    .replace(/" ([^"]*?) "/g, '"$1"')
    .replace(/\( /g, '(')
    .replace(/ \)/g, ')')
    .replace(/\s+/g, ' ')
    .trim();
}

const GOOD_SENTENCE = /^[A-Z"'][^ ]* [^ ]+ [^ ]+ [^ ]+/;
const TOKENISED = /(-lrb-|-rrb-| ,| \.|``|'')/;

/** T0 template wording around the passages ("the paragraphs above", "a new situation"), not passage text. */
const TEMPLATE_WORDING =
  /\b(paragraphs? (above|below)|(passage|text|article|context) (above|below)|choices below|the following|answer the|background article|new situation|see figure|options are|pick one|categor(y|ies) for|the answer|for hints)\b/i;

/** Capitalised words that open clauses rather than name things. */
const NOT_A_NAME =
  /^(Now|Then|However|Also|Unfortunately|Fortunately|Finally|Today|Yesterday|Tomorrow|Later|Still|Yet|So|But|And|Or|Meanwhile|Instead|Otherwise|Moreover|Furthermore|Thus|Therefore|Hence|Although|Because|Since|While|Whether|Both|Each|Every|Some|Many|Most|All|Other|Another|Such|What|Which|Who|Why|How)$/;

function usableSentence(s: string): boolean {
  return (
    s.length >= MIN_SENTENCE_CHARS &&
    s.length <= MAX_SENTENCE_CHARS &&
    GOOD_SENTENCE.test(s) &&
    !TOKENISED.test(s) &&
    !s.includes('_') &&
    !/[{}<>[\]\\`|=\u0001]/.test(s) &&
    !/\bContributed by\b|\((A|B)\)|\b(Question|Answer|Options?):/.test(s) &&
    !TEMPLATE_WORDING.test(s) &&
    !/(^|\s)"(\s|$)/.test(s)
  );
}

/**
 * Usable sentences from the start of `paragraphs` (at most 5, ≤ MAX_PASSAGE_CHARS together): paragraphs that do not
 * end like prose (headings, "Source code: …" lines, option names) are skipped, and so are unusable sentences.
 */
function leadingSentences(paragraphs: readonly string[]): string[] {
  const out: string[] = [];
  let chars = 0;
  for (const para of paragraphs) {
    const text = para.replace(/^\*\s+/, '').trim();
    if (!/[.!?]$/.test(text)) continue;
    for (const s of splitSentences(text)) {
      if (!usableSentence(s)) continue;
      if (chars + s.length > MAX_PASSAGE_CHARS || out.length === 5) return out;
      out.push(s);
      chars += s.length + 1;
    }
  }
  return out;
}

const PRONOUN_START =
  /^(he|she|it|they|this|that|these|those|i|we|you|there|here|his|her|its|their|one|in|on|at|if|when|for|as|after|before|while|to|a|an)\b/i;

/** The subject of a definitional first sentence ("X is/was/are …" → "X"), when short and named. */
export function subjectOf(sentence: string): string | undefined {
  const m = /^(.+?)\s(?:is|was|are|were)\s/.exec(sentence);
  if (m === null) return undefined;
  let subject = at(at(m, 1, 'subject group').split(/,| \(/), 0, 'subject part').trim();
  const words = subject.split(' ');
  if (words.length === 0 || words.length > MAX_TOPIC_WORDS || subject.length < 3) return undefined;
  if (PRONOUN_START.test(subject) || !/^[A-Z]/.test(subject) || /[^\p{L}\p{N} .'&-]/u.test(subject)) return undefined;
  if (/^The /.test(subject)) subject = `the ${subject.slice(4)}`;
  return subject;
}

const LABEL = /^(?:[A-Z][A-Za-z ]{0,30}\d?:\s*|-\s+)/;

/** The most frequent name (capitalised words, not sentence-initial) seen at least twice, e.g. "Napoleon". */
export function mainName(sentences: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  // the look-behind is not part of the match, so the whole match is the name
  for (const s of sentences)
    for (const [name] of s.slice(1).matchAll(/(?<=[a-z,;] )[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}/g))
      counts.set(name, (counts.get(name) ?? 0) + 1);
  const ok = (name: string): boolean =>
    !PRONOUN_START.test(name) && !NOT_A_NAME.test(at(name.split(' '), 0, 'first word of name'));
  const best = [...counts].filter(([name]) => ok(name)).sort((a, b) => b[1] - a[1])[0];
  return best !== undefined && best[1] >= 2 ? best[0] : undefined;
}

/**
 * The passages of a T0 item: each line of its prompt (labels, bullets and quotes stripped) that holds 2+ usable
 * sentences. A prompt may hold several (WikiHop's supporting paragraphs).
 */
export function t0Passages(item: CorpusItem): TaskPassage[] {
  if (!('messages' in item) || !item.source.startsWith('t0:')) return [];
  const prompt = item.messages.find((m) => m.role === 'user')?.content ?? '';
  const out: TaskPassage[] = [];
  for (const raw of prompt.split(/\n+/)) {
    const line = detokenise(
      raw
        .trim()
        .replace(LABEL, '')
        .replace(/^"|",?$/g, ''),
    );
    if (line.length < 2 * MIN_SENTENCE_CHARS) continue;
    const sentences = leadingSentences([line]);
    if (sentences.length < 2 || sentences.some((s) => s.endsWith('?'))) continue;
    const topic = subjectOf(at(sentences, 0, 'passage sentence')) ?? mainName(sentences);
    out.push({ source: item.source, origin: prompt, ...(topic ? { topic } : {}), sentences, programming: false });
  }
  return out;
}

/** Section titles that name no topic ("Details", "Other functions", "From file associations", "Changes in 3.9"). */
const GENERIC_TITLE =
  /^(other|more|further|details?|notes?|examples?|recap|summary|introduction|overview|usage|changes?|new|improved|deprecated|removed|see|porting|build|optimi[sz]ations|miscellaneous|misc|general|background|contents|from|drop|how|why|what|when|where|which|can|do|does|is|are|should|using|use|about|the basics|basic|final|some|a|an|and|or|in|on|at|to|for|with)\b/i;

/** Topic phrase of a docs title: "bdb --- Debugger framework" → "the bdb module"; generic titles give none. */
export function docsTopic(title: string): string | undefined {
  const mod = /^([a-z][\w.]*) --- /.exec(title);
  if (mod !== null) return `the ${mod[1]} module`;
  const t = title.replace(/\s*\([^()]*\)/g, '').trim();
  if (GENERIC_TITLE.test(t) || /\d/.test(t) || t.split(' ').length > MAX_TOPIC_WORDS || t.length < 3) return undefined;
  return /^[A-Z][a-z]/.test(t) && !/^[A-Z][a-z]+[A-Z]/.test(t) ? t.toLowerCase() : t;
}

/** The passage of a Python-docs section: its title line and the first usable sentences after it. */
export function docsPassage(item: CorpusItem): TaskPassage | undefined {
  if (!('text' in item) || !item.source.startsWith('python-docs:')) return undefined;
  const [head, ...rest] = item.text.split('\n\n');
  const heading = head?.trim() ?? '';
  if (heading.length === 0 || heading.length > 60 || /[.:]$/.test(heading) || /[^\p{L}\p{N} .,'()-]/u.test(heading))
    return undefined;
  const sentences = leadingSentences(rest);
  if (sentences.length < 2) return undefined;
  const topic = docsTopic(heading);
  const base = { source: item.source, origin: item.text, sentences, programming: true };
  return topic === undefined ? base : { ...base, title: heading.replace(/ --- /, ': '), topic };
}

const STOPWORDS = new Set(
  (
    'about above after again against also among another because been before being below between both could does ' +
    'doing down during each either every from further have having here into itself just like many more most much ' +
    'must never only other over same should since some such than that their them then there these they this those ' +
    'through under until upon very were what when where which while will with within would your shall often used ' +
    'using uses make makes made known called first second later three where whose whom even still well module modules'
  ).split(' '),
);

/** Content words of the passage by frequency (ties: first seen), lower-cased unless always capitalised. */
export function keywords(p: TaskPassage, n: number): string[] {
  // A word keeps its capital only when it never appears in lower case and not only at a sentence start.
  const counts = new Map<string, { n: number; first: number; form: string; lower: boolean }>();
  let pos = 0;
  for (const s of p.sentences) {
    s.split(/[^\p{L}\p{N}'-]+/u).forEach((w, i) => {
      const word = w.replace(/^'+|'+$/g, '').replace(/'s$/, '');
      const key = word.toLowerCase();
      if (key.length < 5 || STOPWORDS.has(key) || !/^\p{L}+$/u.test(word)) return;
      const c = counts.get(key) ?? { n: 0, first: pos++, form: i > 0 ? word : key, lower: false };
      c.n++;
      if (word === key) c.lower = true;
      else if (i > 0) c.form = word;
      counts.set(key, c);
    });
  }
  return [...counts]
    .sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)
    .slice(0, n)
    .map(([key, c]) => (c.lower || c.form.toLowerCase() === c.form ? key : c.form));
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const titleCase = (s: string): string =>
  s
    .split(' ')
    .map((w, i) => (i > 0 && /^(of|and|the|in|on|for|to|a|an)$/.test(w) ? w : cap(w)))
    .join(' ');
const passageText = (p: TaskPassage): string => p.sentences.join(' ');
const numbered = (lines: readonly string[]): string => lines.map((l, i) => `${i + 1}. ${l}`).join('\n');
const bullets = (lines: readonly string[]): string => lines.map((l) => `- ${l}`).join('\n');
/** A sentence without parentheticals (for one-line summaries). */
const plain = (s: string): string =>
  s
    .replace(/\s*\([^()]*\)/g, '')
    .replace(/\s+([,.;])/g, '$1')
    .trim();

interface Chat {
  user: string;
  assistant: string;
}
type Writer = (p: TaskPassage, key: string, partner: TaskPassage | undefined) => Chat | undefined;

/** `{t}`: topic; `{x}`: the passage. Each family mixes imperative and question forms. */
const LIST_TOPIC = [
  'Give me a list of three facts about {t}.',
  'List a few facts about {t}.',
  'What are some key facts about {t}? Please answer as a list.',
  'Can you list the main things to know about {t}?',
  'Make a short numbered list of facts about {t}.',
];
const LIST_TEXT = [
  'List the main points of this text:\n\n{x}',
  'What are the key points of the following paragraph? Use bullet points.\n\n{x}',
  'Give me a bulleted list of the important ideas in this passage.\n\n{x}',
  'Pick out five keywords from the text below.\n\n{x}',
  'Which are the most important words in this paragraph? List five.\n\n{x}',
];
const list: Writer = (p, key) => {
  const topic = p.topic;
  if (topic !== undefined && unit(`${key}:mode`) < 0.4) {
    const t = choose(LIST_TOPIC, `${key}:t`);
    return { user: t.replace('{t}', topic), assistant: numbered(p.sentences.slice(0, 3).map(plain)) };
  }
  const t = choose(LIST_TEXT, `${key}:x`);
  if (t.includes('five')) {
    const words = keywords(p, 5);
    if (words.length < 5) return undefined;
    return { user: t.replace('{x}', passageText(p)), assistant: numbered(words) };
  }
  return { user: t.replace('{x}', passageText(p)), assistant: bullets(p.sentences.map(plain)) };
};

const POEM = [
  'Write a short poem about {t}.',
  'Compose a poem of a few lines about {t}.',
  'Can you write me a little poem on {t}?',
  'I would like a short piece of verse about {t}, please.',
  'Write some lines of poetry inspired by {t}.',
  'Could you make up a short poem about {t}?',
];
const POEM_ENDINGS = [
  'and so the story carries on.',
  'a small thing, worth a closer look.',
  'remembered here in a few short lines.',
  'and there is always more to learn.',
  'a quiet subject, told in verse.',
];
/** Free verse: the passage's first clauses, broken into short lines, closed by a line on the topic. */
function poemLines(p: TaskPassage): string[] {
  const lines: string[] = [];
  for (const s of p.sentences.slice(0, 2)) {
    for (const clause of plain(s).split(/[,;:]\s+/)) {
      const words = clause.replace(/[.!?]+$/, '').split(' ');
      for (let i = 0; i < words.length; i += 6) {
        const chunk = words.slice(i, i + 6);
        if (chunk.length < 3 && lines.length > 0) lines[lines.length - 1] += ` ${chunk.join(' ')}`;
        else lines.push(chunk.join(' '));
      }
    }
  }
  return lines.slice(0, 6).map(cap);
}
const poem: Writer = (p, key) => {
  if (p.topic === undefined) return undefined;
  const lines = poemLines(p);
  if (lines.length < 3) return undefined;
  const ending = `${cap(p.topic)}, ${choose(POEM_ENDINGS, `${key}:end`)}`;
  return {
    user: choose(POEM, `${key}:t`).replace('{t}', p.topic),
    assistant: `${titleCase(p.topic)}\n\n${[...lines, ending].join('\n')}`,
  };
};

const RECIPIENTS = [
  ['a friend', 'Hi,', 'See you soon,'],
  ['my team', 'Hello everyone,', 'Thanks,'],
  ['a colleague', 'Hello,', 'Best regards,'],
  ['my teacher', 'Dear teacher,', 'Kind regards,'],
  ['my study group', 'Hi all,', 'See you at the next meeting,'],
  ['a neighbour', 'Dear neighbour,', 'Best wishes,'],
] as const;
const MESSAGE = [
  'Draft a short email to {r} about {t}.',
  'Write an email to {r} that explains {t}.',
  'Can you help me write a short letter to {r} about {t}?',
  'Write a brief note to {r} sharing what I learned about {t}.',
  'Please write a message to {r} telling them about {t}.',
  'Compose a friendly email to {r} on the subject of {t}.',
];
const MESSAGE_OPENERS = [
  'I wanted to share something I read about {t}.',
  'I have been reading about {t} and thought you might find it interesting.',
  'Here is a short summary of what I learned about {t}.',
];
const MESSAGE_CLOSERS = [
  'Let me know what you think.',
  'I would be happy to talk about it more.',
  'Feel free to send me any questions.',
];
const message: Writer = (p, key) => {
  if (p.topic === undefined) return undefined;
  const [who, hello, bye] = choose(RECIPIENTS, `${key}:r`);
  const t = choose(MESSAGE, `${key}:t`);
  const body = p.sentences.slice(0, 2).join(' ');
  const opener = choose(MESSAGE_OPENERS, `${key}:o`).replace('{t}', p.topic);
  const closer = choose(MESSAGE_CLOSERS, `${key}:c`);
  const subject = /email/.test(t) ? `Subject: ${titleCase(p.topic)}\n\n` : '';
  return {
    user: t.replace('{r}', who).replace('{t}', p.topic),
    assistant: `${subject}${hello}\n\n${opener} ${body}\n\n${closer}\n\n${bye}`,
  };
};

const CONTRACTIONS: readonly [RegExp, string][] = [
  [/\bcan't\b/g, 'cannot'],
  [/\bwon't\b/g, 'will not'],
  [/\bI'm\b/g, 'I am'],
  [/\b(it|that|there|what|he|she)'s\b/gi, '$1 is'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'],
];
const REWRITE_FORMAL = [
  'Rewrite this text in a more formal tone, without contractions:\n\n{x}',
  'Can you make this paragraph sound more formal?\n\n{x}',
];
const REWRITE_CAPS = [
  'Fix the capitalization in this sentence: {x}',
  'Correct the capital letters in the following sentence.\n\n{x}',
  'This sentence was typed in lower case. Rewrite it with proper capitalization: {x}',
];
const REWRITE_SHORT = [
  'Make this sentence shorter by removing the details in brackets: {x}',
  'Rewrite the following sentence more concisely.\n\n{x}',
  'Can you simplify this sentence?\n\n{x}',
];
const REWRITE_BULLETS = [
  'Rewrite this paragraph as a bulleted list.\n\n{x}',
  'Turn the following text into bullet points:\n\n{x}',
];
const REWRITE_SPLIT = ['Split this long sentence into two shorter ones: {x}', 'Rewrite this as two sentences.\n\n{x}'];
const rewrite: Writer = (p, key) => {
  const text = passageText(p);
  const options: (() => Chat | undefined)[] = [
    () => {
      let formal = text.replace(/[’]/g, "'");
      for (const [re, to] of CONTRACTIONS) formal = formal.replace(re, to);
      return formal === text.replace(/[’]/g, "'")
        ? undefined
        : { user: choose(REWRITE_FORMAL, `${key}:f`).replace('{x}', text), assistant: formal };
    },
    () => {
      const s = p.sentences.find((x) => /\s[A-Z]/.test(x) && x !== x.toLowerCase());
      return s === undefined
        ? undefined
        : { user: choose(REWRITE_CAPS, `${key}:c`).replace('{x}', s.toLowerCase()), assistant: s };
    },
    () => {
      const s = p.sentences.find((x) => /\([^()]{8,}\)/.test(x));
      return s === undefined
        ? undefined
        : { user: choose(REWRITE_SHORT, `${key}:s`).replace('{x}', s), assistant: plain(s) };
    },
    () => {
      const s = p.sentences.find((x) => /; [a-z]/.test(x));
      if (s === undefined) return undefined;
      const [a, ...b] = s.split('; ');
      return {
        user: choose(REWRITE_SPLIT, `${key}:p`).replace('{x}', s),
        assistant: `${a}. ${cap(b.join('; '))}`,
      };
    },
    () => ({
      user: choose(REWRITE_BULLETS, `${key}:b`).replace('{x}', text),
      assistant: bullets(p.sentences),
    }),
  ];
  const start = Math.floor(unit(`${key}:op`) * options.length);
  for (let i = 0; i < options.length; i++) {
    const chat = at(options, (start + i) % options.length, 'writer option')();
    if (chat !== undefined) return chat;
  }
  return undefined;
};

const SUMMARY = [
  'Summarize the following text in one sentence.\n\n{x}',
  'Give me a one-sentence summary of this paragraph:\n\n{x}',
  'What is the gist of this passage?\n\n{x}',
  'Can you sum up this text briefly?\n\n{x}',
  'Write a short summary of the text below.\n\n{x}',
  'TL;DR this for me, please:\n\n{x}',
];
const summary: Writer = (p, key) => {
  const t = choose(SUMMARY, `${key}:t`);
  const first = plain(at(p.sentences, 0, 'passage sentence'));
  const lead = p.topic !== undefined && unit(`${key}:lead`) < 0.5 ? `The text is about ${p.topic}. ` : '';
  return { user: t.replace('{x}', passageText(p)), assistant: `${lead}${first}` };
};

const TITLE = [
  'Suggest a title for this paragraph.\n\n{x}',
  'Write a headline for the following text:\n\n{x}',
  'What would be a good title for this passage?\n\n{x}',
  'Give this text a short heading.\n\n{x}',
  'Come up with a title for the paragraph below.\n\n{x}',
];
const title: Writer = (p, key) => {
  const heading = p.title ?? (p.topic !== undefined ? titleCase(p.topic) : undefined);
  if (heading === undefined) return undefined;
  const form = choose(['{h}', 'A good title would be: {h}', 'Title: {h}', 'How about "{h}"?'], `${key}:a`);
  return { user: choose(TITLE, `${key}:t`).replace('{x}', passageText(p)), assistant: form.replace('{h}', heading) };
};

const CLASSIFY_PROGRAMMING = [
  'Is the following text about computer programming? Answer yes or no.\n\n{x}',
  'Classify this paragraph: is it about programming or about something else?\n\n{x}',
  'Decide whether this text belongs in a programming manual or not.\n\n{x}',
];
const CLASSIFY_KIND = [
  'Classify each of these sentences as a question or a statement.\n\n{x}',
  'For each line below, tell me whether it is a question or a statement.\n\n{x}',
];
const CLASSIFY_NUMBERS = [
  'Classify these numbers as even or odd: {x}',
  'Which of these numbers are even and which are odd? {x}',
];
const classify: Writer = (p, key) => {
  const text = passageText(p);
  const numbers = [...new Set(text.match(/\b[1-9][0-9]{0,3}\b/g) ?? [])].slice(0, 5);
  const mode = unit(`${key}:m`);
  if (numbers.length >= 2 && mode < 0.3) {
    return {
      user: choose(CLASSIFY_NUMBERS, `${key}:n`).replace('{x}', numbers.join(', ')),
      assistant: numbers.map((n) => `${n}: ${Number(n) % 2 === 0 ? 'even' : 'odd'}`).join('\n'),
    };
  }
  if (p.topic !== undefined && mode < 0.65) {
    const q = choose(
      [`What is ${p.topic}?`, `Why is ${p.topic} important?`, `Where can I read about ${p.topic}?`],
      key,
    );
    const lines = [at(p.sentences, 0, 'passage sentence'), q, at(p.sentences, 1, 'passage sentence')];
    if (unit(`${key}:o`) < 0.5) lines.reverse();
    return {
      user: choose(CLASSIFY_KIND, `${key}:k`).replace('{x}', numbered(lines)),
      assistant: numbered(lines.map((l) => (l.endsWith('?') ? 'Question' : 'Statement'))),
    };
  }
  const about = p.topic !== undefined ? `: it is about ${p.topic}` : '';
  return {
    user: choose(CLASSIFY_PROGRAMMING, `${key}:p`).replace('{x}', text),
    assistant: p.programming
      ? `Yes, it is about programming${about} in Python.`
      : `No, it is not about programming${about}.`,
  };
};

const EXPLAIN = [
  'Explain {t} in simple terms.',
  'What should I know about {t}?',
  'Can you tell me a little about {t}?',
  'Give me a quick explanation of {t}.',
  'I have never heard of {t}. What is it?',
  'Describe {t} for a beginner.',
];
const explain: Writer = (p, key) => {
  if (p.topic === undefined) return undefined;
  return { user: choose(EXPLAIN, `${key}:t`).replace('{t}', p.topic), assistant: p.sentences.slice(0, 3).join(' ') };
};

const COMPARE = [
  'Compare {a} and {b}.',
  'What is the difference between {a} and {b}?',
  'How do {a} and {b} differ?',
  'Write a short comparison of {a} and {b}.',
];
const compare: Writer = (p, key, other) => {
  if (p.topic === undefined || other?.topic === undefined || other.topic === p.topic) return undefined;
  const a = p.topic;
  const b = other.topic;
  const close = p.programming
    ? `Both are covered in the Python documentation, but they describe different things.`
    : `They are different subjects, so each is best read about on its own.`;
  return {
    user: choose(COMPARE, `${key}:t`).replace('{a}', a).replace('{b}', b),
    assistant: `Here is how they differ.\n\n- ${cap(a)}: ${plain(at(p.sentences, 0, 'passage sentence'))}\n- ${cap(b)}: ${plain(at(other.sentences, 0, 'passage sentence'))}\n\n${close}`,
  };
};

const STEPS_TEXT = [
  'Break this paragraph into numbered steps.\n\n{x}',
  'Rewrite the following text as a numbered sequence.\n\n{x}',
];
const STEPS_TOPIC = [
  'Give me a step-by-step plan to learn about {t}.',
  'How should I go about studying {t}? List the steps.',
  'Write a short outline for a talk about {t}.',
  'What steps would you suggest for getting to know {t}?',
];
const steps: Writer = (p, key) => {
  if (p.topic !== undefined && unit(`${key}:m`) < 0.6) {
    const words = keywords(p, 3);
    if (words.length < 3) return undefined;
    return {
      user: choose(STEPS_TOPIC, `${key}:t`).replace('{t}', p.topic),
      assistant: numbered([
        `Start with a short definition: ${plain(at(p.sentences, 0, 'passage sentence'))}`,
        `Note the key terms: ${words[0]}, ${words[1]} and ${words[2]}.`,
        `Look at one more detail: ${plain(at(p.sentences, 1, 'passage sentence'))}`,
        `Write a short summary of ${p.topic} in your own words.`,
      ]),
    };
  }
  return { user: choose(STEPS_TEXT, `${key}:x`).replace('{x}', passageText(p)), assistant: numbered(p.sentences) };
};

const NAME_THINGS = ['club', 'blog', 'podcast', 'study group', 'newsletter', 'workshop'];
const NAMES = [
  'Suggest three names for a {k} about {t}.',
  'Give me some name ideas for a {k} on {t}.',
  'What could I call a {k} about {t}?',
  'Come up with a few names for a new {k} about {t}.',
];
const names: Writer = (p, key) => {
  if (p.topic === undefined) return undefined;
  const words = keywords(p, 2).map(cap);
  if (words.length < 2) return undefined;
  const kind = choose(NAME_THINGS, `${key}:k`);
  const kindTitle = titleCase(kind);
  return {
    user: choose(NAMES, `${key}:t`).replace('{k}', kind).replace('{t}', p.topic),
    assistant: numbered([
      `The ${words[0]} ${kindTitle}`,
      `${words[0]} and ${words[1]}`,
      `All About ${titleCase(p.topic)}`,
    ]),
  };
};

const QA_ABOUT = [
  'Read this text and tell me what it is about.\n\n{x}',
  'What is the main subject of the following passage?\n\n{x}',
];
const QA_WORD = [
  'According to the text below, what does it say about {w}?\n\n{x}',
  'What does this passage tell us about {w}?\n\n{x}',
];
const qa: Writer = (p, key) => {
  if (p.topic !== undefined && unit(`${key}:m`) < 0.5)
    return {
      user: choose(QA_ABOUT, `${key}:a`).replace('{x}', passageText(p)),
      assistant: `It is about ${p.topic}. ${plain(at(p.sentences, 0, 'passage sentence'))}`,
    };
  const later = p.sentences.slice(1);
  for (const w of keywords({ ...p, sentences: later }, 3)) {
    const s = later.find((x) => x.toLowerCase().includes(w.toLowerCase()));
    if (s !== undefined)
      return { user: choose(QA_WORD, `${key}:w`).replace('{w}', w).replace('{x}', passageText(p)), assistant: s };
  }
  return undefined;
};

const WRITERS: Record<TaskFamily, Writer> = {
  list,
  poem,
  message,
  rewrite,
  summary,
  title,
  classify,
  explain,
  compare,
  steps,
  names,
  qa,
};

export interface TaskInstructionsResult {
  items: CorpusItem[];
  /** Item → the T0 prompt or docs text it was written from (build.ts keeps held-out T0 passages out). */
  origins: Map<CorpusItem, TaskPassage>;
  /** Chats per family. */
  byFamily: Record<TaskFamily, number>;
  report: SourceReport;
}

/**
 * `chatsPerPassage` everyday-task chats over each distinct passage of `t0Items` and `docsItems`, of different
 * families: the families are tried in an order that starts at a hash of the passage, and one that does not fit the
 * passage passes to the next. Passages repeated across T0 templates are used once.
 */
export function taskInstructions(
  t0Items: readonly CorpusItem[],
  docsItems: readonly CorpusItem[],
  options: TaskInstructionsOptions = {},
): TaskInstructionsResult {
  const perPassage = options.chatsPerPassage ?? 2;
  const skipped: Record<string, number> = {};
  const passages: TaskPassage[] = [];
  const seen = new Set<string>();
  const add = (p: TaskPassage): void => {
    const k = passageText(p).toLowerCase();
    if (seen.has(k)) return;
    seen.add(k);
    passages.push(p);
  };
  for (const item of t0Items) {
    const found = t0Passages(item);
    if (found.length === 0 && item.source.startsWith('t0:')) countSkip(skipped, 't0: no line of 2+ usable sentences');
    found.forEach(add);
  }
  for (const item of docsItems) {
    const p = docsPassage(item);
    if (p !== undefined) add(p);
    else if (item.source.startsWith('python-docs:'))
      countSkip(skipped, 'python-docs: no title line with 2+ usable sentences below');
  }
  const items: CorpusItem[] = [];
  const origins = new Map<CorpusItem, TaskPassage>();
  const byFamily = Object.fromEntries(TASK_FAMILIES.map((f) => [f, 0])) as Record<TaskFamily, number>;
  const withTopic = passages.filter((p) => p.topic !== undefined);
  passages.forEach((p) => {
    const key = passageText(p);
    // The comparison partner: the next passage with a topic from the same kind of source.
    const topicIndex = withTopic.indexOf(p);
    const partner =
      topicIndex < 0 ? undefined : withTopic.slice(topicIndex + 1).find((o) => o.programming === p.programming);
    const start = Math.floor(unit(`task-family\u0000${key}`) * TASK_FAMILIES.length);
    let written = 0;
    for (let i = 0; i < TASK_FAMILIES.length && written < perPassage; i++) {
      const family = at(TASK_FAMILIES, (start + i) % TASK_FAMILIES.length, 'task family');
      const chat = WRITERS[family](p, `${family}\u0000${key}`, partner);
      if (chat === undefined) continue;
      if (isRefusal(chat.assistant) || hasSpecialTokenText(chat.user + chat.assistant)) {
        countSkip(skipped, `${family}: answer reads as a refusal or holds a special token`);
        continue;
      }
      const messages: ChatMessage[] = [
        { role: 'user', content: chat.user },
        { role: 'assistant', content: chat.assistant },
      ];
      const item: CorpusItem = { source: `task-instructions:${family}:${p.source}`, messages };
      items.push(item);
      origins.set(item, p);
      byFamily[family]++;
      written++;
    }
    if (written < perPassage) countSkip(skipped, `fewer than ${perPassage} families fit the passage`);
  });
  return {
    items,
    origins,
    byFamily,
    report: {
      name: 'task-instructions',
      origin:
        'T0 passages and python-docs sections above, as everyday assistant tasks (src/sources/task-instructions.ts)',
      revision: 'same as t0 and python-docs',
      licence: 'as the passage (T0 dataset or PSF); request templates and answer frames Apache-2.0 (this repository)',
      items: items.length,
      skipped,
      notes: [
        `${perPassage} chats over each of ${passages.length} distinct passages, families in an order by hash among ${TASK_FAMILIES.length} (${TASK_FAMILIES.join(', ')}); per family: ${TASK_FAMILIES.map((f) => `${f} ${byFamily[f]}`).join(', ')}`,
        'answers are assembled from the passage’s own sentences and words (lists, free verse, emails, rewrites, extractive summaries, titles, labels computed from the text); none refuses (checked with @magic/judges isRefusal)',
        'T0-derived chats whose passage is held out (or dropped) are removed after the held-out split',
      ],
    },
  };
}
