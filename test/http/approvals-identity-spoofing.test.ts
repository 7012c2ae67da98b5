/**
 * Self-approval through a respelt id, over HTTP on a real redis-server: every spelling of `user:alice` that
 * a request can carry (invisible characters, bidi marks, case, a dotted capital I, stacked combining marks,
 * a Cyrillic look-alike) is either refused up front with a 400 naming the field, or names alice, who then
 * cannot approve. With `identities.require_known_humans`, a human nobody configured (`alice`, `human:alice`,
 * an e-mail address) is refused with COUNTERSIGN_UNKNOWN_IDENTITY.
 */

import fc from "fast-check";
import { useRedisServer } from "../support/redis-server";
import { approvalClient, approvalIdOf } from "./approval-client";
import { approvalTestService, AUTH, exportBody, removeTempDirs, tempDir, writeBundle, type TestService } from "./service-harness";

const redis = useRedisServer();
let lenient: TestService;
let strict: TestService;
let api: ReturnType<typeof approvalClient>;
let strictApi: ReturnType<typeof approvalClient>;

beforeAll(async () => {
  const dir = tempDir();
  await writeBundle(dir, "example", { revision: "spoofing-1" });
  lenient = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url });
  strict = await approvalTestService({ bundlesDir: dir, redisUrl: redis.url, configure: (c) => ({ ...c, requireKnownHumans: true }) });
  api = approvalClient(lenient.app);
  strictApi = approvalClient(strict.app);
});
afterAll(async () => {
  await Promise.all([lenient.close(), strict.close()]);
  removeTempDirs();
});

let n = 0;
/** A production export (alice, a DBA, could approve it) with the actor fields given. */
const exportAs = (actor: Record<string, unknown>) => exportBody({ actor, action: { name: "db.export", params: { table: `t${++n}` } } });

const SPELLINGS: readonly [string, string][] = [
  ["a zero-width space", "user:al\u200bice"],
  ["a zero-width joiner", "user:al\u200dice"],
  ["a zero-width non-joiner", "user:al\u200cice"],
  ["a word joiner (U+2060)", "user:al\u2060ice"],
  ["a soft hyphen", "user:al\u00adice"],
  ["a combining grapheme joiner", "user:al\u034fice"],
  ["a right-to-left override", "user:\u202eecila"],
  ["a Cyrillic а", "user:\u0430lice"],
  ["two combining diaereses", "user:alice\u0308\u0308"],
  ["a trailing space", "user:alice "],
  ["a tab", "user:al\tice"],
];

describe("an id with invisible, bidi or look-alike characters", () => {
  it.each(SPELLINGS)("is refused with 400 naming the field, as on_behalf_of: %s", async (_what, id) => {
    const res = await api.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: id }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_INVALID_REQUEST", details: { field: "/actor/on_behalf_of" } });
    expect(res.body.error.message).toMatch(/^invalid request: actor\.on_behalf_of /);
  });

  it.each(SPELLINGS)("is refused with 400 naming the field, as actor.id: %s", async (_what, id) => {
    const res = await api.decide(AUTH.caller, exportAs({ id, type: "ai_agent" }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: "COUNTERSIGN_INVALID_REQUEST", details: { field: "/actor/id" } });
  });

  it("names the code point and what it is", async () => {
    const res = await api.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:al\u200bice" }));
    expect(res.body.error.message).toBe(
      "invalid request: actor.on_behalf_of contains U+200B, an invisible formatting character, at position 8",
    );
  });
});

describe("a spelling of a person that is a valid id", () => {
  it.each([
    ["upper case", "USER:ALICE"],
    ["a dotted capital I", "USER:ALİCE"],
    ["a precomposed accent", "user:alicé"],
  ])("keeps that person from approving (%s)", async (_what, id) => {
    const created = await api.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: id }));
    const approvalId = approvalIdOf(created);
    const res = await api.verdict(AUTH.alice, approvalId, { verdict: "approve" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("COUNTERSIGN_SELF_APPROVAL");
    const read = await api.read(AUTH.caller, approvalId);
    expect(read.body).toMatchObject({ status: "pending", verdicts: [] });
  });

  it("is stored as the identity it names, so the grant and the allow never happen", async () => {
    const created = await api.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "User:Alice" }));
    const approvalId = approvalIdOf(created);
    expect((await api.verdict(AUTH.alice, approvalId, { verdict: "approve" })).status).toBe(403);
    // dave is a DBA too, and not the requester: his approval is the one that counts.
    const dave = await api.verdict(AUTH.dave, approvalId, { verdict: "approve" });
    expect(dave.body).toMatchObject({ status: "approved", verdicts: [expect.objectContaining({ reviewer_id: "user:dave" })] });
  });
});

