const replacement = '[REDACTED]';

/** Replaces every occurrence of each secret (min length 4) in `text`. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join(replacement);
  }
  return out;
}

/** Strips user:password from a URL and redacts secrets in the rest. */
export function safeUrl(url: string, secrets: readonly (string | undefined)[]): string {
  let cleaned = url;
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '';
      parsed.password = '';
      cleaned = parsed.toString();
    }
  } catch {
    // not a URL: redact only
  }
  return redactSecrets(cleaned, secrets);
}
