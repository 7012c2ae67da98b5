// A per-evaluation cache of compiled patterns (regular expressions and globs), keyed by their text.
//
// Policies usually match many inputs against a few constant patterns. Compiled patterns live on the
// evaluation heap, which the SDK resets between evaluations, so the cache only works once the runtime calls
// resetPatternCache at the start of every evaluation; until then lookups miss and nothing is kept.

let keys: Array<string> | null = null;
let values: Array<usize> | null = null;

/** Patterns kept at most; the oldest is dropped first. */
const CAPACITY = 32;

/** Starts an empty cache; call at the start of each evaluation, after the heap pointer is reset. */
export function resetPatternCache(): void {
  keys = new Array<string>();
  values = new Array<usize>();
}

/** The compiled pattern (an object address) cached under key, or 0. */
export function cachedPattern(key: string): usize {
  let k = keys;
  let v = values;
  if (k == null || v == null) return 0;
  for (let i = k.length - 1; i >= 0; i--) {
    if (unchecked(k[i]) == key) return unchecked(v[i]);
  }
  return 0;
}

/** Caches a compiled pattern (an object address) under key, when the cache is live. */
export function cachePattern(key: string, pattern: usize): void {
  let k = keys;
  let v = values;
  if (k == null || v == null) return;
  if (k.length >= CAPACITY) {
    k.shift();
    v.shift();
  }
  k.push(key);
  v.push(pattern);
}
