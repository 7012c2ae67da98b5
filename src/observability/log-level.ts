/** The log levels the service's logger knows (the config loader validates `logging.level` against them). */

/** Log levels, most severe first (winston's npm levels). */
export const LOG_LEVELS = ["error", "warn", "info", "http", "verbose", "debug", "silly"] as const;

/** One of LOG_LEVELS. */
export type LogLevel = (typeof LOG_LEVELS)[number];
