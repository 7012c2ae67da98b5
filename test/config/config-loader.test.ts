/**
 * Loading the service configuration: the shipped example, files in YAML and JSON, environment and
 * command-line overrides, each kind of mistake reported with the field it is in, and the refusal of
 * published development keys in production.
 */

import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../src/config/config-error";
import { exampleConfigPath, loadServiceConfig, parseServiceConfig } from "../../src/config/config-loader";
import { DEVELOPMENT_API_KEYS, DEVELOPMENT_CALLBACK_SECRET } from "../../src/config/development-keys";
import { hashApiKey } from "../../src/identity/identity-directory";

const EXAMPLE = fs.readFileSync(exampleConfigPath(), "utf8");

const MINIMAL = `
identities:
  - id: svc:deployer
    kind: service
    owner: user:olivia
    api_keys_sha256: [${hashApiKey("a-real-production-key")}]
  - id: user:olivia
    kind: human
    roles: [release-manager]
`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

const parse = (text: string, env: Record<string, string> = {}) => parseServiceConfig(text, "test.yaml", env);

describe("the example development configuration", () => {
  const { config, source } = loadServiceConfig({});

  it("is what loads when no file is named, and says so", () => {
    expect(source).toEqual({ kind: "example", path: exampleConfigPath() });
    expect(config.mode).toBe("development");
    expect(config.server).toEqual({ host: "127.0.0.1", port: 8181, bodyLimitBytes: 64 * 1024, bodyTimeoutMs: 5000, maxJsonDepth: 64 });
    expect(config.bundles).toEqual({ dir: path.resolve("bundles"), decision: "countersign" });
    expect(config.redis).toEqual({ embeddedDir: path.resolve(".countersign", "redis") });
  });

  it("turns the approval workflow on with development settings: a generated grant key, loopback callbacks", () => {
    expect(config.approvals).toEqual({
      keyPrefix: "countersign:",
      retentionSeconds: 30 * 24 * 3600,
      commentMaxChars: 2000,
      maxWaitSeconds: 60,
      sweepIntervalMs: 1000,
      grants: {},
      callbacks: {
        secret: DEVELOPMENT_CALLBACK_SECRET,
        allowedHosts: ["localhost:*", "127.0.0.1:*", "[::1]:*"],
        privateNetworkHosts: ["localhost:*", "127.0.0.1:*", "[::1]:*"],
        allowHttpLoopback: true,
        maxAttempts: 8,
        initialBackoffMs: 1000,
        maxBackoffMs: 300000,
        timeoutMs: 5000,
      },
    });
  });

  it("has exactly the documented identities, roles and keys", () => {
    const summary = config.identities.map((i) => ({ id: i.id, kind: i.kind, roles: i.roles, auditor: i.auditor }));
    expect(summary).toEqual([
      { id: "svc:ci", kind: "service", roles: [], auditor: false },
      { id: "user:alice", kind: "human", roles: ["dba"], auditor: false },
      { id: "user:bob", kind: "human", roles: ["security", "release-manager"], auditor: false },
      { id: "user:carol", kind: "human", roles: ["security"], auditor: false },
      { id: "user:dave", kind: "human", roles: ["dba", "security"], auditor: false },
      { id: "user:erin", kind: "human", roles: [], auditor: true },
    ]);
    for (const identity of config.identities) {
      expect(identity.apiKeysSha256).toEqual([hashApiKey(DEVELOPMENT_API_KEYS[identity.id]!)]);
    }
  });

  it("gives every reviewer a Teams user in one development tenant", () => {
    const people = config.identities.filter((i) => i.kind === "human");
    const tenants = new Set(people.map((i) => i.teams?.tenantId));
    expect(tenants.size).toBe(1);
    expect(new Set(people.map((i) => i.teams?.aadObjectId)).size).toBe(people.length);
    for (const p of people) expect(p.teams?.aadObjectId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

describe("sources and overrides", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-config-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads the file named by --config, over COUNTERSIGN_CONFIG", () => {
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "b.yaml");
    fs.writeFileSync(a, MINIMAL + "server: { port: 9001 }\n");
    fs.writeFileSync(b, MINIMAL + "server: { port: 9002 }\n");
    expect(loadServiceConfig({ COUNTERSIGN_CONFIG: a }).config.server.port).toBe(9001);
    expect(loadServiceConfig({ COUNTERSIGN_CONFIG: a }, { configPath: b })).toMatchObject({
      config: { server: { port: 9002 } },
      source: { kind: "file", path: b },
    });
  });

  it("reads identities' display names and the public URL reviewers' links point to", () => {
    const file = path.join(dir, "names.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        server: { public_url: "https://countersign.example.com/" },
        identities: [
          { id: "user:jane", kind: "human", display_name: " Jane Doe " },
          { id: "svc:x", kind: "service" },
        ],
      }),
    );
    const config = loadServiceConfig({}, { configPath: file }).config;
    expect(config.server.publicUrl).toBe("https://countersign.example.com");
    expect(config.identities.map((i) => i.displayName)).toEqual(["Jane Doe", undefined]);
    fs.writeFileSync(
      file,
      JSON.stringify({ server: { public_url: "countersign.example.com" }, identities: [{ id: "svc:x", kind: "service" }] }),
    );
    expect(configError(() => loadServiceConfig({}, { configPath: file })).code).toBe("COUNTERSIGN_CONFIG_INVALID");
    fs.writeFileSync(file, JSON.stringify({ identities: [{ id: "user:jane", kind: "human", display_name: "" }] }));
    expect(configError(() => loadServiceConfig({}, { configPath: file })).code).toBe("COUNTERSIGN_CONFIG_INVALID");
  });

  it("reads JSON files", () => {
    const file = path.join(dir, "c.json");
    fs.writeFileSync(file, JSON.stringify({ identities: [{ id: "svc:x", kind: "service" }], policy: { timeout_ms: 50 } }));
    expect(loadServiceConfig({}, { configPath: file }).config.policy.timeoutMs).toBe(50);
  });

  it("names a missing file", () => {
    const err = configError(() => loadServiceConfig({}, { configPath: path.join(dir, "nope.yaml") }));
    expect(err.code).toBe("COUNTERSIGN_CONFIG_UNREADABLE");
    expect(err.message).toContain("nope.yaml");
  });

  it("applies defaults, then the file, then PORT, REDIS_URL and NODE_ENV, then flags", () => {
    const base = parse(MINIMAL);
    expect(base).toMatchObject({
      mode: "development",
      server: { host: "0.0.0.0", port: 8181, bodyLimitBytes: 65536 },
      policy: { timeoutMs: 250 },
      log: { level: "info" },
    });
    const text = MINIMAL + "server: { port: 9000, body_limit: 1mb }\nredis: { url: redis://file:6379 }\nmode: production\n";
    expect(parse(text).server).toMatchObject({ port: 9000, bodyLimitBytes: 1024 * 1024 });
    const env = { PORT: "9100", REDIS_URL: "redis://env:6380/2", NODE_ENV: "development" };
    expect(parse(text, env)).toMatchObject({ mode: "development", server: { port: 9100 }, redis: { url: "redis://env:6380/2" } });
    expect(parseServiceConfig(text, "t.yaml", env, { port: 9200, bundlesDir: "/srv/bundles" })).toMatchObject({
      server: { port: 9200 },
      bundles: { dir: "/srv/bundles" },
    });
  });

  it("treats NODE_ENV=production as production and any other value as development", () => {
    expect(parse(MINIMAL, { NODE_ENV: "production" }).mode).toBe("production");
    expect(parse(MINIMAL + "mode: production\n", { NODE_ENV: "test" }).mode).toBe("development");
    expect(parse(MINIMAL + "mode: production\n").mode).toBe("production");
  });
});

