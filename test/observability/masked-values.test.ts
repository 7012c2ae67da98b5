/**
 * The scrubber of masked values: a scrubber prepared once (`textScrubber`, what views use for every leaf)
 * answers exactly as the plain position-by-position walk written out here, for any text and any secrets
 * (property test, small alphabets so that secrets, markers and word edges meet often); texts holding no
 * secret come back as the very same string; `scrubLeaves` scrubs every string value and no key.
 */

import fc from "fast-check";
import { SCRUBBED_MARKER, SUBSTRING_SCRUB_LENGTH, scrubLeaves, scrubText, textScrubber } from "../../src/observability/masked-values";

const WORD = /[\p{L}\p{N}\p{M}]/u;

/** The rule, written out plainly: at each position keep a marker, else replace the longest secret that may be replaced here. */
function oracle(text: string, secrets: readonly string[]): string {
  const usable = [...new Set(secrets.flatMap((s) => [s, s.trim()]))].filter((s) => s.trim() !== "").sort((a, b) => b.length - a.length);
  const isWord = (cp: number | undefined): boolean => cp !== undefined && WORD.test(String.fromCodePoint(cp));
  const before = (i: number): number | undefined => (i === 0 ? undefined : [...text.slice(0, i)].at(-1)?.codePointAt(0));
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith(SCRUBBED_MARKER, i)) {
      out += SCRUBBED_MARKER;
      i += SCRUBBED_MARKER.length;
      continue;
    }
    const hit = usable.find((s) => {
      if (!text.startsWith(s, i)) return false;
      if (s.length >= SUBSTRING_SCRUB_LENGTH) return true;
      const leftJoins = isWord(s.codePointAt(0)) && isWord(before(i));
      const rightJoins = isWord([...s].at(-1)?.codePointAt(0)) && isWord(text.codePointAt(i + s.length));
      return !leftJoins && !rightJoins;
    });
    if (hit !== undefined) {
      out += SCRUBBED_MARKER;
      i += hit.length;
      continue;
    }
    const width = text.codePointAt(i)! > 0xffff ? 2 : 1;
    out += text.slice(i, i + width);
    i += width;
  }
  return out;
}

const piece = fc.constantFrom("a", "b", "ab", " ", "*", "-", "é", "1", "\u0301", "😀", SCRUBBED_MARKER, "[", "]");
const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(""));
const secrets = fc.array(
  fc.array(piece, { minLength: 1, maxLength: 5 }).map((parts) => parts.join("")),
  { maxLength: 4 },
);

describe("scrubbing masked values out of displayed text", () => {
  it("a scrubber prepared once answers as the rule, for any text and secrets", () => {
    fc.assert(
      fc.property(secrets, fc.array(text, { minLength: 1, maxLength: 6 }), (hidden, texts) => {
        const scrub = textScrubber(hidden);
        for (const t of texts) {
          const expected = oracle(t, hidden);
          expect(scrub(t)).toBe(expected);
          expect(scrubText(t, hidden)).toBe(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("returns a text that holds no secret as it is", () => {
    const scrub = textScrubber(["sk_live_123", "4111"]);
    const plain = "production deploys by an ai_agent need one release-manager";
    expect(scrub(plain)).toBe(plain);
    expect(scrub(`key sk_live_123 card 4111-xx`)).toBe(`key ${SCRUBBED_MARKER} card ${SCRUBBED_MARKER}-xx`);
    expect(textScrubber([" ", ""])("a b")).toBe("a b");
  });

  it("scrubs every string value of a document and leaves its keys", () => {
    const doc = { "4111": ["paid with 4111", 4111, { note: "4111 again", ok: true }], name: "ann" };
    expect(scrubLeaves(doc, textScrubber(["4111"]))).toEqual({
      "4111": [`paid with ${SCRUBBED_MARKER}`, 4111, { note: `${SCRUBBED_MARKER} again`, ok: true }],
      name: "ann",
    });
    expect(scrubLeaves(doc, textScrubber([]))).toBe(doc);
  });
});
