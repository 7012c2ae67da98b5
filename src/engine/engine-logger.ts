/**
 * The logger the engine and its policy sources write to, declared here so the service can hand in winston
 * (or anything with the same three methods) and tests can capture what was logged.
 */

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** What the engine needs from a logger. */
export interface EngineLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that drops everything. */
export const silentLogger: EngineLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
