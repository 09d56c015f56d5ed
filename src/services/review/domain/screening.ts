/**
 * Automatic screening of a new review (RV-P1-01): pure, so it is tested as a table. Any reason
 * sends the review to the moderation queue (`pending`); none publishes it.
 */
export type ScreeningReason = 'link' | 'banned_word' | 'repeated_text' | 'duplicate_text' | 'rating_mismatch';

export interface ScreeningInput {
  rating: number;
  title: string;
  body: string;
  /** Lower-case words or phrases (REVIEW_BANNED_WORDS). */
  bannedWords: readonly string[];
  /** Bodies of the same author's other reviews. */
  otherBodies: readonly string[];
}

const LINK = /\bhttps?:\/\/|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|io|ru|cn|shop|xyz|info|biz|top|link|ly)\b/i;
/** The same character six times in a row ("!!!!!!", "sooooooo"). */
const CHAR_RUN = /(\S)\1{5,}/u;
/** The same word four times in a row. */
const WORD_RUNS = 4;

const POSITIVE = new Set([
  'excellent',
  'great',
  'amazing',
  'love',
  'loved',
  'perfect',
  'fantastic',
  'awesome',
  'wonderful',
  'best',
  'superb',
  'recommend',
]);
const NEGATIVE = new Set([
  'terrible',
  'awful',
  'horrible',
  'worst',
  'broken',
  'useless',
  'hate',
  'hated',
  'poor',
  'disappointing',
  'disappointed',
  'waste',
  'junk',
  'garbage',
]);
const NEGATIONS = new Set(['not', 'never', 'no', "don't", "didn't", "isn't", "wasn't", "doesn't"]);

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
const normalized = (text: string): string => words(text).join(' ');

function repeated(text: string): boolean {
  if (CHAR_RUN.test(text)) return true;
  let run = 1;
  const ws = words(text);
  for (let i = 1; i < ws.length; i++) {
    run = ws[i] === ws[i - 1] ? run + 1 : 1;
    if (run >= WORD_RUNS) return true;
  }
  return false;
}

/** Clearly positive or negative words, a negation ("not great") counting the other way. */
function tone(text: string): { positive: number; negative: number } {
  let positive = 0;
  let negative = 0;
  const ws = words(text);
  ws.forEach((w, i) => {
    const negated = i > 0 && NEGATIONS.has(ws[i - 1]!);
    if (POSITIVE.has(w)) negated ? negative++ : positive++;
    else if (NEGATIVE.has(w)) negated ? positive++ : negative++;
  });
  return { positive, negative };
}

export function screen(input: ScreeningInput): ScreeningReason[] {
  const text = `${input.title}\n${input.body}`;
  const reasons: ScreeningReason[] = [];
  if (LINK.test(text)) reasons.push('link');
  const padded = ` ${normalized(text)} `;
  if (input.bannedWords.some((b) => b.length > 0 && padded.includes(` ${normalized(b)} `)))
    reasons.push('banned_word');
  if (repeated(text)) reasons.push('repeated_text');
  const body = normalized(input.body);
  if (body.length > 0 && input.otherBodies.some((o) => normalized(o) === body))
    reasons.push('duplicate_text');
  const { positive, negative } = tone(text);
  if (
    (input.rating <= 1 && positive >= 2 && negative === 0) ||
    (input.rating >= 5 && negative >= 2 && positive === 0)
  )
    reasons.push('rating_mismatch');
  return reasons;
}

/** REVIEW_BANNED_WORDS entries, lower-cased and trimmed. */
export const parseBannedWords = (entries: readonly string[]): string[] =>
  entries.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0);
