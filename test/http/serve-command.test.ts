/**
 * `countersign serve` end to end over a real socket: the example configuration when none is given (and
 * the log saying so), a configuration file, graceful stop, the embedded redis-server when no Redis URL is
 * configured (started with AOF, stopped on shutdown), and the start-up refusals that exit 1 with a coded
 * message (development keys in production, a port already taken, a bad configuration, no redis-server).
 */

import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { main } from "../../src/cli/main";
import type { CliIo } from "../../src/cli/cli-io";
import { runServeCommand } from "../../src/cli/serve-command";
import { hashApiKey } from "../../src/identity/identity-directory";
import { startService, type RunningService } from "../../src/main";
import { EmbeddedRedisError, startEmbeddedRedis } from "../../src/redis/embedded-redis";
import { openRedis } from "../../src/redis/redis-connection";
import { useRedisServer } from "../support/redis-server";
import { captureLogger, decideBody, exportBody, removeTempDirs, ROOT, tempDir, writeBundle } from "./service-harness";

const redis = useRedisServer();
let bundlesDir: string;

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "serve-1" });
});
afterAll(() => removeTempDirs());

function memoryIo(): CliIo & { errors: string[] } {
  const errors: string[] = [];
  return { errors, out: () => undefined, err: (l) => void errors.push(l), readStdin: async () => "" };
}

