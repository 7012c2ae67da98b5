/**
 * Identity ids (`user:alice`, `agent:deploy-bot`, `svc:ci`): their syntax, the key they are looked up by,
 * and the skeleton that decides whether two ids could name the same person.
 *
 * Why so strict: the rule that nobody approves their own request compares ids. An id that looks like
 * another but differs in its code points (a zero-width space, a bidi override, a Cyrillic `а`, a soft
 * hyphen, a stack of combining marks, `İ`) would pass as someone else. So an id is:
 *
 *   id    = kind ":" name                      (at most 256 characters, in Unicode normalization form C)
 *   kind  = ALPHA *( ALPHA / DIGIT / "_" / "-" )   (ASCII: user, agent, svc, …; case does not matter)
 *   name  = word *( sep word )  with sep one of  . _ - : @ + /
 *   word  = letters and digits of one script (or of the script sets Japanese, Chinese and Korean mix with
 *           Latin), ASCII digits, and a combining mark after a letter (at most two in a row, never the same
 *           mark twice)
 *
 * Controls, spaces, invisible and format characters (zero-width, joiners, bidi marks and overrides, soft
 * hyphen, the combining grapheme joiner), unassigned and private-use code points are refused, each with a
 * message naming the code point.
 */

/** Scripts whose letters identity ids may use. */
const SCRIPTS: readonly (readonly [string, RegExp])[] = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Georgian",
  "Hebrew",
  "Arabic",
  "Syriac",
  "Thaana",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Oriya",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Khmer",
  "Mongolian",
  "Ethiopic",
  "Hangul",
  "Hiragana",
  "Katakana",
  "Han",
  "Bopomofo",
].map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, "u")] as const);

/** Script sets a single word may mix (Unicode TS #39, "highly restrictive"). */
const MIXES: readonly ReadonlySet<string>[] = [
  new Set(["Latin", "Han", "Hiragana", "Katakana"]),
  new Set(["Latin", "Han", "Bopomofo"]),
  new Set(["Latin", "Han", "Hangul"]),
];

const SEPARATORS = new Set([".", "_", "-", ":", "@", "+", "/"]);
const KIND = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const MAX_LENGTH = 256;

