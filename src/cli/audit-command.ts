/**
 * `countersign audit`: export the trail, verify an export or the live trail, print the public key that
 * verifies it, and compute the masked digest of a value an auditor holds.
 *
 * - `audit export [--from X] [--to Y] [--archive A] [--redis URL] [--stream NAME] [--signing-key F]`: JSON lines
 *   on stdout, entries in order then the signed head line. X and Y are seqs (`1200`) or RFC 3339 times. The
 *   export's range is signed with the audit key when the exporter holds it (the key generated in Redis, or F).
 *   With A (the archive: a directory, or `s3://bucket/prefix`), the range may reach into sealed segments: the
 *   export reads the archive, then the stream, as one trail. Without A, a range reaching before the stream's
 *   first entry on a trimmed trail is refused with the way forward.
 * - S3 archives: `--s3-endpoint URL` (S3-compatible servers), `--s3-region R` (default AWS_REGION, else
 *   us-east-1), `--s3-path-style`; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 *   AWS_SESSION_TOKEN or the AWS SDK's other sources.
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
 * - `audit view <digest | approval-id> [trail.jsonl | -]` or `… [--redis URL] [--archive A]`: prints back
 *   what each matching verdict's reviewer was shown (the view the trail keeps) and checks that it hashes to
 *   the recorded digest; exit code 1 when none is found or one does not match (see `audit-view.ts`).
 *
 * Operational failures (Redis unreachable, unreadable file, bad key) print `error: … [CODE]` and exit 1.
 */

import { createReadStream, existsSync, promises as fs, readFileSync } from "node:fs";
import * as readline from "node:readline";
import type Redis from "ioredis";
import type { AuditReader } from "../audit/audit-reader";
import { AuditError } from "../audit/audit-error";
import { parseTimestamp } from "../audit/audit-time";
import { exportTrail, type ExportRange } from "../audit/export";
import { maskedMarker } from "../audit/masking";
import { DEFAULT_AUDIT_STREAM, RedisAuditStore } from "../audit/redis-audit-store";
import { isHashText, type ChainHead } from "../audit/chain";
import { loadSigningKey, loadVerificationKey, publicKeyPem, type AuditVerificationKey } from "../audit/signing-key";
import { asHeadLine } from "../audit/trail-head-line";
import { formatVerifyResult, verifyStoredTrail, verifyTrailLines, type VerifyResult } from "../audit/verify";
import type { AuditArchiveStore } from "../audit/archive-store";
import { ArchiveTrailReader } from "../audit/archive-reader";
import { formatArchiveVerifyResult, verifyArchivedTrail, type ArchiveVerifyResult } from "../audit/archive-verify";
import { openArchiveStore } from "../audit/open-archive-store";
import { parseS3Url } from "../audit/s3-archive-store";
import { streamIdOf } from "../audit/stream-id";
import { systemClock, type Clock } from "../policy/clock";
import { openRedis } from "../redis/redis-connection";
import { CliError } from "./cli-error";
import type { CliIo } from "./cli-io";
import { AUDIT_SUBCOMMANDS } from "./audit-subcommands";
import { lineEntries, printShownViews, readerEntries, viewOutcome, type ViewSummary } from "./audit-view";

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
  /** verify, export: the archive of sealed segments (a directory or `s3://bucket/prefix`); read first, then the Redis stream (with --redis). */
  readonly archive?: string;
  /** An S3-compatible server's URL, for an `s3://` archive. */
  readonly s3Endpoint?: string;
  /** The S3 region (default AWS_REGION, else us-east-1). */
  readonly s3Region?: string;
  /** Path-style S3 URLs (most self-hosted servers). */
  readonly s3PathStyle?: boolean;
}

/** What the command takes from its surroundings (the environment, the clock, the Redis connection). */
export interface AuditCommandDeps {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  readonly connect?: (url: string) => Redis;
}

