/**
 * The identity directory and decision ids: API keys found by their SHA-256 digest, Teams users by AAD
 * object id and tenant, and UUIDv7 ids that carry the injected clock's time.
 */

import { fixedClock } from "../../src/policy/clock";
import { exampleConfigPath, loadServiceConfig } from "../../src/config/config-loader";
import { hashApiKey, IdentityDirectory } from "../../src/identity/identity-directory";
import { pooledRandom, uuidV7Generator } from "../../src/service/decision-id";

const { config } = loadServiceConfig({ COUNTERSIGN_CONFIG: exampleConfigPath() });
const directory = new IdentityDirectory(config.identities);

describe("IdentityDirectory", () => {
  it("finds each development identity by its key, and no one by anything else", () => {
    expect(directory.byApiKey("dev-caller-key")?.id).toBe("svc:ci");
    expect(directory.byApiKey("dev-dave-key")).toMatchObject({ id: "user:dave", kind: "human", roles: ["dba", "security"] });
    expect(directory.byApiKey("dev-caller-key ")).toBeUndefined();
    expect(directory.byApiKey(hashApiKey("dev-caller-key"))).toBeUndefined();
    expect(directory.byApiKey("")).toBeUndefined();
  });

  it("hands out principals without their key digests", () => {
    expect(JSON.stringify(directory.all())).not.toContain(hashApiKey("dev-alice-key"));
  });

  it("finds a reviewer by Teams user, in any letter case, only within the right tenant", () => {
    const bob = directory.byId("user:bob")!;
    expect(directory.byTeamsUser(bob.teams!.aadObjectId.toUpperCase(), bob.teams!.tenantId)).toBe(bob);
    expect(directory.byTeamsUser(bob.teams!.aadObjectId, "00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("marks the auditor", () => {
    expect(
      directory
        .all()
        .filter((p) => p.auditor)
        .map((p) => p.id),
    ).toEqual(["user:erin"]);
  });
});

describe("uuidV7Generator", () => {
  it("makes RFC 9562 version-7 ids whose first 48 bits are the clock's milliseconds", () => {
    const ms = Date.UTC(2025, 5, 1, 12, 0, 0);
    const ids = uuidV7Generator(fixedClock(BigInt(ms) * 1_000_000n));
    const a = ids.next();
    const b = ids.next();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(parseInt(a.replace(/-/g, "").slice(0, 12), 16)).toBe(ms);
  });

  it("uses the injected random source", () => {
    const ids = uuidV7Generator(fixedClock(0n), (bytes) => bytes.fill(0xff));
    expect(ids.next()).toBe("00000000-0000-7fff-bfff-ffffffffffff");
  });

  it("draws ids from a random pool that refills without repeating itself", () => {
    const random = pooledRandom(32);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const b = new Uint8Array(10);
      random(b);
      seen.add(Buffer.from(b).toString("hex"));
    }
    expect(seen.size).toBe(50);
  });
});
