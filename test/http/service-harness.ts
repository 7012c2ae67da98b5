/**
 * Test helpers for the decision service: bundles written to a temporary directory (the example policies of
 * rego/, or Rego held in strings), the service wired exactly as `countersign serve` wires it, with a fixed
 * clock, predictable decision ids and a logger whose JSON lines the test can read.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { buildBundle } from "../../src/bundle/bundle-build";
import { writeBundleFile } from "../../src/bundle/bundle-writer";
import { loadSourceSet, type SourceSet } from "../../src/bundle/source-set";
import { exampleConfigPath, parseServiceConfig, type ConfigEnv } from "../../src/config/config-loader";
import type { LogLevel, ServiceConfig } from "../../src/config/service-config";
import { assembleService, type AssembledService } from "../../src/main";
import { createLogger, type Logger } from "../../src/observability/logger";
import { fixedClock, type Clock } from "../../src/policy/clock";
import { startEmbeddedRedis, type EmbeddedRedis } from "../../src/redis/embedded-redis";
import type { IdGenerator } from "../../src/service/decision-id";

/** The repository root. */
export const ROOT = path.join(__dirname, "..", "..");

/** The instant every harness decision is made at: 2025-06-01T12:00:00Z (long past, so only an injected clock accepts tokens valid then). */
export const NOW_NS = BigInt(Date.UTC(2025, 5, 1, 12, 0, 0)) * 1_000_000n;

/** Authorization headers of the development identities. */
export const AUTH = {
  caller: "Bearer dev-caller-key",
  alice: "Bearer dev-alice-key",
  bob: "Bearer dev-bob-key",
  carol: "Bearer dev-carol-key",
  dave: "Bearer dev-dave-key",
  erin: "Bearer dev-erin-key",
} as const;

/**
 * A clock that runs with real time (so backoffs and tokens behave as in production, and outside verifiers
 * accept what it stamps) and that tests move ahead by hand, to make requests and grants expire.
 */
