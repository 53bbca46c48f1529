/** Maps each ASCII Latin letter through `f` (index 0..25 → 0..25), keeping case; everything else passes through. */
export function mapLatinLetters(text: string, f: (index: number) => number): string {
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 65 && c <= 90) out += String.fromCharCode(65 + f(c - 65));
    else if (ch.length === 1 && c >= 97 && c <= 122) out += String.fromCharCode(97 + f(c - 97));
    else out += ch;
  }
  return out;
}
