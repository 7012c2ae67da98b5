/**
 * An embedded Redis for development and tests: the Debian `redis-server` binary run as a child process on
 * 127.0.0.1, with AOF persistence, started and stopped by us.
 *
 * `make run` uses it when no `REDIS_URL` is configured, so a new user gets durable approvals without
 * installing or configuring anything. Production points `REDIS_URL` at a real, supervised Redis instead
 * (AOF with `appendfsync everysec` or `always`, Sentinel for failover); see `src/redis/README.md`.
 */

import { spawn, type ChildProcess } from "node:child_process";
import { promises as fs } from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { CodedError } from "../errors/coded-error";

/** Where the embedded Redis keeps its data unless told otherwise (relative to the working directory). */
export const DEFAULT_EMBEDDED_REDIS_DIR = path.join(".countersign", "redis");

/** Options for `startEmbeddedRedis`. */
export interface EmbeddedRedisOptions {
  /** Data directory (AOF files, logs); created when missing. Default `.countersign/redis`. */
  readonly dir?: string;
  /** TCP port on 127.0.0.1; a free one is picked when absent or 0. */
  readonly port?: number;
  /** The redis-server binary. Default `/usr/bin/redis-server` when present, else `redis-server` on PATH. */
  readonly binary?: string;
  /** AOF persistence (`appendonly yes`, `appendfsync everysec`); default true. Tests may turn it off. */
  readonly appendOnly?: boolean;
  /** How long to wait for the server to answer. Default 10 s. */
  readonly startTimeoutMs?: number;
  /** Receives the server's own log lines (stdout/stderr); dropped when absent. */
  readonly onLog?: (line: string) => void;
}

/** A running embedded Redis. */
export interface EmbeddedRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** The child's process id. */
  readonly pid: number;
  /** Stops the server cleanly (SIGTERM: Redis flushes the AOF and exits); SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Why the embedded Redis could not start. */
export class EmbeddedRedisError extends CodedError<"COUNTERSIGN_REDIS_START_FAILED"> {
  constructor(
    message: string,
    /** True when the redis-server binary is not installed (retrying cannot help). */
    readonly missingBinary = false,
  ) {
    super("COUNTERSIGN_REDIS_START_FAILED", message);
  }
}

/**
 * Starts `redis-server` bound to 127.0.0.1 with AOF persistence in `dir`, waits until it answers (and is
 * the child we started, not another server on the port) and returns a handle to stop it. The child is also killed if this process exits without stopping it.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions = {}): Promise<EmbeddedRedis> {
  const dir = path.resolve(options.dir ?? DEFAULT_EMBEDDED_REDIS_DIR);
  await fs.mkdir(dir, { recursive: true });
  const binary = options.binary ?? (await defaultBinary());
  await refuseIfDirInUse(dir);
  const fixedPort = options.port !== undefined && options.port !== 0;
  // A port picked by us can be taken by someone else before redis-server binds it: try a few.
  const attempts = fixedPort ? 1 : 5;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const port = fixedPort ? (options.port as number) : await findFreePort();
    try {
      return await launch(binary, dir, port, options);
    } catch (err) {
      lastError = err;
      if (err instanceof EmbeddedRedisError && err.missingBinary) break;
    }
  }
  throw lastError instanceof Error ? lastError : new EmbeddedRedisError(String(lastError));
}

/** The pid file the embedded server writes into its data directory. */
const PID_FILE = "redis-server.pid";

/**
 * Refuses a data directory whose pid file names a running redis-server (another service, or the orphan of
 * one that was killed): two servers appending to one AOF would corrupt it.
 */
async function refuseIfDirInUse(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await fs.readFile(path.join(dir, PID_FILE), "utf8")).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return;
  const command = await fs.readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "redis-server");
  if (!command.includes("redis-server")) return;
  throw new EmbeddedRedisError(
    `another redis-server (pid ${pid}) is using ${dir}; stop it (kill ${pid}) or give this service its own redis.embedded_dir`,
  );
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function defaultBinary(): Promise<string> {
  try {
    await fs.access("/usr/bin/redis-server");
    return "/usr/bin/redis-server";
  } catch {
    return "redis-server";
  }
}

async function launch(binary: string, dir: string, port: number, options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const appendOnly = options.appendOnly ?? true;
  const args = [
    "--bind",
    "127.0.0.1",
    "--port",
    String(port),
    "--protected-mode",
    "yes",
    "--daemonize",
    "no",
    "--dir",
    dir,
    "--appendonly",
    appendOnly ? "yes" : "no",
    "--appendfsync",
    "everysec",
    // AOF is the durability story; RDB snapshots would only duplicate it.
    "--save",
    "",
    "--logfile",
    "",
    // Marks the data directory as in use, so a second server on the same AOF files is refused.
    "--pidfile",
    path.join(dir, PID_FILE),
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line.trim() === "") continue;
      if (output.length < 50) output.push(line);
      options.onLog?.(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  let spawnFailure: Error | undefined;
  const spawnError = new Promise<Error>((resolve) =>
    child.once("error", (err) => {
      spawnFailure = err;
      resolve(err);
    }),
  );
  // A spawn failure (no such binary) may be reported as an exit as well; the error says more.
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => setImmediate(() => resolve(code))));

  const killOnExit = (): void => {
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  let gaveUp = false;
  const ready = waitForServer(port, child.pid ?? -1, options.startTimeoutMs ?? 10_000, () => gaveUp || child.exitCode !== null);
  const first = await Promise.race([ready.then(() => "ready" as const), exited.then(() => "exited" as const), spawnError.then((e) => e)]);
  if (first !== "ready") {
    gaveUp = true;
    ready.catch(() => undefined);
    process.removeListener("exit", killOnExit);
    killOnExit();
    const failure = first instanceof Error ? first : spawnFailure;
    if (failure !== undefined && (failure as NodeJS.ErrnoException).code === "ENOENT") {
      throw new EmbeddedRedisError(
        `redis-server is not installed (no /usr/bin/redis-server, none on PATH as ${binary}): install it ` +
          "(Debian/Ubuntu: apt-get install redis-server) or set REDIS_URL to a Redis you run",
        true,
      );
    }
    const why = failure !== undefined ? failure.message : `redis-server exited: ${output.slice(-5).join(" | ")}`;
    throw new EmbeddedRedisError(`could not start ${binary} on 127.0.0.1:${port}: ${why}`);
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: child.pid ?? -1,
    stop: (timeoutMs = 10_000) => stopChild(child, exited, timeoutMs).finally(() => process.removeListener("exit", killOnExit)),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const result = await Promise.race([exited, timedOut]);
  clearTimeout(timer);
  if (result === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Resolves once the server on 127.0.0.1:port answers and is our child (its `INFO server` names `pid`), so a
 * different server already holding the port is never mistaken for ours; rejects after `timeoutMs`.
 */
async function waitForServer(port: number, pid: number, timeoutMs: number, stopped: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (stopped()) throw new EmbeddedRedisError(`redis-server (pid ${pid}) stopped before answering`);
    if (await answersAs(port, pid)) return;
    if (Date.now() > deadline)
      throw new EmbeddedRedisError(`redis-server (pid ${pid}) did not answer on port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True when 127.0.0.1:port answers `INFO server` (not `-LOADING`) with `process_id:<pid>`. */
function answersAs(port: number, pid: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (reply.startsWith("-")) return done(false);
      const m = /\r\nprocess_id:(\d+)\r\n/.exec(reply);
      if (m) done(Number(m[1]) === pid);
    });
  });
}
