/**
 * `countersign audit`: export the trail, verify an export or the live trail, print the public key that
 * verifies it, and compute the masked digest of a value an auditor holds.
 *
 * - `audit export [--from X] [--to Y] [--redis URL] [--stream NAME] [--signing-key F]`: JSON lines on stdout,
 *   entries in order then the signed head line. X and Y are seqs (`1200`) or RFC 3339 times. The export's
 *   range is signed with the audit key when the exporter holds it (the key generated in Redis, or F).
 * - `audit verify <trail.jsonl | -> [--key K]... [--partial] [--pin P]` or `audit verify [--archive DIR] [--redis URL] …`:
 *   prints `ok: N entries, head <hash>` or the first bad seq and what is wrong; exit code 1 on any problem. K
 *   is a file (PEM public or private key, or JWK) or the base64url public key; repeat it across a key
 *   rotation. Without K a file is checked against the public key it carries (reported as not pinned) and the
 *   live trail against the key generated in Redis. A trail must start at seq 1, unless its signed export range
 *   says it is partial or `--partial` accepts an unsigned start. P is a head seen earlier (`SEQ:HASH`, or a
 *   file from `audit head` or an export's last line): the trail must still reach it and hold it.
 * - `audit head [--redis URL]`: the current signed head as one JSON line, for auditors to pin.
 * - `audit key [--redis URL]`: the public key (PEM), its id and base64url form, for auditors to pin.
 * - `audit digest <json-value> [--salt-file F]`: `{"$masked": "sha256:…"}` for a value, to compare with
 *   a masked field (salt from the file or COUNTERSIGN_AUDIT_MASK_SALT).
 *
 * Operational failures (Redis unreachable, unreadable file, bad key) print `error: … [CODE]` and exit 1.
 */

import { createReadStream, existsSync, promises as fs, readFileSync } from "node:fs";
import * as readline from "node:readline";
import type Redis from "ioredis";
import { AuditError } from "../audit/audit-error";
import { parseTimestamp } from "../audit/audit-time";
import { exportTrail, type ExportRange } from "../audit/export";
import { maskedMarker } from "../audit/masking";
import { DEFAULT_AUDIT_STREAM, RedisAuditStore } from "../audit/redis-audit-store";
import { isHashText, type ChainHead } from "../audit/chain";
import { loadSigningKey, loadVerificationKey, publicKeyPem, type AuditVerificationKey } from "../audit/signing-key";
import { asHeadLine } from "../audit/trail-head-line";
import { formatVerifyResult, verifyStoredTrail, verifyTrailLines, type VerifyResult } from "../audit/verify";
import { DirectoryArchiveStore } from "../audit/archive-store";
import { verifyArchivedTrail } from "../audit/archive-verify";
import { systemClock, type Clock } from "../policy/clock";
import { openRedis } from "../redis/redis-connection";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";

/** The subcommands. */
export const AUDIT_SUBCOMMANDS = ["export", "verify", "head", "key", "digest"] as const;

/** Options of `countersign audit …` (each subcommand reads the ones it documents). */
export interface AuditCommandOptions {
  /** Redis URL; default REDIS_URL from the environment. */
  readonly redis?: string;
  /** Stream name; default `countersign:audit`. */
  readonly stream?: string;
  readonly from?: string;
  readonly to?: string;
  /** Verification keys: files or base64url public keys. */
  readonly key?: readonly string[];
  /** A file holding the mask salt (digest). */
  readonly saltFile?: string;
  /** verify: accept a trail that starts after seq 1 without a signed range saying so. */
  readonly partial?: boolean;
  /** verify: a head seen earlier, `SEQ:HASH` or a file holding a head (JSON). */
  readonly pin?: string;
  /** export: the audit signing key (PEM file), for deployments that configure their own. */
  readonly signingKey?: string;
  /** verify: the archive directory of sealed segments; verified first, then the Redis stream (with --redis). */
  readonly archive?: string;
}

/** What the command takes from its surroundings (injected for tests). */
export interface AuditCommandDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  readonly connect?: (url: string) => Redis;
}

/** Runs one `audit` subcommand; resolves to the exit code (0 ok, 1 a problem was found or reported). */
export async function runAuditCommand(subcommand: string, args: readonly string[], opts: AuditCommandOptions, io: CliIo, deps: AuditCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  try {
    switch (subcommand) {
      case "export":
        return await withStore(opts, env, deps, (store) => runExport(store, opts, io, deps.clock ?? systemClock));
      case "verify":
        return await runVerify(args, opts, io, env, deps);
      case "head":
        return await withStore(opts, env, deps, (store) => runHead(store, io));
      case "key":
        return await withStore(opts, env, deps, (store) => runKey(store, io));
      case "digest":
        return runDigest(args, opts, io, env);
      default:
        throw new CliError("COUNTERSIGN_CLI_USAGE", `unknown audit subcommand '${subcommand}'; use one of ${AUDIT_SUBCOMMANDS.join(", ")}`);
    }
  } catch (err) {
    if (err instanceof AuditError) {
      io.err(`error: ${err.message} [${err.code}]`);
      return 1;
    }
    throw err;
  }
}

