/**
 * The service's structured logger: winston writing one JSON object per line, with a timestamp.
 *
 * Request bodies are never logged at info level; where a request must be shown (debug), it is masked first
 * with `maskDocument`.
 */

import type { Writable } from "node:stream";
import * as winston from "winston";
import type { LogLevel } from "../config/service-config";

/** The logger type the service passes around. */
export type Logger = winston.Logger;

/** Where to log and how much. */
export interface LoggerOptions {
  readonly level: LogLevel;
  /** Defaults to standard output. */
  readonly stream?: Writable;
  /** Log nothing (benchmarks, some tests). */
  readonly silent?: boolean;
}

/** A JSON-lines logger. */
export function createLogger(opts: LoggerOptions): Logger {
  return winston.createLogger({
    level: opts.level,
    silent: opts.silent === true,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: "countersign" },
    transports: [
      opts.stream === undefined ? new winston.transports.Console() : new winston.transports.Stream({ stream: opts.stream }),
    ],
  });
}