describe("mistakes, each naming its field", () => {
  const cases: [string, string, string, RegExp][] = [
    ["a misspelt setting", MINIMAL + "sever: { port: 1 }\n", "sever", /is not a known field/],
    ["a port of the wrong type", MINIMAL + "server: { port: eighty }\n", "server.port", /must be an integer/],
    [
      "an unknown identity kind",
      "identities: [{ id: 'svc:x', kind: robot }]",
      "identities[0].kind",
      /must be one of service, human, agent/,
    ],
    ["an identity id without a kind prefix", "identities: [{ id: alice, kind: human }]", "identities[0].id", /must match/],
    [
      "a key digest that is not SHA-256 hex",
      "identities: [{ id: 'svc:x', kind: service, api_keys_sha256: [dev-caller-key] }]",
      "identities[0].api_keys_sha256[0]",
      /must match/,
    ],
    [
      "a Teams user that is not a GUID",
      "identities: [{ id: 'user:x', kind: human, teams: { aad_object_id: bob, tenant_id: bob } }]",
      "identities[0].teams.aad_object_id",
      /must match/,
    ],
    ["no identities", "server: { port: 1 }\n", "identities", /is required/],
    ["a bad body limit", MINIMAL + "server: { body_limit: lots }\n", "server.body_limit", /must match/],
    ["a Redis URL of another scheme", MINIMAL + "redis: { url: 'http://x' }\n", "redis.url", /must match/],
    [
      "a repeated identity",
      "identities: [{ id: 'svc:x', kind: service }, { id: 'svc:x', kind: agent }]",
      "identities[1].id",
      /repeats svc:x/,
    ],
    [
      "a key shared by two identities",
      `identities: [{ id: 'svc:x', kind: service, api_keys_sha256: [${"a".repeat(64)}] }, { id: 'svc:y', kind: service, api_keys_sha256: [${"A".repeat(64)}] }]`,
      "identities[1].api_keys_sha256[0]",
      /also a key of svc:x/,
    ],
    [
      "a human with an owner",
      "identities: [{ id: 'user:x', kind: human, owner: 'user:y' }]",
      "identities[0].owner",
      /only for service and agent/,
    ],
    [
      "an owner who is not human",
      "identities: [{ id: 'svc:x', kind: service, owner: 'svc:y' }, { id: 'svc:y', kind: service }]",
      "identities[0].owner",
      /must be a human identity/,
    ],
    [
      "a Teams user mapped twice",
      `identities: [{ id: 'user:x', kind: human, teams: { aad_object_id: ${"1".repeat(8)}-1111-1111-1111-${"1".repeat(12)}, tenant_id: ${"2".repeat(8)}-2222-2222-2222-${"2".repeat(12)} } }, { id: 'user:y', kind: human, teams: { aad_object_id: ${"1".repeat(8)}-1111-1111-1111-${"1".repeat(12)}, tenant_id: ${"2".repeat(8)}-2222-2222-2222-${"2".repeat(12)} } }]`,
      "identities[1].teams.aad_object_id",
      /also the Teams user of user:x/,
    ],
    [
      "a JWT issuer with no key source",
      MINIMAL + "auth: { jwt: { issuer: i, audience: a } }\n",
      "auth.jwt",
      /exactly one of jwks_url and public_key/,
    ],
    [
      "a JWT public key that does not parse",
      MINIMAL + "auth: { jwt: { issuer: i, audience: a, public_key: '-----BEGIN PUBLIC KEY-----\\nnope\\n-----END PUBLIC KEY-----' } }\n",
      "auth.jwt.public_key",
      /not a usable public key/,
    ],
  ];

  it.each(cases)("reports %s", (_what, text, field, message) => {
    const err = configError(() => parse(text));
    expect(err.code).toBe("COUNTERSIGN_CONFIG_INVALID");
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toMatch(message);
  });

  it("reports a bad PORT variable by name", () => {
    const err = configError(() => parse(MINIMAL, { PORT: "http" }));
    expect(err).toMatchObject({ code: "COUNTERSIGN_CONFIG_INVALID", field: "PORT" });
  });

  it("reports text that is neither YAML nor JSON", () => {
    expect(configError(() => parse("identities: [unclosed")).code).toBe("COUNTERSIGN_CONFIG_SYNTAX");
    expect(configError(() => parseServiceConfig("{", "c.json", {})).code).toBe("COUNTERSIGN_CONFIG_SYNTAX");
  });
});

