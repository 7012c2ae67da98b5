/**
 * Serving the decision bundle from a bundle server, against a real local HTTP server: ETag polling (a 304
 * changes nothing), verification before activation (tampered, wrong key, unsigned in production: refused,
 * last good kept, refused once), the on-disk cache (a restart while the server is down still serves),
 * an outage during the run, back-off, and the request headers.
 */

import { generateKeyPairSync } from "node:crypto";
import { promises as fs } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { signingKeyFrom, verificationKeyFrom } from "../../src/bundle/bundle-keys";
import { signBundle } from "../../src/bundle/bundle-signing";
import type { VerificationConfig } from "../../src/bundle/bundle-verification";
import { encodeBundle } from "../../src/bundle/bundle-writer";
import { BundleServerSource, type BundleServerSourceOptions } from "../../src/engine/bundle-server-source";
import { PolicyEngine } from "../../src/engine/policy-engine";
import type { ActivatedEvent, RefusedEvent } from "../../src/engine/policy-source";
import { listTarGz, makeTarGz } from "../bundle/fixtures/tarball";
import { bundleFrom, constantDecision, recordingLogger } from "./engine-fixtures";

const release = keyPair();
const intruder = keyPair();
const verification: VerificationConfig = {
  keys: new Map([["release", { key: verificationKeyFrom(release.pub, "ES256", "test"), algorithm: "ES256" }]]),
  excludeFiles: [],
  requireSignature: true,
};

