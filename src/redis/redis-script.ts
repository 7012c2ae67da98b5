/**
 * A Lua script run by its SHA-1 (EVALSHA), loaded on first use: one round trip per call in the steady state.
 *
 * ioredis's `defineCommand` does the same but adds untyped methods to the client; this keeps scripts as
 * plain typed values that several stores and several connections can share.
 */

import { createHash } from "node:crypto";
import type Redis from "ioredis";

/** The reply of a Lua script as ioredis returns it (strings, integers, nested arrays, null). */
export type ScriptReply = string | number | null | ScriptReply[];

/** A named Lua script with its SHA-1. */
export class RedisScript {
  /** The SHA-1 Redis knows the script by. */
  readonly sha: string;

  constructor(
    /** A short name for errors and logs. */
    readonly name: string,
    /** The Lua source. */
    readonly lua: string,
  ) {
    this.sha = createHash("sha1").update(lua).digest("hex");
  }

  /** Runs the script with EVALSHA, falling back to EVAL (which also caches it) when Redis does not know it. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<ScriptReply> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as ScriptReply;
    } catch (err) {
      if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
        return (await redis.eval(this.lua, keys.length, ...keys, ...args)) as ScriptReply;
      }
      throw err;
    }
  }
}
