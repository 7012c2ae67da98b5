/**
 * Glob patterns with OPA's `glob.match` semantics (the gobwas/glob library): `*` matches within one
 * segment, `**` across segments, `?` one non-separator character, `[a-z]` / `[!a-z]` one character,
 * `{a,b}` alternatives (which may nest and hold wildcards), `\` escapes. Matching is against the whole
 * string.
 */

/** A pattern gobwas/glob would refuse to compile. */
export class GlobSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GlobSyntaxError";
  }
}

function lit(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** Compiles a glob to an anchored RegExp; `separators` are code points `*` and `?` do not cross. */
export function compileGlob(pattern: string, separators: readonly number[]): RegExp {
  const chars = Array.from(pattern, (c) => c.codePointAt(0)!);
  const notSep = separators.length === 0 ? "[\\s\\S]" : `[^${separators.map(lit).join("")}]`;
  let i = 0;
  let depth = 0;

  const parseSeq = (): string => {
    let out = "";
    while (i < chars.length) {
      const c = chars[i]!;
      if (depth > 0 && (c === 0x2c /* , */ || c === 0x7d) /* } */) return out;
      i += 1;
      switch (c) {
        case 0x2a /* * */:
          if (chars[i] === 0x2a) {
            i += 1;
            out += "[\\s\\S]*";
          } else {
            out += `${notSep}*`;
          }
          break;
        case 0x3f /* ? */:
          out += notSep;
          break;
        case 0x5c /* \ */: {
          const next = chars[i];
          if (next === undefined) throw new GlobSyntaxError("unexpected end of input after escape character");
          i += 1;
          out += lit(next);
          break;
        }
        case 0x5b /* [ */:
          out += parseClass();
          break;
        case 0x7b /* { */: {
          depth += 1;
          const alternatives = [parseSeq()];
          while (chars[i] === 0x2c) {
            i += 1;
            alternatives.push(parseSeq());
          }
          if (chars[i] !== 0x7d) throw new GlobSyntaxError("unexpected end of input: unclosed {");
          i += 1;
          depth -= 1;
          out += `(?:${alternatives.join("|")})`;
          break;
        }
        default:
          out += lit(c);
      }
    }
    return out;
  };

  const parseClass = (): string => {
    let negated = false;
    if (chars[i] === 0x21 /* ! */) {
      negated = true;
      i += 1;
    }
    let body = "";
    let items = 0;
    while (i < chars.length && chars[i] !== 0x5d /* ] */) {
      let lo = chars[i]!;
      i += 1;
      if (lo === 0x5c && i < chars.length) {
        lo = chars[i]!;
        i += 1;
      }
      if (chars[i] === 0x2d /* - */ && i + 1 < chars.length && chars[i + 1] !== 0x5d) {
        const hi = chars[i + 1]!;
        i += 2;
        if (hi < lo) throw new GlobSyntaxError("hi character should be greater than lo character");
        body += `${lit(lo)}-${lit(hi)}`;
      } else {
        body += lit(lo);
      }
      items += 1;
    }
    if (chars[i] !== 0x5d) throw new GlobSyntaxError("unexpected end of input: unclosed [");
    i += 1;
    if (items === 0) throw new GlobSyntaxError("empty character class");
    return `[${negated ? "^" : ""}${body}]`;
  };

  const source = parseSeq();
  if (i < chars.length) throw new GlobSyntaxError(`unexpected '${String.fromCodePoint(chars[i]!)}'`);
  return new RegExp(`^(?:${source})$`, "u");
}

const cache = new Map<string, RegExp | GlobSyntaxError>();
const CACHE_LIMIT = 512;

/** compileGlob with a bounded cache keyed on pattern and separators. */
export function cachedGlob(pattern: string, separators: readonly number[]): RegExp {
  const key = `${separators.join(",")}\u0000${pattern}`;
  let hit = cache.get(key);
  if (hit === undefined) {
    try {
      hit = compileGlob(pattern, separators);
    } catch (err) {
      if (!(err instanceof GlobSyntaxError)) throw err;
      hit = err;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, hit);
  }
  if (hit instanceof GlobSyntaxError) throw hit;
  return hit;
}