async function decide(url: string, key: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/v1/decide`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify(decideBody()),
  });
  return { status: res.status, body: await res.json() };
}

describe("startService", () => {
  it("uses the example development configuration when none is given, and logs that it does", async () => {
    const log = captureLogger("info");
    const service = await startService({
      env: { REDIS_URL: redis.url },
      overrides: { port: 0, bundlesDir },
      logger: log.logger,
      watch: false,
    });
    try {
      expect(service.configSource.kind).toBe("example");
      expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const warn = log.lines().find((l) => l["level"] === "warn" && String(l["message"]).includes("example development configuration"));
      expect(warn).toBeDefined();
      const res = await decide(service.url, "dev-caller-key");
      expect(res).toMatchObject({ status: 200, body: { outcome: "allow", policy: { revision: "serve-1" } } });
    } finally {
      await service.close();
    }
  });

  it("serves the Rego sources of a directory compiled in memory with --watch-rego", async () => {
    const service = await startService({
      env: { REDIS_URL: redis.url },
      overrides: { port: 0, bundlesDir: tempDir() },
      watchRegoDir: path.join(ROOT, "rego"),
      logger: captureLogger().logger,
      watch: false,
    });
    try {
      const res = await decide(service.url, "dev-caller-key");
      expect(res).toMatchObject({ status: 200, body: { outcome: "allow", policy: { bundle: "rego" } } });
    } finally {
      await service.close();
    }
  });

  it("starts the embedded redis-server when no Redis URL is configured (AOF on), and stops it on shutdown", async () => {
    const dir = tempDir();
    const configFile = path.join(dir, "countersign.yaml");
    fs.writeFileSync(
      configFile,
      fs.readFileSync(path.join(ROOT, "src", "config", "example-config.yaml"), "utf8") +
        `\nredis: { embedded_dir: ${JSON.stringify(path.join(dir, "redis"))} }\n`,
    );
    const log = captureLogger("info");
    const service = await startService({
      env: {},
      overrides: { configPath: configFile, port: 0, bundlesDir },
      logger: log.logger,
      watch: false,
    });
    const embedded = service.embeddedRedis!;
    try {
      expect(embedded.dir).toBe(path.join(dir, "redis"));
      expect(service.config.redis.url).toBe(embedded.url);
      const client = openRedis(embedded.url);
      try {
        expect(await client.config("GET", "appendonly")).toEqual(["appendonly", "yes"]);
      } finally {
        client.disconnect();
      }
      const res = await fetch(`${service.url}/v1/decide`, {
        method: "POST",
        headers: { Authorization: "Bearer dev-caller-key", "Content-Type": "application/json" },
        body: JSON.stringify(exportBody()),
      });
      expect(await res.json()).toMatchObject({ outcome: "require_approval", approval: { status: "pending" } });
      expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
      expect(log.lines().some((l) => String(l["message"]).startsWith("embedded redis-server on redis://127.0.0.1:"))).toBe(true);
    } finally {
      await service.close();
    }
    expect(() => process.kill(embedded.pid, 0)).toThrow();
  });

  it("refuses a second embedded redis-server on a data directory already in use", async () => {
    const dir = tempDir();
    const first = await startEmbeddedRedis({ dir, appendOnly: false });
    try {
      const err = await startEmbeddedRedis({ dir, appendOnly: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EmbeddedRedisError);
      expect((err as Error).message).toBe(
        `another redis-server (pid ${first.pid}) is using ${dir}; stop it (kill ${first.pid}) or give this service its own redis.embedded_dir`,
      );
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedRedis({ dir, appendOnly: false });
    await again.stop();
  });

  it("says how to install redis-server when it is missing", async () => {
    const err = await startEmbeddedRedis({ dir: tempDir(), binary: "/nonexistent/redis-server" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddedRedisError);
    expect((err as EmbeddedRedisError).message).toMatch(/redis-server is not installed.*apt-get install redis-server.*or set REDIS_URL/);
  });

  it("refuses to start when the port is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(
        startService({ env: { REDIS_URL: redis.url }, overrides: { port, bundlesDir }, logger: captureLogger().logger, watch: false }),
      ).rejects.toMatchObject({
        code: "COUNTERSIGN_LISTEN_FAILED",
        message: expect.stringContaining("already in use"),
      });
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe("runServeCommand", () => {
  it("serves with a configuration file until asked to stop, then closes the socket", async () => {
    const dir = tempDir();
    const configFile = path.join(dir, "countersign.yaml");
    fs.writeFileSync(
      configFile,
      [
        "server: { host: 127.0.0.1, port: 0 }",
        `bundles: { dir: ${JSON.stringify(bundlesDir)} }`,
        "log: { level: error }",
        "identities:",
        `  - { id: "svc:pipeline", kind: service, api_keys_sha256: [${hashApiKey("pipeline-key")}] }`,
      ].join("\n"),
    );
    let stop!: (signal: string) => void;
    const stopped = new Promise<string>((r) => (stop = r));
    let running!: RunningService;
    const started = new Promise<void>((resolve) => {
      void runServeCommand(
        { config: configFile },
        memoryIo(),
        { NODE_ENV: "production", REDIS_URL: redis.url, COUNTERSIGN_AUDIT_MASK_SALT: "serve-test-salt-0123456789abcdef" },
        { stopRequested: () => stopped },
        (s) => {
          running = s;
          resolve();
        },
      );
    });
    await started;
    try {
      expect(running.config.mode).toBe("production");
      expect(await decide(running.url, "pipeline-key")).toMatchObject({ status: 200, body: { outcome: "allow" } });
      expect((await decide(running.url, "dev-caller-key")).status).toBe(401);
    } finally {
      stop("SIGTERM");
    }
    await eventuallyClosed(running.url);
  });
});

async function eventuallyClosed(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/healthz`);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} still answers after stop`);
}

describe("countersign serve refusals (exit 1, one coded line)", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it("refuses the development keys when NODE_ENV=production", async () => {
    process.env["NODE_ENV"] = "production";
    delete process.env["COUNTERSIGN_CONFIG"];
    const io = memoryIo();
    expect(await main(["serve", "--port", "0", "--bundles", bundlesDir], io)).toBe(1);
    expect(io.errors.join("\n")).toMatch(
      /^error: refusing to start in production: identity svc:ci has a published development API key .*\[COUNTERSIGN_CONFIG_DEVELOPMENT_KEY_IN_PRODUCTION\]$/m,
    );
  });

  it("names the bad field of a configuration file", async () => {
    const file = path.join(tempDir(), "bad.yaml");
    fs.writeFileSync(file, "identities: [{ id: 'svc:x', kind: robot }]\n");
    const io = memoryIo();
    expect(await main(["serve", "--config", file], io)).toBe(1);
    expect(io.errors.join("\n")).toMatch(/identities\[0\]\.kind must be one of service, human, agent \[COUNTERSIGN_CONFIG_INVALID\]/);
  });

  it("refuses a --port that is not a port", async () => {
    const io = memoryIo();
    expect(await main(["serve", "--port", "eighty"], io)).toBe(1);
    expect(io.errors.join("\n")).toMatch(/must be a port number/);
  });
});