async function runExport(store: RedisAuditStore, opts: AuditCommandOptions, io: CliIo, clock: Clock): Promise<number> {
  const range: ExportRange = { ...bound("from", opts.from), ...bound("to", opts.to) };
  const stored = await store.readSigningKey();
  const signingKey = opts.signingKey !== undefined ? loadSigningKey(readTextFile(opts.signingKey)) : stored === null ? undefined : loadSigningKey(stored);
  const publicKey = signingKey?.verification;
  const summary = await exportTrail(store, (line) => io.out(line), {
    ...range,
    clock,
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(signingKey === undefined ? {} : { signingKey }),
  });
  if (summary.entries === 0) io.err("audit export: no entries in range");
  else {
    const signed = signingKey !== undefined && summary.head?.kid === signingKey.verification.kid;
    const partial = summary.partial ? (signed ? " (partial, and its range is signed so)" : " (partial: verify it with --partial, its start is not signed)") : "";
    io.err(`audit export: ${summary.entries} entries, seq ${summary.fromSeq}..${summary.toSeq}${partial}`);
  }
  return 0;
}

async function runVerify(args: readonly string[], opts: AuditCommandOptions, io: CliIo, env: Readonly<Record<string, string | undefined>>, deps: AuditCommandDeps): Promise<number> {
  const keys = (opts.key ?? []).map(readKeyArgument);
  const checks = { allowPartial: opts.partial === true, ...(opts.pin === undefined ? {} : { pin: readPin(opts.pin) }) };
  let result: VerifyResult;
  if (args.length > 1) throw new CliError("COUNTERSIGN_CLI_USAGE", "audit verify takes one trail file");
  const file = args[0];
  if (file !== undefined) {
    if (opts.redis !== undefined || opts.archive !== undefined) throw new CliError("COUNTERSIGN_CLI_USAGE", "audit verify takes a trail file, or --redis and/or --archive, not both");
    result = await verifyTrailLines(await trailLines(file, io), { keys, ...checks });
  } else if (opts.archive !== undefined && opts.redis === undefined && env["REDIS_URL"] === undefined) {
    // The archive alone: every sealed segment, as one chain from seq 1.
    const archived = await verifyArchivedTrail(new DirectoryArchiveStore(opts.archive), null, { keys, ...checks });
    if (archived.ok) io.err(`archive ${opts.archive}: ${archived.segments} segments`);
    result = archived;
  } else {
    if (opts.redis === undefined && env["REDIS_URL"] === undefined) {
      throw new CliError("COUNTERSIGN_CLI_USAGE", "audit verify needs a trail file (or -) or --redis URL");
    }
    result = await withStore(opts, env, deps, async (store) => {
      let trusted = keys;
      if (trusted.length === 0) {
        const stored = await store.readSigningKey();
        if (stored !== null) trusted = [loadVerificationKey(stored)];
      }
      if (opts.archive !== undefined) {
        const archived = await verifyArchivedTrail(new DirectoryArchiveStore(opts.archive), store, { keys: trusted, ...checks });
        if (archived.ok) io.err(`archive ${opts.archive}: ${archived.segments} segments, then the stream ${store.keys.stream}`);
        return archived;
      }
      const state = await store.archiveState();
      if (state.seq > 0 && opts.partial !== true) {
        throw new CliError(
          "COUNTERSIGN_CLI_USAGE",
          `seqs 1..${state.seq} of ${store.keys.stream} are archived in ${state.segments} segments and trimmed from Redis: pass --archive DIR to verify the whole history (or --partial to check the stream alone, its start taken on trust)`,
        );
      }
      return verifyStoredTrail(store, { keys: trusted, ...checks });
    });
  }
  io.out(formatVerifyResult(result));
  if (result.ok && !result.keyPinned && result.entries > 0) {
    io.err(`note: checked against the public key the trail carries (${result.kid ?? "?"}); pass --key to pin the deployment's audit key`);
  }
  return result.ok ? 0 : 1;
}

async function runHead(store: RedisAuditStore, io: CliIo): Promise<number> {
  const head = await store.readHead();
  if (head === null) {
    io.err("the trail is empty: nothing to pin yet");
    return 1;
  }
  io.out(JSON.stringify(head));
  return 0;
}

async function runKey(store: RedisAuditStore, io: CliIo): Promise<number> {
  const stored = await store.readSigningKey();
  if (stored === null) {
    io.err("no generated audit signing key in Redis: the deployment configures its own (audit.signing_key_file); derive the public key from it");
    return 1;
  }
  const key = loadVerificationKey(stored);
  io.out(publicKeyPem(key).trimEnd());
  io.out(`kid: ${key.kid}`);
  io.out(`x: ${key.x}`);
  return 0;
}