/** Runs one `audit` subcommand; resolves to the exit code (0 ok, 1 a problem was found or reported). */
export async function runAuditCommand(
  subcommand: string,
  args: readonly string[],
  opts: AuditCommandOptions,
  io: CliIo,
  deps: AuditCommandDeps = {},
): Promise<number> {
  const env = deps.env ?? process.env;
  try {
    switch (subcommand) {
      case "export":
        if (opts.archive !== undefined && opts.redis === undefined && env["REDIS_URL"] === undefined) {
          return await withArchive(opts, env, (archive) =>
            runExport(new ArchiveTrailReader(archive, null), null, opts, io, deps.clock ?? systemClock),
          );
        }
        return await withStore(opts, env, deps, (store) =>
          opts.archive === undefined
            ? runExport(store, store, opts, io, deps.clock ?? systemClock)
            : withArchive(opts, env, (archive) =>
                runExport(new ArchiveTrailReader(archive, store), store, opts, io, deps.clock ?? systemClock),
              ),
        );
      case "verify":
        return await runVerify(args, opts, io, env, deps);
      case "head":
        return await withStore(opts, env, deps, (store) => runHead(store, io));
      case "key":
        return await withStore(opts, env, deps, (store) => runKey(store, io));
      case "digest":
        return runDigest(args, opts, io, env);
      case "view":
        return await runView(args, opts, io, env, deps);
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

/** Exports from `reader`: the stream (`store`), the archive then the stream, or the archive alone (`store` null). */
async function runExport(
  reader: AuditReader,
  store: RedisAuditStore | null,
  opts: AuditCommandOptions,
  io: CliIo,
  clock: Clock,
): Promise<number> {
  const range: ExportRange = { ...bound("from", opts.from), ...bound("to", opts.to) };
  if (store !== null && opts.archive === undefined) await refuseArchivedRange(store, range);
  const stored = store === null ? null : await store.readSigningKey();
  const signingKey =
    opts.signingKey !== undefined ? loadSigningKey(readTextFile(opts.signingKey)) : stored === null ? undefined : loadSigningKey(stored);
  const publicKey = signingKey?.verification;
  const summary = await exportTrail(reader, (line) => io.out(line), {
    ...range,
    clock,
    ...(publicKey === undefined ? {} : { publicKey }),
    ...(signingKey === undefined ? {} : { signingKey }),
  });
  if (summary.entries === 0) io.err("audit export: no entries in range");
  else {
    const signed = signingKey !== undefined && summary.head?.kid === signingKey.verification.kid;
    const partial = summary.partial
      ? signed
        ? " (partial, and its range is signed so)"
        : " (partial: verify it with --partial, its start is not signed)"
      : "";
    io.err(`audit export: ${summary.entries} entries, seq ${summary.fromSeq}..${summary.toSeq}${partial}`);
  }
  return 0;
}

async function runVerify(
  args: readonly string[],
  opts: AuditCommandOptions,
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
  deps: AuditCommandDeps,
): Promise<number> {
  const keys = (opts.key ?? []).map(readKeyArgument);
  const checks = { allowPartial: opts.partial === true, ...(opts.pin === undefined ? {} : { pin: readPin(opts.pin) }) };
  let result: VerifyResult;
  if (args.length > 1) throw new CliError("COUNTERSIGN_CLI_USAGE", "audit verify takes one trail file");
  const file = args[0];
  if (file !== undefined) {
    if (opts.redis !== undefined || opts.archive !== undefined)
      throw new CliError("COUNTERSIGN_CLI_USAGE", "audit verify takes a trail file, or --redis and/or --archive, not both");
    result = await verifyTrailLines(await trailLines(file, io), { keys, ...checks });
  } else if (opts.archive !== undefined && opts.redis === undefined && env["REDIS_URL"] === undefined) {
    // The archive alone: every sealed segment, as one chain from seq 1 (or from its retention base).
    const archived = await withArchive(opts, env, (archive) => verifyArchivedTrail(archive, null, { keys, ...checks }));
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
        const archived = await withArchive(opts, env, (archive) => verifyArchivedTrail(archive, store, { keys: trusted, ...checks }));
        if (archived.ok) io.err(`archive ${opts.archive}: ${archived.segments} segments, then the stream ${store.keys.stream}`);
        return archived;
      }
      const state = await store.archiveState();
      if (state.seq > 0 && opts.partial !== true) {
        throw new CliError(
          "COUNTERSIGN_CLI_USAGE",
          `seqs 1..${state.seq} of ${store.keys.stream} are archived in ${state.segments} segments and trimmed from Redis: pass --archive DIR (or s3://bucket/prefix) to verify the whole history (or --partial to check the stream alone, its start taken on trust)`,
        );
      }
      return verifyStoredTrail(store, { keys: trusted, ...checks });
    });
  }
  io.out("segments" in result ? formatArchiveVerifyResult(result as ArchiveVerifyResult) : formatVerifyResult(result));
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
    io.err(
      "no generated audit signing key in Redis: the deployment configures its own (audit.signing_key_file); derive the public key from it",
    );
    return 1;
  }
  const key = loadVerificationKey(stored);
  io.out(publicKeyPem(key).trimEnd());
  io.out(`kid: ${key.kid}`);
  io.out(`x: ${key.x}`);
  return 0;
}

