/**
 * Text PostgreSQL cannot store (G8): U+0000 is refused by `text` and `jsonb`, and a UTF-16
 * surrogate without its pair has no UTF-8 encoding (the driver writes U+FFFD into `text`, and
 * `jsonb` refuses the `\ud800` escape). Such a string is never valid input, so the platform
 * refuses it at the edge (see http/validator.ts) and domain rules refuse it too.
 */
// Without the `u` flag each UTF-16 code unit is matched on its own, which is what finds lone halves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching U+0000 is the point
const UNSAFE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const UNSAFE_TEXT_MESSAGE = 'must not contain U+0000 or an unpaired UTF-16 surrogate';

export const isUnsafeText = (text: string): boolean => UNSAFE_TEXT.test(text);

interface Visit {
  value: unknown;
  key: string | number | undefined;
  parent: Visit | undefined;
}

const pathOf = (visit: Visit): (string | number)[] => {
  const path: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) path.push(v.key);
  return path.reverse();
};

/**
 * Paths (JSON keys and array indexes) of every string in `value` — object keys included — that
 * holds U+0000 or a lone surrogate. Iterative with parent links, so a deeply nested body neither
 * overflows the stack nor costs more than one step per node.
 */
export function unsafeTextPaths(value: unknown): (string | number)[][] {
  const found: (string | number)[][] = [];
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const current = visit.value;
    if (typeof current === 'string') {
      if (isUnsafeText(current)) found.push(pathOf(visit));
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], key: i, parent: visit });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        if (isUnsafeText(key)) found.push([...pathOf(visit), key]);
        else stack.push({ value: child, key, parent: visit });
      }
    }
  }
  return found;
}
