/**
 * The published development API keys (and callback secret) of the example configuration, which production
 * must never accept.
 *
 * Only their SHA-256 digests are compared; the clear keys are listed because they are public anyway (the
 * README documents them) and a test checks the example configuration uses exactly these.
 */

import { createHash } from "node:crypto";

/** The development keys, by the identity they belong to in the example configuration. */
export const DEVELOPMENT_API_KEYS: Readonly<Record<string, string>> = {
  "svc:ci": "dev-caller-key",
  "user:alice": "dev-alice-key",
  "user:bob": "dev-bob-key",
  "user:carol": "dev-carol-key",
  "user:dave": "dev-dave-key",
  "user:erin": "dev-erin-key",
};

/** Hex SHA-256 digests of the development keys. */
export const DEVELOPMENT_KEY_DIGESTS: ReadonlySet<string> = new Set(
  Object.values(DEVELOPMENT_API_KEYS).map((key) => createHash("sha256").update(key, "utf8").digest("hex")),
);

/** The example configuration's callback signing secret, published like the keys; refused in production. */
export const DEVELOPMENT_CALLBACK_SECRET = "dev-callback-secret-not-for-production";
