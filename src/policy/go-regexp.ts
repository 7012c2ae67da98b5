/**
 * Go (RE2) regular expressions run on JavaScript's engine: a translator from Go's syntax to an equivalent
 * JavaScript RegExp, for the regex builtins the host implements.
 *
 * OPA's regex builtins use Go's `regexp` package. The two dialects mostly agree; the translator handles
 * where they differ: leading flag groups `(?i)`, `(?P<name>…)`, `\A` and `\z`, `\Q…\E`, POSIX classes
 * `[[:alpha:]]`, `\pL` and script names, octal and `\x{…}` escapes, ASCII-only `\s`, literal `{`, `}` and
 * `]`, and escaped punctuation. Constructs Go rejects (backreferences, lookaround) are rejected here too.
 * Flag groups after the start of the pattern are not supported and count as invalid.
 */

/** A pattern Go would reject, or one this translator cannot express; the message follows Go's wording. */
export class GoRegexpError extends Error {
  constructor(message: string) {
    super(`error parsing regexp: ${message}`);
    this.name = "GoRegexpError";
  }
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`\\{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

const GENERAL_CATEGORIES = new Set(
  "L Lu Ll Lt Lm Lo M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co".split(" "),
);

const GO_SPACE = "\\t\\n\\f\\r ";
const MAX_REPEAT = 1000;

/** `\u{…}` for one code point: always valid in a `u`-mode pattern, inside or outside a class. */
function lit(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function unicodeProperty(name: string, negated: boolean): string {
  let n = name;
  let neg = negated;
  if (n.startsWith("^")) {
    n = n.slice(1);
    neg = !neg;
  }
  if (n === "Any") return neg ? "[^\\s\\S]" : "[\\s\\S]";
  const body = GENERAL_CATEGORIES.has(n) ? n : `Script=${n}`;
  return `\\${neg ? "P" : "p"}{${body}}`;
}

/** Translates a Go pattern to a JavaScript RegExp. Throws GoRegexpError for patterns Go rejects. */
export function compileGoRegexp(pattern: string): RegExp {
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  const chars = Array.from(pattern);
  let i = 0;
  let flags = "u";

  // Leading flag groups: (?i) (?s) (?m) (?is) …
  for (;;) {
    const m = /^\(\?([a-zA-Z]+)\)/.exec(chars.slice(i).join(""));
    if (m === null) break;
    for (const f of m[1]!) {
      if (f === "i" || f === "s" || f === "m") {
        if (!flags.includes(f)) flags += f;
      } else if (f === "U") {
        throw new GoRegexpError("ungreedy flag (?U) is not supported");
      } else {
        throw new GoRegexpError(`invalid or unsupported Perl syntax: \`(?${f}\``);
      }
    }
    i += m[0].length;
  }

  let out = "";
  let inClass = false;
  let classStart = -1;

  const readEscape = (): { text: string; single: boolean } => {
    // At a backslash; returns the translation and whether it denotes a single character.
    const next = chars[i + 1];
    if (next === undefined) throw new GoRegexpError("trailing backslash at end of expression: ``");
    const c = next;
    i += 2;
    switch (c) {
      case "a":
        return { text: lit(7), single: true };
      case "f":
        return { text: lit(12), single: true };
      case "t":
        return { text: lit(9), single: true };
      case "n":
        return { text: lit(10), single: true };
      case "r":
        return { text: lit(13), single: true };
      case "v":
        return { text: lit(11), single: true };
      case "d":
      case "D":
      case "w":
      case "W":
        return { text: `\\${c}`, single: false };
      case "s":
        return { text: inClass ? GO_SPACE : `[${GO_SPACE}]`, single: false };
      case "S":
        if (inClass) throw new GoRegexpError("\\S inside a character class is not supported");
        return { text: `[^${GO_SPACE}]`, single: false };
      case "b":
      case "B":
        if (inClass) throw new GoRegexpError(`invalid escape sequence: \`\\${c}\``);
        return { text: `\\${c}`, single: false };
      case "A":
        if (inClass) throw new GoRegexpError("invalid escape sequence: `\\A`");
        return { text: "(?<![\\s\\S])", single: false };
      case "z":
        if (inClass) throw new GoRegexpError("invalid escape sequence: `\\z`");
        return { text: "(?![\\s\\S])", single: false };
      case "p":
      case "P": {
        const neg = c === "P";
        if (chars[i] === "{") {
          const close = chars.indexOf("}", i);
          if (close < 0) throw new GoRegexpError(`invalid character class range: \`\\${c}{\``);
          const name = chars.slice(i + 1, close).join("");
          i = close + 1;
          return { text: unicodeProperty(name, neg), single: false };
        }
        const one = chars[i];
        if (one === undefined) throw new GoRegexpError(`invalid character class range: \`\\${c}\``);
        i += 1;
        return { text: unicodeProperty(one, neg), single: false };
      }
      case "x": {
        if (chars[i] === "{") {
          const close = chars.indexOf("}", i);
          const hex = close < 0 ? "" : chars.slice(i + 1, close).join("");
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) {
            throw new GoRegexpError("invalid escape sequence: `\\x{`");
          }
          i = close + 1;
          return { text: lit(parseInt(hex, 16)), single: true };
        }
        const hex = chars.slice(i, i + 2).join("");
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new GoRegexpError(`invalid escape sequence: \`\\x${hex}\``);
        i += 2;
        return { text: lit(parseInt(hex, 16)), single: true };
      }
      case "Q": {
        const end = chars.indexOf("\\", i);
        let stop = -1;
        for (let j = end; j >= 0 && j < chars.length; j = chars.indexOf("\\", j + 1)) {
          if (chars[j + 1] === "E") {
            stop = j;
            break;
          }
        }
        const literal = chars.slice(i, stop < 0 ? chars.length : stop);
        i = stop < 0 ? chars.length : stop + 2;
        return { text: literal.map((ch) => lit(ch.codePointAt(0)!)).join(""), single: literal.length === 1 };
      }
      default:
        break;
    }
    if (c >= "0" && c <= "7") {
      // Go: a lone non-zero digit is a backreference (unsupported); otherwise up to three octal digits.
      if (c !== "0" && !(chars[i] !== undefined && chars[i]! >= "0" && chars[i]! <= "7")) {
        throw new GoRegexpError(`invalid escape sequence: \`\\${c}\``);
      }
      let digits = c;
      while (digits.length < 3 && chars[i] !== undefined && chars[i]! >= "0" && chars[i]! <= "7") {
        digits += chars[i];
        i += 1;
      }
      return { text: lit(parseInt(digits, 8)), single: true };
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !/[0-9A-Za-z]/.test(c)) return { text: lit(cp), single: true };
    throw new GoRegexpError(`invalid escape sequence: \`\\${c}\``);
  };

  while (i < chars.length) {
    const c = chars[i]!;
    if (inClass) {
      if (c === "]" && i !== classStart) {
        out += "]";
        inClass = false;
        i += 1;
      } else if (c === "[" && chars[i + 1] === ":") {
        const close = chars.indexOf(":", i + 2);
        const name = close < 0 ? "" : chars.slice(i + 2, close).join("");
        if (close >= 0 && chars[close + 1] === "]" && /^\^?[a-z]+$/.test(name)) {
          if (name.startsWith("^")) throw new GoRegexpError(`negated POSIX class [:${name}:] is not supported`);
          const expansion = POSIX_CLASSES[name];
          if (expansion === undefined) throw new GoRegexpError(`invalid character class range: \`[:${name}:]\``);
          out += expansion;
          i = close + 2;
        } else {
          out += lit(0x5b);
          i += 1;
        }
      } else if (c === "\\") {
        out += readEscape().text;
      } else if (c === "-") {
        out += "-";
        i += 1;
      } else {
        out += /[0-9A-Za-z]/.test(c) ? c : lit(cps[i]!);
        i += 1;
      }
      continue;
    }
    switch (c) {
      case "\\":
        out += readEscape().text;
        continue;
      case "[": {
        out += "[";
        i += 1;
        if (chars[i] === "^") {
          out += "^";
          i += 1;
        }
        inClass = true;
        classStart = i; // a `]` right here is a literal in Go
        if (chars[i] === "]") {
          out += lit(0x5d);
          i += 1;
        }
        continue;
      }
      case "(": {
        if (chars[i + 1] !== "?") {
          out += "(";
          i += 1;
          continue;
        }
        const rest = chars.slice(i + 2, i + 4).join("");
        if (rest.startsWith(":")) {
          out += "(?:";
          i += 3;
        } else if (rest.startsWith("P<") || rest.startsWith("<")) {
          const start = i + (rest.startsWith("P<") ? 4 : 3);
          const close = chars.indexOf(">", start);
          const name = close < 0 ? "" : chars.slice(start, close).join("");
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
            throw new GoRegexpError(`invalid named capture: \`${chars.slice(i, close + 1).join("")}\``);
          }
          out += `(?<${name}>`;
          i = close + 1;
        } else {
          throw new GoRegexpError(`invalid or unsupported Perl syntax: \`(?${rest.slice(0, 1)}\``);
        }
        continue;
      }
      case "{": {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(chars.slice(i, i + 24).join(""));
        if (m === null) {
          out += lit(0x7b);
          i += 1;
          continue;
        }
        const lo = Number(m[1]);
        const hi = m[3] === undefined || m[3] === "" ? lo : Number(m[3]);
        if (lo > MAX_REPEAT || hi > MAX_REPEAT || (m[3] !== undefined && m[3] !== "" && hi < lo)) {
          throw new GoRegexpError(`invalid repeat count: \`${m[0]}\``);
        }
        out += m[0];
        i += m[0].length;
        continue;
      }
      case "}":
        out += lit(0x7d);
        i += 1;
        continue;
      case "]":
        out += lit(0x5d);
        i += 1;
        continue;
      default:
        out += c;
        i += 1;
    }
  }
  if (inClass) throw new GoRegexpError(`missing closing ]: \`${pattern.slice(pattern.lastIndexOf("["))}\``);

  try {
    return new RegExp(out, flags);
  } catch (err) {
    throw new GoRegexpError((err as Error).message.replace(/^Invalid regular expression: /, ""));
  }
}

const cache = new Map<string, RegExp | GoRegexpError>();
const CACHE_LIMIT = 512;

/** compileGoRegexp with a bounded cache; policies reuse the same few patterns on every evaluation. */
export function cachedGoRegexp(pattern: string): RegExp {
  let hit = cache.get(pattern);
  if (hit === undefined) {
    try {
      hit = compileGoRegexp(pattern);
    } catch (err) {
      if (!(err instanceof GoRegexpError)) throw err;
      hit = err;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, hit);
  }
  if (hit instanceof GoRegexpError) throw hit;
  hit.lastIndex = 0;
  return hit;
}
