/**
 * Turns what a shopper typed into a safe prefix tsquery: every word becomes `word:*` and the
 * words are AND-ed. Only letters and digits survive, so operators and punctuation (`&|!():*'\`)
 * can never make `to_tsquery` fail or change the query's meaning. Lower-casing is left to
 * `to_tsquery('simple', …)` itself, so query and index are normalized by the same dictionary.
 */
export const MAX_SEARCH_TERMS = 8;
export const MAX_TERM_LENGTH = 64;

export function toPrefixTsQuery(input: string): string | undefined {
  const words = input.match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words.map((w) => w.slice(0, MAX_TERM_LENGTH)))].slice(0, MAX_SEARCH_TERMS);
  if (unique.length === 0) return undefined;
  return unique.map((w) => `${w}:*`).join(' & ');
}
