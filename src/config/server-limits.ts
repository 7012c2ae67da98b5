/** The defaults of the HTTP server's request limits: the config loader fills them in, and the HTTP app falls back on them. */

/** The default of `server.body_timeout_ms`. */
export const DEFAULT_BODY_TIMEOUT_MS = 5000;

/** The default of `server.max_json_depth`. */
export const DEFAULT_MAX_JSON_DEPTH = 64;