async function runView(
  args: readonly string[],
  opts: AuditCommandOptions,
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
  deps: AuditCommandDeps,
): Promise<number> {
  const [key, file, ...rest] = args;
  if (key === undefined || key === "" || rest.length > 0) {
    throw new CliError(
      "COUNTERSIGN_CLI_USAGE",
      "audit view takes a view digest (64 hex digits) or an approval id, then optionally a trail file (- for standard input)",
    );
  }
  let summary: ViewSummary;
  if (file !== undefined) {
    if (opts.redis !== undefined || opts.archive !== undefined)
      throw new CliError("COUNTERSIGN_CLI_USAGE", "audit view reads a trail file, or --redis and/or --archive, not both");
    summary = await printShownViews(key, lineEntries(await trailLines(file, io)), io);
  } else if (opts.archive !== undefined && opts.redis === undefined && env["REDIS_URL"] === undefined) {
    summary = await withArchive(opts, env, (archive) => printShownViews(key, readerEntries(new ArchiveTrailReader(archive, null)), io));
  } else {
    if (opts.redis === undefined && env["REDIS_URL"] === undefined)
      throw new CliError("COUNTERSIGN_CLI_USAGE", "audit view needs a trail file (or -), --redis URL or --archive");
    summary = await withStore(opts, env, deps, (store) =>
      opts.archive === undefined
        ? printShownViews(key, readerEntries(store), io)
        : withArchive(opts, env, (archive) => printShownViews(key, readerEntries(new ArchiveTrailReader(archive, store)), io)),
    );
  }
  const outcome = viewOutcome(key, summary);
  io.err(outcome.line);
  return outcome.code;
}

function runDigest(
  args: readonly string[],
  opts: AuditCommandOptions,
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
): number {
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
  if (salt === undefined)
    throw new CliError("COUNTERSIGN_CLI_USAGE", "audit digest needs the mask salt: --salt-file or COUNTERSIGN_AUDIT_MASK_SALT");
  io.out(JSON.stringify(maskedMarker(value, Buffer.from(salt, "utf8"))));
  return 0;
}

