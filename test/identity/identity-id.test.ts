/**
 * Identity ids: which are valid, the key they resolve by, and the skeleton that decides "could be the same
 * person" for the rule against self-approval.
 */

import fc from "fast-check";
import { canonicalIdentity, couldBeSameIdentity, identityIdProblem, identitySkeleton } from "../../src/identity/identity-id";

describe("identityIdProblem", () => {
  it.each([
    "user:alice",
    "agent:deploy-bot",
    "svc:ci",
    "user:jane.doe",
    "email:alice@example.com",
    "User:Alice",
    "user:zoë",
    "user:алиса",
    "user:山田太郎",
    "user:やまだ.taro",
    "spiffe:cluster/ns/sa",
  ])("accepts %s", (id) => expect(identityIdProblem(id)).toBeNull());

  it.each([
    ["", "is empty"],
    ["alice", "must be kind:name, e.g. user:alice or agent:deploy-bot"],
    ["user:", "has nothing after the kind's colon"],
    ["us er:alice", "contains U+0020, a space, at position 3"],
    ["user:al\u200bice", "contains U+200B, an invisible formatting character, at position 8"],
    ["user:\u202eecila", "contains U+202E, a bidirectional formatting character, at position 6"],
    ["user:al\u0378ice", "contains U+0378, an unassigned code point, at position 8"],
    ["user:al\ue000ice", "contains U+E000, a private-use character, at position 8"],
    ["user:al\u0007ice", "contains U+0007, a control character, at position 8"],
    ["user:\u0430lice", "mixes Cyrillic and Latin letters in one word (U+006C), as look-alike spoofs do"],
    ["user:zoe\u0308", 'is not in Unicode normalization form C (write it as "user:zoë")'],
    ["user:zoë\u0308\u0308", "repeats the combining mark U+0308 on one letter"],
    ["user:alice\u0661", "contains U+0661: only the ASCII digits 0-9 are accepted"],
    ["user:ali ce", "contains U+0020, a space, at position 9"],
    ["user:.alice", 'has a name starting with "."'],
    ["9user:alice", 'must start with an ASCII kind and a colon (user:, agent:, svc:), not "9user:"'],
  ])("refuses %j: %s", (id, problem) => expect(identityIdProblem(id)).toBe(problem));

  it("refuses every string holding a control, format, bidi, private-use or unassigned code point (property)", () => {
    const bad = fc.oneof(
      fc.integer({ min: 0, max: 0x1f }),
      fc.constantFrom(
        0x7f,
        0xad,
        0x34f,
        0x61c,
        0x180e,
        0x200b,
        0x200c,
        0x200d,
        0x200e,
        0x200f,
        0x202a,
        0x202e,
        0x2060,
        0x2066,
        0x2069,
        0xfeff,
        0xe000,
        0xf8ff,
        0x378,
        0xe0001,
      ),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), bad, fc.string({ maxLength: 20 }), (before, cp, after) => {
        expect(identityIdProblem(`user:a${before}${String.fromCodePoint(cp)}${after}`)).not.toBeNull();
      }),
    );
  });
});

describe("canonicalIdentity and identitySkeleton", () => {
  it("resolve case and compatibility forms to one key", () => {
    expect(canonicalIdentity("User:ALICE")).toBe("user:alice");
    expect(canonicalIdentity("user:ａｌｉｃｅ")).toBe("user:alice");
  });

  it.each(["USER:ALİCE", "user:alicé", "user:\u0430lice", "user:al\u200bice", " user:alice ", "user:aӏісе"])(
    "takes %j for user:alice when the question is self-approval",
    (id) => expect(couldBeSameIdentity(id, "user:alice")).toBe(true),
  );

  it("keeps different people apart", () => {
    expect(couldBeSameIdentity("user:alice", "user:alicia")).toBe(false);
    expect(couldBeSameIdentity("user:bob", undefined)).toBe(false);
    expect(identitySkeleton("user:bob")).not.toBe(identitySkeleton("user:rob"));
  });
});