/** `U+200B` for a code point. */
function codePoint(c: string): string {
  return "U+" + (c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
}

/** What kind of character `c` is, when it may never appear in an id. */
function forbidden(c: string): string | null {
  if (/^\p{Cc}$/u.test(c)) return "a control character";
  if (/^[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]$/u.test(c)) return "a bidirectional formatting character";
  if (/^\p{Default_Ignorable_Code_Point}$/u.test(c) || /^\p{Cf}$/u.test(c)) return "an invisible formatting character";
  if (/^\p{White_Space}$/u.test(c) || /^\p{Z}$/u.test(c)) return "a space";
  if (/^\p{Cn}$/u.test(c)) return "an unassigned code point";
  if (/^\p{Co}$/u.test(c)) return "a private-use character";
  if (/^\p{Cs}$/u.test(c)) return "a lone surrogate";
  return null;
}

function scriptOf(c: string): string | null {
  for (const [name, re] of SCRIPTS) if (re.test(c)) return name;
  return null;
}

/** Why `id` is not a valid identity id, or null when it is. */
export function identityIdProblem(id: string): string | null {
  if (id.length === 0) return "is empty";
  if (id.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`;
  const chars = [...id];
  for (let i = 0; i < chars.length; i++) {
    const what = forbidden(chars[i] as string);
    if (what !== null) return `contains ${codePoint(chars[i] as string)}, ${what}, at position ${i + 1}`;
  }
  if (id.normalize("NFC") !== id) return `is not in Unicode normalization form C (write it as ${JSON.stringify(id.normalize("NFC"))})`;
  const colon = id.indexOf(":");
  if (colon < 0) return "must be kind:name, e.g. user:alice or agent:deploy-bot";
  const kind = id.slice(0, colon);
  if (!KIND.test(kind)) return `must start with an ASCII kind and a colon (user:, agent:, svc:), not ${JSON.stringify(kind + ":")}`;
  return nameProblem([...id.slice(colon + 1)]);
}

function nameProblem(chars: readonly string[]): string | null {
  if (chars.length === 0) return "has nothing after the kind's colon";
  if (SEPARATORS.has(chars[0] as string)) return `has a name starting with ${JSON.stringify(chars[0])}`;
  let scripts = new Set<string>();
  let marks: string[] = [];
  let afterLetter = false;
  for (const c of chars) {
    if (SEPARATORS.has(c)) {
      scripts = new Set();
      marks = [];
      afterLetter = false;
      continue;
    }
    if (/^[0-9]$/.test(c)) {
      marks = [];
      afterLetter = false;
      continue;
    }
    if (/^\p{M}$/u.test(c)) {
      if (!afterLetter) return `has the combining mark ${codePoint(c)} where no letter precedes it`;
      if (marks.includes(c)) return `repeats the combining mark ${codePoint(c)} on one letter`;
      if (marks.length >= 2) return `stacks more than two combining marks on one letter (${codePoint(c)})`;
      marks.push(c);
      continue;
    }
    if (/^\p{L}$/u.test(c)) {
      const script = scriptOf(c);
      if (script === null) return `contains ${codePoint(c)}, a letter of a script identity ids do not accept`;
      scripts.add(script);
      if (scripts.size > 1 && !MIXES.some((mix) => [...scripts].every((s) => mix.has(s)))) {
        return `mixes ${[...scripts].join(" and ")} letters in one word (${codePoint(c)}), as look-alike spoofs do`;
      }
      marks = [];
      afterLetter = true;
      continue;
    }
    if (/^\p{Nd}$/u.test(c)) return `contains ${codePoint(c)}: only the ASCII digits 0-9 are accepted`;
    return `contains ${codePoint(c)} (${JSON.stringify(c)}): ids accept letters, digits and . _ - : @ + /`;
  }
  return null;
}

/** The key configured identities are looked up by: NFKC, lower case. `User:Alice` finds `user:alice`. */
export function canonicalIdentity(id: string): string {
  return id.normalize("NFKC").toLowerCase();
}

/**
 * Letters that other scripts draw like Latin ones, mapped to those (a small, deliberate subset of Unicode's
 * confusables: the Cyrillic and Greek letters that render as a Latin letter in common fonts).
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  а: "a",
  в: "b",
  е: "e",
  ё: "e",
  з: "3",
  і: "i",
  ї: "i",
  ј: "j",
  к: "k",
  м: "m",
  н: "h",
  о: "o",
  р: "p",
  с: "c",
  т: "t",
  у: "y",
  х: "x",
  ѕ: "s",
  ԁ: "d",
  ӏ: "l",
  һ: "h",
  ԛ: "q",
  ԝ: "w",
  ү: "y",
  ɡ: "g",
  α: "a",
  β: "b",
  ε: "e",
  ι: "i",
  κ: "k",
  μ: "u",
  ν: "v",
  ο: "o",
  ρ: "p",
  τ: "t",
  υ: "u",
  χ: "x",
  γ: "y",
  ϲ: "c",
  ϳ: "j",
  ı: "i",
  ł: "l",
  ø: "o",
  đ: "d",
  ħ: "h",
  ŧ: "t",
  ß: "ss",
  æ: "ae",
  œ: "oe",
};

/**
 * The skeleton two ids are compared by when the question is "could these be the same person?": NFKD,
 * combining marks, spaces and invisible characters dropped, lower case, look-alike letters mapped to Latin. It errs
 * towards "the same": the rule it serves (no self-approval) must fail closed.
 */
export function identitySkeleton(id: string): string {
  let out = "";
  for (const c of id.normalize("NFKD")) {
    if (/^[\p{M}\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\p{White_Space}]$/u.test(c)) continue;
    const lower = c.toLowerCase();
    out += LOOK_ALIKES[lower] ?? lower;
  }
  return out.normalize("NFKD").replace(/\p{M}/gu, "");
}

/** True when two ids could name the same person (equal skeletons). */
export function couldBeSameIdentity(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a === b || identitySkeleton(a) === identitySkeleton(b);
}
