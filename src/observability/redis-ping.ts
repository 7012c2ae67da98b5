/**
 * A readiness check that Redis answers: a fresh connection, AUTH when the URL carries credentials, PING,
 * expecting PONG, within a time limit.
 *
 * Speaks the few RESP lines it needs itself, so `/readyz` is honest about a configured Redis before the
 * approval workflow brings a Redis client; that workflow can swap in its client's own ping.
 */

import * as net from "node:net";
import * as tls from "node:tls";
import type { CheckResult, ReadinessCheck } from "./readiness";

const command = (...args: string[]): string =>
  `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("");

/** A check named `redis` that pings the server at `url` (`redis://` or `rediss://`). */
export function redisPingCheck(url: string, timeoutMs = 1000): ReadinessCheck {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, "") || "127.0.0.1";
  const port = u.port === "" ? 6379 : Number(u.port);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const where = `${host}:${port}`;
  return {
    name: "redis",
    check: () =>
      new Promise<CheckResult>((resolve) => {
        const socket = u.protocol === "rediss:" ? tls.connect({ host, port, servername: host }) : net.connect({ host, port });
        let buffered = "";
        let expected = password === "" ? 1 : 2;
        const finish = (result: CheckResult): void => {
          clearTimeout(timer);
          socket.destroy();
          resolve(result);
        };
        const timer = setTimeout(() => finish({ ok: false, detail: `no answer from ${where} within ${timeoutMs} ms` }), timeoutMs);
        socket.once(u.protocol === "rediss:" ? "secureConnect" : "connect", () => {
          const auth = password === "" ? "" : user === "" ? command("AUTH", password) : command("AUTH", user, password);
          socket.write(auth + command("PING"));
        });
        socket.on("data", (chunk: Buffer) => {
          buffered += chunk.toString("latin1");
          let nl: number;
          while ((nl = buffered.indexOf("\r\n")) >= 0) {
            const line = buffered.slice(0, nl);
            buffered = buffered.slice(nl + 2);
            if (line.startsWith("-")) return finish({ ok: false, detail: `${where} answered ${line.slice(1)}` });
            expected -= 1;
            if (expected === 0) {
              return finish(line === "+PONG" ? { ok: true, detail: `${where} answers PING` } : { ok: false, detail: `${where} answered ${line}` });
            }
          }
        });
        socket.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, detail: `cannot reach ${where}: ${err.code ?? err.message}` }));
      }),
  };
}