/** The bundle server: serves `body` with `etag`, honours If-None-Match, records each request. */
class FakeBundleServer {
  body: Buffer = Buffer.alloc(0);
  etag: string | null = null;
  status = 200;
  readonly requests: IncomingHttpHeaders[] = [];
  private server: Server | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests.push(req.headers);
      if (this.status !== 200) {
        res.writeHead(this.status).end("unavailable");
        return;
      }
      if (this.etag !== null && req.headers["if-none-match"] === this.etag) {
        res.writeHead(304, { ETag: this.etag }).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/gzip", ...(this.etag === null ? {} : { ETag: this.etag }) }).end(this.body);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/bundles/countersign.tar.gz`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

let server: FakeBundleServer;
let cacheDir: string;
const sources: BundleServerSource[] = [];

beforeEach(async () => {
  server = new FakeBundleServer();
  await server.start();
  cacheDir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-bundle-cache-"));
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  await server.stop();
  await fs.rm(cacheDir, { recursive: true, force: true });
});

async function signedRevision(revision: string, key = release.priv): Promise<Buffer> {
  const bundle = await bundleFrom(
    { "p.rego": constantDecision({ outcome: "allow", reasons: [revision] }) },
    { revision, data: { revision } },
  );
  return encodeBundle(await signBundle(bundle, { key: signingKeyFrom(key, "ES256", "test"), algorithm: "ES256", keyId: "release" }));
}

async function unsignedRevision(revision: string): Promise<Buffer> {
  return encodeBundle(await bundleFrom({ "p.rego": constantDecision({ outcome: "allow", reasons: [revision] }) }, { revision }));
}

async function serve(opts: Partial<BundleServerSourceOptions> = {}) {
  const logger = recordingLogger();
  const source = new BundleServerSource({
    url: server.url,
    pollMinMs: 60_000,
    pollMaxMs: 120_000,
    headers: {},
    cacheDir,
    verification,
    logger,
    poll: false,
    ...opts,
  });
  sources.push(source);
  const activated: ActivatedEvent[] = [];
  const refused: RefusedEvent[] = [];
  source.subscribe({ onActivated: (e) => activated.push(e), onRefused: (e) => refused.push(e) });
  await source.start();
  return { source, engine: new PolicyEngine(source, { logger }), logger, activated, refused };
}

describe("polling with ETag", () => {
  it("activates a verified download, then asks with If-None-Match; a 304 changes nothing", async () => {
    server.body = await signedRevision("r1");
    server.etag = '"v1"';
    const { source, engine, activated } = await serve();
    expect(engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r1"], policy: { bundle: "countersign", revision: "r1" } });
    expect(server.requests[0]!["if-none-match"]).toBeUndefined();

    await source.reload();
    await source.reload();
    expect(server.requests.map((r) => r["if-none-match"])).toEqual([undefined, '"v1"', '"v1"']);
    expect(activated).toHaveLength(1);
    expect(source.status()).toMatchObject({
      kind: "bundle-server",
      location: server.url,
      ready: true,
      reloadFailures: 0,
      remote: { etag: '"v1"', downloads: 1, notModified: 2, consecutiveFailures: 0 },
    });

    server.body = await signedRevision("r2");
    server.etag = '"v2"';
    await source.reload();
    expect(engine.decide({})).toMatchObject({ reasons: ["r2"], policy: { revision: "r2" } });
    expect(activated.map((e) => [e.revision, e.previousRevision])).toEqual([
      ["r1", null],
      ["r2", "r1"],
    ]);
  });

  it("sends the configured headers (a bearer token) on every request", async () => {
    server.body = await signedRevision("r1");
    await serve({ headers: { Authorization: "Bearer s3cret", "X-Tenant": "acme" } });
    expect(server.requests[0]).toMatchObject({ authorization: "Bearer s3cret", "x-tenant": "acme" });
  });
});

describe("verification before activation", () => {
  it("refuses a tampered bundle, keeps the last good one, and records the refusal once", async () => {
    server.body = await signedRevision("r1");
    server.etag = '"v1"';
    const { source, engine, refused, logger } = await serve();

    // Someone with write access to the bucket changes data.json inside the signed archive.
    const entries = await listTarGz(await signedRevision("r2"));
    server.body = await makeTarGz(entries.map((e) => ({ name: e.name, body: e.name === "/data.json" ? '{"revision":"evil"}\n' : e.body })));
    server.etag = '"v2"';
    await source.reload();
    await source.reload();
    expect(engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r1"], policy: { revision: "r1" } });
    expect(refused).toEqual([
      expect.objectContaining({ bundle: "countersign", code: "COUNTERSIGN_BUNDLE_BAD_SIGNATURE", file: server.url }),
    ]);
    expect(refused[0]!.reason).toMatch(/data.json: digest mismatch/);
    expect(source.status()).toMatchObject({
      ready: true,
      reloadFailures: 1,
      lastFailure: { code: "COUNTERSIGN_BUNDLE_BAD_SIGNATURE" },
      remote: { etag: '"v1"' },
    });
    expect(logger.lines.some((l) => l.level === "error" && /refused \(revision r1 keeps serving\)/.test(l.message))).toBe(true);
    // The refused download never replaces the cache.
    expect(JSON.parse(await fs.readFile(path.join(cacheDir, "countersign.json"), "utf8"))).toMatchObject({ etag: '"v1"', revision: "r1" });
  });

  it("refuses a bundle signed with a key it does not trust", async () => {
    server.body = await signedRevision("r1");
    const { source, engine, refused } = await serve();
    server.body = await signedRevision("r2", intruder.priv);
    await source.reload();
    expect(engine.decide({})).toMatchObject({ reasons: ["r1"] });
    expect(refused.map((r) => r.code)).toEqual(["COUNTERSIGN_BUNDLE_BAD_SIGNATURE"]);
    expect(refused[0]!.reason).toMatch(/does not verify with key 'release'/);
  });

  it("refuses an unsigned bundle when signatures are required (production)", async () => {
    server.body = await signedRevision("r1");
    const { source, engine, refused } = await serve();
    server.body = await unsignedRevision("r2");
    await source.reload();
    expect(engine.decide({})).toMatchObject({ reasons: ["r1"] });
    expect(refused.map((r) => r.code)).toEqual(["COUNTERSIGN_BUNDLE_UNSIGNED"]);
  });

  it("serves nothing (decisions denied) when the first download is refused", async () => {
    server.body = await unsignedRevision("r1");
    const { source, engine } = await serve();
    expect(source.status().ready).toBe(false);
    expect(engine.decide({})).toMatchObject({ outcome: "deny" });
  });
});

describe("the cache and outages", () => {
  it("serves the cached bundle after a restart while the server is down, then follows the server again", async () => {
    server.body = await signedRevision("r1");
    server.etag = '"v1"';
    const first = await serve();
    expect(first.engine.decide({})).toMatchObject({ reasons: ["r1"] });
    await first.source.close();
    const port = server.port;
    await server.stop();

    const second = await serve();
    expect(second.engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r1"], policy: { revision: "r1" } });
    expect(second.source.status()).toMatchObject({ ready: true, remote: { servingFromCache: true, consecutiveFailures: 1, etag: '"v1"' } });
    expect(second.source.status().remote!.lastError).toMatch(/ECONNREFUSED|fetch failed/);

    // The server comes back on the same address; the cached ETag is still current, so it answers 304.
    await server.start(port);
    await second.source.reload();
    expect(server.requests.at(-1)!["if-none-match"]).toBe('"v1"');
    expect(second.source.status()).toMatchObject({
      remote: { servingFromCache: false, consecutiveFailures: 0, notModified: 1, downloads: 0 },
    });
  });

  it("refuses a cached copy altered on disk, and fetches from the server instead", async () => {
    server.body = await signedRevision("r1");
    await (await serve()).source.close();
    const cached = path.join(cacheDir, "countersign.tar.gz");
    const entries = await listTarGz(await fs.readFile(cached));
    await fs.writeFile(cached, await makeTarGz(entries.map((e) => ({ name: e.name, body: e.name === "/data.json" ? "{}\n" : e.body }))));
    server.body = await signedRevision("r2");
    const { engine, refused } = await serve();
    expect(refused.map((r) => [r.code, r.file])).toEqual([["COUNTERSIGN_BUNDLE_BAD_SIGNATURE", cached]]);
    expect(engine.decide({})).toMatchObject({ reasons: ["r2"] });
  });

  it("keeps serving through an outage during the run (network error and HTTP 503)", async () => {
    server.body = await signedRevision("r1");
    const { source, engine, logger } = await serve();
    server.status = 503;
    await source.reload();
    expect(source.status().remote).toMatchObject({ consecutiveFailures: 1, lastError: expect.stringMatching(/HTTP 503/) });
    const port = server.port;
    await server.stop();
    await source.reload();
    expect(source.status()).toMatchObject({ ready: true, reloadFailures: 0, remote: { consecutiveFailures: 2 } });
    expect(engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r1"] });
    expect(logger.lines.filter((l) => l.level === "error" && /cannot fetch policy bundle/.test(l.message))).toHaveLength(1);

    server.status = 200;
    server.body = await signedRevision("r2");
    await server.start(port);
    await source.reload();
    expect(engine.decide({})).toMatchObject({ reasons: ["r2"] });
    expect(source.status().remote).toMatchObject({ consecutiveFailures: 0, lastError: null });
  });

  it("polls on its own between poll_min and poll_max, and backs off after failures up to poll_max", async () => {
    server.body = await signedRevision("r1");
    server.etag = '"v1"';
    const { source } = await serve({ poll: true, pollMinMs: 20, pollMaxMs: 40 });
    const until = Date.now() + 5000;
    while (server.requests.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(server.requests.slice(1).every((r) => r["if-none-match"] === '"v1"')).toBe(true);

    const zero = new BundleServerSource({ url: server.url, pollMinMs: 1000, pollMaxMs: 30_000, headers: {}, random: () => 0 });
    const failures = (n: number) => {
      (zero as unknown as { consecutiveFailures: number }).consecutiveFailures = n;
      return zero.nextDelayMs();
    };
    expect([0, 1, 2, 3, 4, 5, 6, 10].map(failures)).toEqual([1000, 750, 1500, 3000, 6000, 12_000, 22_500, 22_500]);
    expect(source.status().ready).toBe(true);
  });
});

function keyPair(): { priv: string; pub: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    priv: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    pub: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}
