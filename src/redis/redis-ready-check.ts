/**
 * The readiness check of the Redis the approval workflow uses: a PING through the service's own ioredis
 * client (the connection decisions and verdicts go through), answered within a time limit.
 */

import type Redis from "ioredis";
import type { CheckResult, ReadinessCheck } from "../observability/readiness";

/** A check named `redis` that PINGs through `redis`; `where` names the server in the detail (no credentials). */
export function redisClientCheck(redis: Redis, where: string, timeoutMs = 1000): ReadinessCheck {
  return {
    name: "redis",
    check: async (): Promise<CheckResult> => {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, detail: `no answer from ${where} within ${timeoutMs} ms (${redis.status})` }),
          timeoutMs,
        );
      });
      const pinged = redis.ping().then(
        (reply): CheckResult =>
          reply === "PONG" ? { ok: true, detail: `${where} answers PING` } : { ok: false, detail: `${where} answered ${reply}` },
        (err: Error): CheckResult => ({ ok: false, detail: `cannot reach ${where}: ${err.message}` }),
      );
      try {
        return await Promise.race([pinged, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** `host:port` of a Redis URL, without credentials, for logs and readiness details. */
export function redisLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || "127.0.0.1"}:${u.port || "6379"}`;
  } catch {
    return "redis";
  }
}