/** The archive `--archive` names (a directory, or `s3://bucket/prefix` with the --s3-* options), for the duration of `fn`. */
export async function withArchive<T>(
  opts: AuditCommandOptions,
  env: Readonly<Record<string, string | undefined>>,
  fn: (archive: AuditArchiveStore) => Promise<T>,
): Promise<T> {
  const arg = opts.archive as string;
  let store: ReturnType<typeof openArchiveStore>;
  if (arg.startsWith("s3://")) {
    const where = parseS3Url(arg);
    if (where === null) throw new CliError("COUNTERSIGN_CLI_USAGE", `--archive ${arg}: want s3://bucket/prefix (a valid bucket name)`);
    if (opts.s3Endpoint !== undefined && !/^https?:\/\//.test(opts.s3Endpoint))
      throw new CliError("COUNTERSIGN_CLI_USAGE", "--s3-endpoint must be an http(s) URL");
    store = openArchiveStore(
      {
        kind: "s3",
        ...where,
        region: opts.s3Region ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1",
        ...(opts.s3Endpoint === undefined ? {} : { endpoint: opts.s3Endpoint }),
        forcePathStyle: opts.s3PathStyle === true,
        conditionalWrites: "auto",
      },
      env,
    );
  } else {
    if (opts.s3Endpoint !== undefined || opts.s3PathStyle === true || opts.s3Region !== undefined)
      throw new CliError("COUNTERSIGN_CLI_USAGE", "the --s3-* options go with --archive s3://bucket/prefix");
    if (!existsSync(arg)) throw new CliError("COUNTERSIGN_CLI_BAD_INPUT", `--archive ${arg}: no such directory`);
    store = openArchiveStore({ kind: "dir", dir: arg }, env);
  }
  try {
    return await fn(store);
  } catch (err) {
    if (err instanceof CliError || err instanceof AuditError) throw err;
    throw new AuditError("COUNTERSIGN_AUDIT_UNREADABLE", `cannot read the archive ${store.location}: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    store.close?.();
  }
}

/** On a trimmed trail, a range starting before the stream's first entry needs the archive: refused, with the way forward. */
export async function refuseArchivedRange(store: RedisAuditStore, range: ExportRange): Promise<void> {
  const state = await store.archiveState();
  if (state.seq === 0) return;
  let before = (range.fromSeq ?? 1) <= state.seq;
  if (range.fromTime !== undefined) {
    const [first] = await store.readAscending(streamIdOf(state.seq), 1);
    const ts = first === undefined ? null : (JSON.parse(first.line) as { timestamp?: unknown }).timestamp;
    const firstNs = typeof ts === "string" ? parseTimestamp(ts) : null;
    before = firstNs === null || range.fromTime < firstNs;
  }
  if (before) {
    throw new CliError(
      "COUNTERSIGN_CLI_USAGE",
      `seqs 1..${state.seq} of ${store.keys.stream} are archived in ${state.segments} segments and trimmed from Redis, and the range starts before the stream's first entry (seq ${state.seq + 1}): pass --archive DIR (or s3://bucket/prefix) to export across the archive and the stream`,
    );
  }
}

/** Opens a connection and a store for the duration of `fn`. */
export async function withStore<T>(
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
export function bound(name: "from" | "to", text: string | undefined): ExportRange {
  if (text === undefined) return {};
  if (/^[0-9]+$/.test(text)) {
    const seq = Number(text);
    if (!Number.isSafeInteger(seq) || seq < 1)
      throw new CliError("COUNTERSIGN_CLI_USAGE", `--${name} must be a seq from 1 or an RFC 3339 time`);
    return name === "from" ? { fromSeq: seq } : { toSeq: seq };
  }
  const ns = parseTimestamp(text);
  if (ns === null)
    throw new CliError("COUNTERSIGN_CLI_USAGE", `--${name} must be a seq or an RFC 3339 time (2026-11-21T12:00:00Z), got '${text}'`);
  return name === "from" ? { fromTime: ns } : { toTime: ns };
}

/** A --pin value: `SEQ:HASH`, or a file holding a head as JSON (`audit head`, or an export's head line). */
function readPin(arg: string): ChainHead {
  const inline = /^([0-9]+):([0-9a-f]{64})$/.exec(arg);
  if (inline !== null) return { seq: Number(inline[1]), hash: inline[2] as string };
  if (!existsSync(arg))
    throw new CliError("COUNTERSIGN_CLI_USAGE", `--pin must be SEQ:HASH (64 hex digits) or a file holding a head, got '${arg}'`);
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
    throw new AuditError(
      "COUNTERSIGN_AUDIT_UNREADABLE",
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`,
    );
  }
  return readline.createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
}
