/**
 * An APPROXIMATE language identifier standing in for `langdetect` (which the IFEval reference uses):
 * non-Latin scripts are told apart by Unicode block (plus a few letters/stopwords that separate
 * languages sharing a script), Latin-script languages by stopword counts. Good enough for the
 * languages in IFEval's input data; it is not langdetect and can disagree on short or mixed text.
 */
const scripts: [RegExp, string][] = [
  [/[\u0E00-\u0E7F]/g, 'th'],
  [/[\uAC00-\uD7AF\u1100-\u11FF]/g, 'ko'],
  [/[\u3040-\u30FF]/g, 'ja'],
  [/[\u4E00-\u9FFF]/g, 'zh'],
  [/[\u0980-\u09FF]/g, 'bn'],
  [/[\u0A00-\u0A7F]/g, 'pa'],
  [/[\u0A80-\u0AFF]/g, 'gu'],
  [/[\u0B80-\u0BFF]/g, 'ta'],
  [/[\u0C00-\u0C7F]/g, 'te'],
  [/[\u0C80-\u0CFF]/g, 'kn'],
  [/[\u0D00-\u0D7F]/g, 'ml'],
  [/[\u0900-\u097F]/g, 'devanagari'],
  [/[\u0600-\u06FF]/g, 'arabic'],
  [/[\u0400-\u04FF]/g, 'cyrillic'],
  [/[\u0370-\u03FF]/g, 'el'],
  [/[\u0590-\u05FF]/g, 'he'],
];

const latinStopwords: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'of', 'to', 'in', 'that', 'it', 'you', 'for', 'with', 'this', 'are', 'was'],
  de: ['der', 'die', 'und', 'ist', 'nicht', 'das', 'ich', 'sie', 'mit', 'ein', 'eine', 'zu', 'auf', 'für'],
  fr: ['le', 'la', 'les', 'et', 'est', 'des', 'une', 'que', 'pour', 'dans', 'pas', 'vous', 'sur', 'avec'],
  es: ['el', 'los', 'las', 'y', 'es', 'que', 'una', 'por', 'para', 'con', 'del', 'como', 'pero', 'muy'],
  it: ['il', 'che', 'di', 'della', 'sono', 'una', 'per', 'con', 'non', 'gli', 'del', 'nel', 'anche', 'è'],
  pt: ['o', 'os', 'que', 'não', 'uma', 'para', 'com', 'do', 'da', 'em', 'é', 'você', 'mais', 'são'],
  nl: ['de', 'het', 'een', 'en', 'is', 'niet', 'van', 'dat', 'ik', 'zijn', 'met', 'voor', 'ook', 'maar'],
  sw: ['na', 'ya', 'wa', 'kwa', 'ni', 'katika', 'za', 'la', 'hii', 'kuwa', 'cha', 'yake', 'sana', 'pia'],
  fi: ['ja', 'on', 'ei', 'se', 'että', 'hän', 'oli', 'ovat', 'mutta', 'kun', 'myös', 'tai', 'kuin', 'tämä'],
  vi: ['và', 'của', 'là', 'có', 'không', 'được', 'những', 'cho', 'một', 'các', 'với', 'người', 'này', 'trong'],
  tr: ['ve', 'bir', 'bu', 'için', 'ile', 'de', 'da', 'çok', 'daha', 'gibi', 'olan', 'ama', 'değil', 'ne'],
  id: ['dan', 'yang', 'di', 'ini', 'itu', 'dengan', 'untuk', 'tidak', 'dari', 'dalam', 'akan', 'ada', 'juga', 'saya'],
};

function dominantScript(text: string): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const [pattern, name] of scripts) {
    const count = text.match(pattern)?.length ?? 0;
    if (count > bestCount) {
      best = name;
      bestCount = count;
    }
  }
  const latin = text.match(/[A-Za-z\u00C0-\u024F\u1E00-\u1EFF]/g)?.length ?? 0;
  return bestCount > latin ? best : null;
}

function refineScript(script: string, text: string): string {
  if (script === 'cyrillic') {
    if (/[ўіїєґ]/i.test(text)) return 'uk';
    return /\b(и|на|не|за|от|се|са|това|че)\b/i.test(text) && /ъ/.test(text) ? 'bg' : 'ru';
  }
  if (script === 'arabic') {
    if (/[ٹڈڑںےھ]/.test(text)) return 'ur';
    return /[پچژگک]|\bاست\b|\bمی\b/.test(text) ? 'fa' : 'ar';
  }
  if (script === 'devanagari') {
    if (/\b(आहे|आणि|मी|हे|तो|ती)\b|आहे/.test(text)) return 'mr';
    if (/छ|\bर\b|हरू|गर्न/.test(text)) return 'ne';
    return 'hi';
  }
  return script;
}

function latinLanguage(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  let best = 'en';
  let bestCount = -1;
  for (const [language, stopwords] of Object.entries(latinStopwords)) {
    const set = new Set(stopwords);
    const count = words.filter((w) => set.has(w)).length;
    if (count > bestCount) {
      best = language;
      bestCount = count;
    }
  }
  return best;
}

/** ISO 639-1 code of the text's language (approximate; see the file comment). */
export function detectLanguage(text: string): string {
  const script = dominantScript(text);
  return script === null ? latinLanguage(text) : refineScript(script, text);
}
