/** The names of `countersign audit`'s subcommands, apart from their implementation so `--help` loads none of it. */

/** Each `countersign audit <subcommand>`. */
export const AUDIT_SUBCOMMANDS = ["export", "verify", "head", "key", "digest", "view"] as const;
