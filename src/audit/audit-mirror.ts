/**
 * The file mirror: every stored entry, as the same canonical JSON line the trail holds, appended to a
 * JSON-lines file through a winston file transport, for log shippers (Fluent Bit, Vector, Filebeat) to tail.
 *
 * The mirror is a copy, never the record: it is written after the append succeeded, asynchronously, and a
 * mirror that cannot write (missing directory, full disk, permissions) only reports through `onError`. It
 * never delays, fails or changes a `record()`. Entries are already masked when they get here.
 */

import * as winston from "winston";

/** Where stored entries are copied to. */
export interface AuditMirror {
  /** Queues one stored entry line; never throws. */
  write(line: string): void;
  /** Flushes and closes; resolves even when the mirror had failed. */
  close(): Promise<void>;
}

/** Options of the file mirror. */
export interface FileAuditMirrorOptions {
  /** The JSON-lines file; its directory is created when missing. */
  readonly filename: string;
  /** Told about write failures (they change nothing else). */
  readonly onError?: (err: Error) => void;
  /** Rotate after this many bytes (winston's `maxsize`); no rotation when absent. */
  readonly maxSizeBytes?: number;
  /** Keep at most this many rotated files (winston's `maxFiles`). */
  readonly maxFiles?: number;
}

/** A mirror that writes each entry line as is, one per line. */
export function createFileAuditMirror(opts: FileAuditMirrorOptions): AuditMirror {
  const report = (err: unknown): void => {
    try {
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // a failing error handler must not break the mirror's promise either
    }
  };
  let transport: winston.transport;
  let logger: winston.Logger;
  try {
    transport = new winston.transports.File({
      filename: opts.filename,
      format: winston.format.printf((info) => String(info["line"])),
      ...(opts.maxSizeBytes === undefined ? {} : { maxsize: opts.maxSizeBytes }),
      ...(opts.maxFiles === undefined ? {} : { maxFiles: opts.maxFiles }),
    });
    // The line is already the entry's canonical JSON: the logger passes it through untouched (winston's
    // default format would serialise every entry once more, only for the transport's printf to drop it).
    logger = winston.createLogger({ level: "info", format: winston.format((info) => info)(), transports: [transport], exitOnError: false });
  } catch (err) {
    report(err);
    return { write: () => undefined, close: async () => undefined };
  }
  let failed = false;
  const onError = (err: unknown): void => {
    failed = true;
    report(err);
  };
  transport.on("error", onError);
  logger.on("error", onError);
  let closed = false;
  return {
    write(line: string): void {
      if (closed || failed) return;
      try {
        logger.log({ level: "info", message: "", line });
      } catch (err) {
        onError(err);
      }
    },
    close(): Promise<void> {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          resolve();
        };
        // A transport that failed may never finish; closing must not hang the process.
        const timer = setTimeout(done, 2_000);
        transport.once("finish", done);
        transport.once("error", done);
        logger.end();
      });
    },
  };
}
