/**
 * The grant signing key the service starts with: the one configured (`approvals.grants`), else the one
 * generated once and shared through Redis, with what start-up says about each case.
 *
 * A configured key that cannot be read, or a shared key that cannot be loaded because Redis is down, stops
 * the start with a ServiceStartError; running production on the shared key is allowed, with a warning.
 */

import type Redis from "ioredis";
import type { ServiceMode } from "../config/service-config";
import type { Logger } from "../observability/logger";
import { ServiceStartError } from "../service/service-start-error";
import type { GrantKeyConfig } from "../config/approval-config";
import { configuredSigningKey, sharedSigningKey, type GrantSigningKey } from "./grant-signing-key";

/** Where the shared key lives and what to say about it. */
export interface GrantKeyContext {
  readonly redis: Redis;
  /** The Redis key of the shared grant signing key. */
  readonly redisKey: string;
  /** The Redis location, for the error when it cannot be read. */
  readonly where: string;
  readonly mode: ServiceMode;
  readonly logger: Logger;
}

/** The configured grant signing key, else the one generated once and shared through Redis. */
export async function grantSigningKeyAtStart(config: GrantKeyConfig, ctx: GrantKeyContext): Promise<GrantSigningKey> {
  let configured: GrantSigningKey | undefined;
  try {
    configured = await configuredSigningKey(config);
  } catch (err) {
    throw new ServiceStartError("COUNTERSIGN_GRANT_KEY_INVALID", (err as Error).message);
  }
  if (configured !== undefined) return configured;
  let shared: GrantSigningKey;
  try {
    shared = await sharedSigningKey(ctx.redis, ctx.redisKey);
  } catch (err) {
    throw new ServiceStartError(
      "COUNTERSIGN_REDIS_UNAVAILABLE",
      `cannot load the shared grant signing key from Redis at ${ctx.where}: ${(err as Error).message}; ` +
        "check REDIS_URL, or configure approvals.grants (a key of its own lets the service start while Redis is down)",
    );
  }
  if (ctx.mode === "production") {
    ctx.logger.warn(
      "no grant signing key configured (approvals.grants): grants are signed with a key generated once and kept in Redis in clear; " +
        "configure approvals.grants.private_key_file in production",
      { kid: shared.kid },
    );
  }
  return shared;
}