export class ManualClock {
  private offsetMs = 0;
  nowNs(): bigint {
    return BigInt(Date.now() + this.offsetMs) * 1_000_000n;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

const temps: string[] = [];

/** A new temporary directory, removed by `removeTempDirs`. */
export function tempDir(prefix = "countersign-http-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Removes every directory made by tempDir. */
export function removeTempDirs(): void {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Compiles sources (the example `rego/` directory, or Rego modules by file name) into `dir/<name>.tar.gz`. */
export async function writeBundle(
  dir: string,
  sources: "example" | Readonly<Record<string, string>>,
  opts: { revision?: string; name?: string; entrypoints?: readonly string[] } = {},
): Promise<string> {
  const set: SourceSet =
    sources === "example"
      ? await loadSourceSet([path.join(ROOT, "rego")])
      : { modules: Object.entries(sources).map(([file, text]) => ({ file, bundlePath: `/${file}`, text })), data: {}, dataFiles: [] };
  const built = await buildBundle({
    sources: set,
    entrypoints: [...(opts.entrypoints ?? ["countersign/decision"])],
    ...(opts.revision === undefined ? {} : { revision: opts.revision }),
  });
  if (!built.ok) throw new Error(`test policy does not compile: ${built.diagnostics.map((d) => d.message).join("; ")}`);
  const file = path.join(dir, `${opts.name ?? "countersign"}.tar.gz`);
  await writeBundleFile(file, built.bundle);
  return file;
}

/** A decision policy module: `package countersign` with the given rules. */
export function decisionModule(rules: string): string {
  return `package countersign\n\nimport rego.v1\n\n${rules}\n`;
}

/** A logger that keeps every line it writes. */
export interface CapturedLogger {
  readonly logger: Logger;
  /** The JSON lines logged so far, parsed, in order. */
  lines(): Record<string, unknown>[];
  /** Everything logged, as raw text. */
  text(): string;
}

/** A JSON logger at the given level (debug by default, to catch everything) writing into memory. */
export function captureLogger(level: LogLevel = "debug"): CapturedLogger {
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      raw.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level, stream });
  return {
    logger,
    lines: () =>
      raw
        .join("")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => raw.join(""),
  };
}

/** Ids `decision-1`, `decision-2`, … */
export function sequentialIds(prefix = "decision-"): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}${++n}` };
}

/**
 * The example configuration, with overrides and environment applied; its audit mirror file is moved to a
 * temporary directory (the example writes it under `.countersign/` of the working directory).
 */
export function exampleConfig(env: ConfigEnv = {}, bundlesDir?: string): ServiceConfig {
  const file = exampleConfigPath();
  const config = parseServiceConfig(fs.readFileSync(file, "utf8"), file, env, bundlesDir === undefined ? {} : { bundlesDir });
  return { ...config, audit: { ...config.audit, mirror_file: path.join(tempDir("countersign-audit-"), "audit.jsonl") } };
}

let sharedRedis: Promise<EmbeddedRedis> | undefined;
let sharedRedisDir: string | undefined;

/**
 * A redis-server private to the test file, started on first use and stopped after the file's tests: the
 * service records every decision in its audit trail, so it needs one even where a test is about something
 * else. Never a developer's own Redis.
 */
export function harnessRedisUrl(): Promise<string> {
  if (sharedRedis === undefined) {
    sharedRedisDir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-harness-redis-"));
    sharedRedis = startEmbeddedRedis({ dir: sharedRedisDir, appendOnly: false });
  }
  return sharedRedis.then((r) => r.url);
}

afterAll(async () => {
  const running = sharedRedis;
  sharedRedis = undefined;
  if (running !== undefined) await (await running).stop();
  if (sharedRedisDir !== undefined) fs.rmSync(sharedRedisDir, { recursive: true, force: true });
  sharedRedisDir = undefined;
});

/** A wired service and its captured log. */
export interface TestService extends AssembledService {
  readonly log: CapturedLogger;
  readonly config: ServiceConfig;
}

/**
 * The service wired as `serve` wires it, over a bundle directory, not listening. Call `close()` afterwards.
 * When the configuration names no Redis, it runs on the test file's private redis-server (`harnessRedisUrl`),
 * unless `noRedis` asks for a service without one.
 */
export async function testService(opts: {
  bundlesDir: string;
  config?: ServiceConfig;
  watch?: boolean;
  clock?: Clock;
  ids?: IdGenerator;
  logLevel?: LogLevel;
  noRedis?: boolean;
  env?: ConfigEnv;
}): Promise<TestService> {
  const given = opts.config ?? exampleConfig({}, opts.bundlesDir);
  const config =
    given.redis.url !== undefined || opts.noRedis ? given : { ...given, redis: { ...given.redis, url: await harnessRedisUrl() } };
  const log = captureLogger(opts.logLevel);
  const service = await assembleService(config, {
    watch: opts.watch ?? false,
    clock: opts.clock ?? fixedClock(NOW_NS),
    ids: opts.ids ?? sequentialIds(),
    logger: log.logger,
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  return { ...service, log, config };
}

/** A decide request body; `patch` replaces top-level fields. */
export function decideBody(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { id: "svc:ci", type: "ci" },
    action: { name: "db.read", params: { table: "customers" } },
    resource: { type: "database", id: "prod/customers", environment: "production" },
    context: { reason: "nightly report" },
    ...patch,
  };
}

/** Polls until check returns something other than undefined, or fails after the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, deadlineMs = 10_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The service with the approval workflow on the Redis at `redisUrl` (the example configuration with
 * REDIS_URL set; `configure` may change it), a clock the test moves, and UUIDv7 decision ids.
 */
export async function approvalTestService(opts: {
  bundlesDir: string;
  redisUrl: string;
  clock?: ManualClock;
  configure?: (config: ServiceConfig) => ServiceConfig;
  logLevel?: LogLevel;
  env?: ConfigEnv;
}): Promise<TestService & { clock: ManualClock }> {
  const clock = opts.clock ?? new ManualClock();
  const base = exampleConfig({ REDIS_URL: opts.redisUrl }, opts.bundlesDir);
  const config = opts.configure ? opts.configure(base) : base;
  const service = await testService({
    bundlesDir: opts.bundlesDir,
    config,
    clock,
    ids: sequentialIds(`dec-${Math.random().toString(36).slice(2, 8)}-`),
    logLevel: opts.logLevel ?? "info",
    ...(opts.env === undefined ? {} : { env: opts.env }),
  });
  return { ...service, clock };
}

/** The example policy's production export: needs one dba, requires a reason, masks the query. */
export function exportBody(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:mallory" },
    action: { name: "db.export", params: { table: "customers", query: "select * from customers" } },
    resource: { type: "database", id: "prod/customers", environment: "production" },
    context: { reason: "quarterly report", ticket: "OPS-1234" },
    ...patch,
  };
}

/** The example policy's IAM change: needs two distinct security reviewers. */
export function iamBody(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    actor: { id: "svc:ci", type: "ci" },
    action: { name: "iam.role.grant", params: { role: "admin", to: "user:mallory" } },
    resource: { type: "iam", id: "roles/admin" },
    context: { reason: "on-call rotation" },
    ...patch,
  };
}
