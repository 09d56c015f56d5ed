/** Text rules shared by products and categories. */

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;

/**
 * True when `text` holds a control character (C0, DEL or C1). Names and keys allow none; longer
 * text may keep tab and line breaks (`allowLineBreaks`). U+0000 can never be stored by
 * PostgreSQL, so refusing it here is what keeps such input a 400 instead of a 5xx (G8).
 */
export function hasControlCharacters(text: string, allowLineBreaks = false): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && (c < 0x7f || c > 0x9f)) continue;
    if (allowLineBreaks && (c === TAB || c === LF || c === CR)) continue;
    return true;
  }
  return false;
}

/** Length in characters (code points), as PostgreSQL's char_length counts them. */
export const charLength = (s: string): number => [...s].length;