describe("production", () => {
  it("refuses to start with any published development key, naming the identity", () => {
    const example = configError(() => parseServiceConfig(EXAMPLE, "example-config.yaml", { NODE_ENV: "production" }));
    expect(example.code).toBe("COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION");
    expect(example.message).toContain("svc:ci");
    const oneDevKey = MINIMAL.replace(
      "roles: [release-manager]",
      `roles: [release-manager]\n    api_keys_sha256: [${hashApiKey("dev-bob-key")}]`,
    );
    const err = configError(() => parse(oneDevKey, { NODE_ENV: "production" }));
    expect(err).toMatchObject({ code: "COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION", field: "identities[1].api_keys_sha256[0]" });
    expect(err.message).toContain("user:olivia");
  });

  it("starts with keys of its own", () => {
    expect(parse(MINIMAL, { NODE_ENV: "production" }).mode).toBe("production");
  });
});

describe("the approvals section", () => {
  const ed25519 = generateKeyPairSync("ed25519");
  const pem = ed25519.privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const rsaPem = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  const indented = (text: string): string =>
    text
      .trim()
      .split("\n")
      .map((l) => `      ${l}`)
      .join("\n");
  const withApprovals = (yaml: string): string => `${MINIMAL}approvals:\n${yaml}`;
  const callbacks = (extra = ""): string =>
    withApprovals(
      `  callbacks:\n    secret: a-long-enough-callback-secret\n    allowed_hosts: [hooks.example.com, "127.0.0.1:*"]\n${extra}`,
    );

  it("fills in the defaults when it is left out, and reads every setting when given", () => {
    expect(parse(MINIMAL).approvals).toEqual({
      keyPrefix: "countersign:",
      retentionSeconds: 2592000,
      commentMaxChars: 2000,
      maxWaitSeconds: 60,
      sweepIntervalMs: 1000,
      grants: {},
    });
    const text = withApprovals(
      `  key_prefix: "{cs}:"\n  retention_seconds: 7200\n  comment_max_chars: 500\n  max_wait_seconds: 20\n  sweep_interval_ms: 250\n` +
        `  grants:\n    private_key_pem: |\n${indented(pem)}\n`,
    );
    expect(parse(text).approvals).toEqual({
      keyPrefix: "{cs}:",
      retentionSeconds: 7200,
      commentMaxChars: 500,
      maxWaitSeconds: 20,
      sweepIntervalMs: 250,
      grants: { privateKeyPem: pem.trim() + "\n" },
    });
  });

  it("reads the grant key from a file next to the configuration", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-config-"));
    try {
      fs.writeFileSync(path.join(dir, "grant.pem"), pem);
      const file = path.join(dir, "countersign.yaml");
      fs.writeFileSync(file, withApprovals("  grants: { private_key_file: grant.pem }\n"));
      expect(loadServiceConfig({}, { configPath: file }).config.approvals.grants).toEqual({ privateKeyPem: pem });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the callback secret from the variable secret_env names", () => {
    const text = withApprovals("  callbacks: { secret_env: HOOK_SECRET, allowed_hosts: [hooks.example.com] }\n");
    expect(parse(text, { HOOK_SECRET: "s".repeat(32) }).approvals.callbacks).toEqual({
      secret: "s".repeat(32),
      allowedHosts: ["hooks.example.com"],
    });
  });

  const mistakes: [string, string, Record<string, string>, string, RegExp][] = [
    ["an unknown setting", withApprovals("  max_wait: 5\n"), {}, "approvals.max_wait", /is not a known field/],
    ["a long-poll above five minutes", withApprovals("  max_wait_seconds: 3600\n"), {}, "approvals.max_wait_seconds", /must be <= 300/],
    ["a key prefix with a space", withApprovals("  key_prefix: 'a b'\n"), {}, "approvals.key_prefix", /must match/],
    [
      "two grant key sources",
      withApprovals(`  grants:\n    private_key_file: k.pem\n    private_key_pem: |\n${indented(pem)}\n`),
      {},
      "approvals.grants",
      /one of private_key_pem, private_key_file and private_jwk/,
    ],
    [
      "a grant key that is not Ed25519",
      withApprovals(`  grants:\n    private_key_pem: |\n${indented(rsaPem)}\n`),
      {},
      "approvals.grants.private_key_pem",
      /must be an Ed25519 key/,
    ],
    [
      "a grant key file that is missing",
      withApprovals("  grants: { private_key_file: /nonexistent/grant.pem }\n"),
      {},
      "approvals.grants.private_key_file",
      /cannot be read .*no such file/,
    ],
    [
      "a short callback secret",
      withApprovals("  callbacks: { secret: short, allowed_hosts: [h.example.com] }\n"),
      {},
      "approvals.callbacks.secret",
      /at least 16 characters/,
    ],
    [
      "no callback secret",
      withApprovals("  callbacks: { allowed_hosts: [h.example.com] }\n"),
      {},
      "approvals.callbacks",
      /exactly one of secret and secret_env/,
    ],
    [
      "an unset secret variable",
      withApprovals("  callbacks: { secret_env: NOPE, allowed_hosts: [h.example.com] }\n"),
      {},
      "approvals.callbacks.secret_env",
      /NOPE, which must be set/,
    ],
    [
      "an allowed host given as a URL",
      withApprovals("  callbacks: { secret: a-long-enough-callback-secret, allowed_hosts: ['https://h.example.com/'] }\n"),
      {},
      "approvals.callbacks.allowed_hosts[0]",
      /must match/,
    ],
    [
      "a private-network host that is not allowed",
      callbacks('    private_network_hosts: ["10.0.0.5:443"]\n'),
      {},
      "approvals.callbacks.private_network_hosts[0]",
      /must also be in allowed_hosts/,
    ],
    [
      "a backoff cap below the first backoff",
      callbacks("    initial_backoff_ms: 5000\n    max_backoff_ms: 1000\n"),
      {},
      "approvals.callbacks.max_backoff_ms",
      /must not be below initial_backoff_ms/,
    ],
    [
      "plain-http loopback callbacks in production",
      callbacks("    allow_http_loopback: true\n"),
      { NODE_ENV: "production" },
      "approvals.callbacks.allow_http_loopback",
      /development only/,
    ],
  ];

  it.each(mistakes)("reports %s", (_what, text, env, field, message) => {
    const err = configError(() => parse(text, env));
    expect(err.code).toBe("COUNTERSIGN_CONFIG_INVALID");
    expect(err.field).toBe(field);
    expect(err.message).toContain(field);
    expect(err.message).toMatch(message);
  });

  it("allows plain-http loopback callbacks in development", () => {
    expect(parse(callbacks("    allow_http_loopback: true\n")).approvals.callbacks?.allowHttpLoopback).toBe(true);
  });

  it("refuses the published development callback secret in production", () => {
    const text = withApprovals(`  callbacks: { secret: ${DEVELOPMENT_CALLBACK_SECRET}, allowed_hosts: [h.example.com] }\n`);
    expect(parse(text).approvals.callbacks?.secret).toBe(DEVELOPMENT_CALLBACK_SECRET);
    expect(configError(() => parse(text, { NODE_ENV: "production" }))).toMatchObject({
      code: "COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION",
      field: "approvals.callbacks.secret",
    });
  });

  it("reads the embedded Redis directory, and a URL from the file or REDIS_URL", () => {
    expect(parse(MINIMAL + "redis: { embedded_dir: /var/lib/countersign/redis }\n").redis).toEqual({
      embeddedDir: "/var/lib/countersign/redis",
    });
    expect(parse(MINIMAL + "redis: { url: redis://file:6379 }\n", { REDIS_URL: "redis://env:6380" }).redis).toMatchObject({
      url: "redis://env:6380",
    });
  });
});

