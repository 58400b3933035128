// Which URLs a bot's inline button may link to: absolute http(s) only. Anything else
// (javascript:, data:, tg:, relative or protocol-relative paths) is never put in an href.

/** The URL to link to when it is an absolute http(s) URL, else null. */
export function webLink(url: string | undefined): string | null {
  if (!url) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
}