describe("identities.require_known_humans", () => {
  it.each([
    ["a bare name", "alice", "COUNTERSIGN_INVALID_REQUEST"],
    ["an e-mail address", "alice@example.com", "COUNTERSIGN_INVALID_REQUEST"],
    ["another kind", "human:alice", "COUNTERSIGN_UNKNOWN_IDENTITY"],
    ["an e-mail address as an id", "email:alice@example.com", "COUNTERSIGN_UNKNOWN_IDENTITY"],
    ["someone not configured", "user:zoe", "COUNTERSIGN_UNKNOWN_IDENTITY"],
  ])("refuses an on_behalf_of that names no configured human: %s", async (_what, id, code) => {
    const res = await strictApi.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: id }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code, details: { field: "/actor/on_behalf_of" } });
    if (code === "COUNTERSIGN_UNKNOWN_IDENTITY") expect(res.body.error.message).toContain("is not a configured identity");
    else expect(res.body.error.message).toContain("must be kind:name");
  });

  it("says which configured identity a look-alike resembles", async () => {
    const res = await strictApi.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "USER:ALİCE" }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("it looks like user:alice; write that id exactly");
  });

  it("refuses an on_behalf_of that names a service, and a human actor nobody configured", async () => {
    const svc = await strictApi.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "svc:ci" }));
    expect(svc.body.error).toMatchObject({
      code: "COUNTERSIGN_UNKNOWN_IDENTITY",
      message: "actor.on_behalf_of names svc:ci, a service identity: it must name a configured human",
    });
    const human = await strictApi.decide(AUTH.caller, exportAs({ id: "user:zoe", type: "human" }));
    expect(human.body.error).toMatchObject({ code: "COUNTERSIGN_UNKNOWN_IDENTITY", details: { field: "/actor/id" } });
  });

  it("accepts configured humans however they are cased, and agents it does not know", async () => {
    const res = await strictApi.decide(AUTH.caller, exportAs({ id: "agent:never-configured", type: "ai_agent", on_behalf_of: "User:Bob" }));
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("require_approval");
  });
});

describe("any spelling of a configured person (property)", () => {
  const people = ["user:alice", "user:dave"];
  const invisible = fc.constantFrom("\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u034f", "\ufeff", "\u202e", "\u2066", "\u180e");
  const lookAlike: Readonly<Record<string, string>> = { a: "\u0430", e: "\u0435", o: "\u043e", c: "\u0441", i: "\u0456" };
  /** user:alice with random case changes, accents, look-alike letters and invisible characters. */
  const respelling = fc
    .tuple(
      fc.constantFrom(...people),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom("upper", "accent", "look-alike", "invisible"), invisible), {
        minLength: 1,
        maxLength: 4,
      }),
    )
    .map(([person, edits]) => {
      const chars = [...person];
      for (const [at, kind, mark] of edits) {
        const i = 5 + (at % (chars.length - 5));
        const c = chars[i]!;
        if (kind === "upper") chars[i] = c.toUpperCase();
        else if (kind === "accent" && /[a-z]/.test(c)) chars[i] = (c + "\u0301").normalize("NFC");
        else if (kind === "look-alike" && lookAlike[c] !== undefined) chars[i] = lookAlike[c]!;
        else chars.splice(i, 0, mark);
      }
      return { person, spelling: chars.join("") };
    });

  it("either refuses the request or keeps that person from approving it", async () => {
    await fc.assert(
      fc.asyncProperty(respelling, async ({ person, spelling }) => {
        const res = await api.decide(AUTH.caller, exportAs({ id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: spelling }));
        if (res.status === 400) return;
        const verdict = await api.verdict(person === "user:alice" ? AUTH.alice : AUTH.dave, approvalIdOf(res), { verdict: "approve" });
        expect(verdict.body.error?.code).toBe("COUNTERSIGN_SELF_APPROVAL");
      }),
      { numRuns: 60 },
    );
  });
});