describe("the identities section", () => {
  it("requires known humans in production and not in development, unless it says so", () => {
    expect(parse(MINIMAL).requireKnownHumans).toBe(false);
    expect(parse(MINIMAL, { NODE_ENV: "production" }).requireKnownHumans).toBe(true);
    const entries = MINIMAL.replace("identities:\n", "identities:\n  require_known_humans: true\n  entries:\n").replace(
      /\n {2}(-| {2})/g,
      "\n    $1",
    );
    const config = parse(entries);
    expect(config.requireKnownHumans).toBe(true);
    expect(config.identities.map((i) => i.id)).toEqual(["svc:deployer", "user:olivia"]);
    const off = parse(entries.replace("require_known_humans: true", "require_known_humans: false"), { NODE_ENV: "production" });
    expect(off.requireKnownHumans).toBe(false);
  });

  it("names the entry in the object form's errors", () => {
    const text = "identities:\n  entries:\n    - id: user:al\u200bice\n      kind: human\n";
    const err = configError(() => parse(text));
    expect(err.field).toBe("identities.entries[0].id");
    expect(err.message).toContain("contains U+200B, an invisible formatting character");
  });

  it("refuses ids that could be mistaken for each other", () => {
    const text = `${MINIMAL}  - id: user:Olivia\n    kind: human\n`;
    const err = configError(() => parse(text));
    expect(err.field).toBe("identities[2].id");
    expect(err.message).toContain("user:Olivia looks like user:olivia (identities[1])");
    const cyrillic = configError(() => parse(`${MINIMAL}  - id: user:оlivia\n    kind: human\n`));
    expect(cyrillic.message).toMatch(/mixes Cyrillic and Latin letters/);
  });
});
