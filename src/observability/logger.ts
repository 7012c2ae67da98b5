/**
 * The service's structured logger: winston writing one JSON object per line, with a timestamp.
 *
 * Request bodies are never logged at info level; where a request must be shown (debug), it is masked first
 * with `maskDocument` (`masking.ts`, which also masks secret-named members).
 */

import type { Writable } from "node:stream";
import * as winston from "winston";
import type { LogLevel } from "./log-level";
import { BatchedLineTransport } from "./batched-line-transport";

/** The logger type the service passes around. */
export type Logger = winston.Logger;

/** Where to log and how much. */
export interface LoggerOptions {
  readonly level: LogLevel;
  /** Each line is written to it as it is logged; the default is standard output, a turn's lines at a time. */
  readonly stream?: Writable;
  /** Log nothing. */
  readonly silent?: boolean;
}

const MESSAGE = Symbol.for("message");
const safeJson = winston.format.json();

/**
 * winston's json format, but through the native JSON.stringify (several times faster than the
 * safe-stable-stringify winston uses, and a decision writes a line on every request); a line it cannot
 * serialise (a cycle, a BigInt) falls back to winston's own.
 */
const fastJson = winston.format((info) => {
  try {
    (info as unknown as Record<symbol, string>)[MESSAGE] = JSON.stringify(info);
    return info;
  } catch {
    return safeJson.transform(info, safeJson.options);
  }
});

/** A JSON-lines logger. */
export function createLogger(opts: LoggerOptions): Logger {
  return winston.createLogger({
    level: opts.level,
    silent: opts.silent === true,
    format: winston.format.combine(winston.format.timestamp(), fastJson()),
    defaultMeta: { service: "countersign" },
    transports: [
      opts.stream === undefined ? new BatchedLineTransport(process.stdout) : new winston.transports.Stream({ stream: opts.stream }),
    ],
  });
}