function runDigest(args: readonly string[], opts: AuditCommandOptions, io: CliIo, env: Readonly<Record<string, string | undefined>>): number {
  if (args.length !== 1) throw new CliError("COUNTERSIGN_CLI_USAGE", `audit digest takes one JSON value, e.g. '"hunter2"' or '{"a":1}'`);
  let value: unknown;
  try {
    value = JSON.parse(args[0] as string);
  } catch {
    throw new CliError("COUNTERSIGN_CLI_USAGE", `the value must be JSON: a string is written with its quotes, e.g. '"hunter2"'`);
  }
  let salt: string | undefined;
  if (opts.saltFile !== undefined) {
    try {
      salt = readFileSync(opts.saltFile, "utf8").replace(/\r?\n$/, "");
    } catch (err) {
      throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `cannot read ${opts.saltFile}: ${(err as Error).message}`);
    }
  } else {
    salt = env["COUNTERSIGN_AUDIT_MASK_SALT"];
  }
  if (salt === undefined) throw new CliError("COUNTERSIGN_CLI_USAGE", "audit digest needs the mask salt: --salt-file or COUNTERSIGN_AUDIT_MASK_SALT");
  io.out(JSON.stringify(maskedMarker(value, Buffer.from(salt, "utf8"))));
  return 0;
}

/** Opens a connection and a store for the duration of `fn`. */
async function withStore<T>(
  opts: AuditCommandOptions,
  env: Readonly<Record<string, string | undefined>>,
  deps: AuditCommandDeps,
  fn: (store: RedisAuditStore) => Promise<T>,
): Promise<T> {
  const url = opts.redis ?? env["REDIS_URL"];
  if (url === undefined) throw new CliError("COUNTERSIGN_CLI_USAGE", "no Redis: pass --redis URL or set REDIS_URL");
  const redis = (deps.connect ?? openRedis)(url);
  // A refused connection is reported through the command that fails; the event itself is not an error here.
  redis.on("error", () => undefined);
  try {
    return await fn(new RedisAuditStore(redis, opts.stream ?? DEFAULT_AUDIT_STREAM));
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

/** A --from/--to value: a seq or an RFC 3339 time. */
function bound(name: "from" | "to", text: string | undefined): ExportRange {
  if (text === undefined) return {};
  if (/^[0-9]+$/.test(text)) {
    const seq = Number(text);
    if (!Number.isSafeInteger(seq) || seq < 1) throw new CliError("COUNTERSIGN_CLI_USAGE", `--${name} must be a seq from 1 or an RFC 3339 time`);
    return name === "from" ? { fromSeq: seq } : { toSeq: seq };
  }
  const ns = parseTimestamp(text);
  if (ns === null) throw new CliError("COUNTERSIGN_CLI_USAGE", `--${name} must be a seq or an RFC 3339 time (2026-11-21T12:00:00Z), got '${text}'`);
  return name === "from" ? { fromTime: ns } : { toTime: ns };
}

/** A --pin value: `SEQ:HASH`, or a file holding a head as JSON (`audit head`, or an export's head line). */
function readPin(arg: string): ChainHead {
  const inline = /^([0-9]+):([0-9a-f]{64})$/.exec(arg);
  if (inline !== null) return { seq: Number(inline[1]), hash: inline[2] as string };
  if (!existsSync(arg)) throw new CliError("COUNTERSIGN_CLI_USAGE", `--pin must be SEQ:HASH (64 hex digits) or a file holding a head, got '${arg}'`);
  let value: unknown;
  try {
    value = JSON.parse(readTextFile(arg).trim().split("\n").pop() ?? "");
  } catch {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `${arg} does not hold a head as JSON (from \`audit head\` or an export's last line)`);
  }
  const line = asHeadLine(value);
  const head = (line?.head ?? value) as { seq?: unknown; hash?: unknown };
  if (!Number.isSafeInteger(head.seq) || (head.seq as number) < 0 || !isHashText(head.hash)) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `${arg} does not hold a head: want {"seq": N, "hash": "<64 hex digits>"}`);
  }
  return { seq: head.seq as number, hash: head.hash };
}

function readTextFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `cannot read ${file}: ${(err as Error).message}`);
  }
}

/** A --key value: a file with a key, or the key text itself. */
function readKeyArgument(arg: string): AuditVerificationKey {
  const text = existsSync(arg) ? readFileSync(arg, "utf8") : arg;
  return loadVerificationKey(text);
}

/** The lines of a trail file (streamed), or of standard input for `-`. */
async function trailLines(file: string, io: CliIo): Promise<AsyncIterable<string> | Iterable<string>> {
  if (file === "-") {
    // Streamed a line at a time: a trail of any size verifies in bounded memory.
    if (io.stdinStream !== undefined) return readline.createInterface({ input: io.stdinStream(), crlfDelay: Infinity });
    return (await io.readStdin()).split("\n");
  }
  try {
    await fs.access(file);
  } catch (err) {
    throw new AuditError("COUNTERSIGN_AUDIT_UNREADABLE", `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  return readline.createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
}
