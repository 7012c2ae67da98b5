/**
 * An audit sink target that writes entries to a syslog collector as RFC 5424 messages over TCP, framed by
 * octet counting (RFC 6587): `<110>1 <timestamp> <host> countersign - <event type> [countersign@32473
 * seq="<seq>"] <entry JSON>` (facility 13 "log audit", severity 6 "informational"). A batch counts as
 * delivered once the socket has accepted it; a broken connection fails the batch, and the next attempt
 * reconnects and sends it again.
 */

import { Socket, connect } from "node:net";
import * as os from "node:os";
import type { AuditSinkTarget, SinkEntry } from "./audit-sink";

/** Where the collector listens. */
export interface SyslogAuditSinkOptions {
  readonly host: string;
  readonly port: number;
  /** APP-NAME. Default `countersign`. */
  readonly appName?: string;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/** One entry as an RFC 5424 message, framed with its length. */
export function syslogFrame(entry: SinkEntry, appName: string, host: string = os.hostname()): string {
  let type = "-";
  let timestamp = new Date().toISOString();
  try {
    const parsed = JSON.parse(entry.line) as { type?: unknown; timestamp?: unknown };
    if (typeof parsed.type === "string" && /^[\x21-\x7e]{1,32}$/.test(parsed.type)) type = parsed.type;
    if (typeof parsed.timestamp === "string") timestamp = parsed.timestamp.replace(/\.(\d{6})\d*Z$/, ".$1Z");
  } catch {
    // sent as it is
  }
  const msg = `<110>1 ${timestamp} ${host || "-"} ${appName} - ${type} [countersign@32473 seq="${entry.seq}"] ${entry.line}`;
  return `${Buffer.byteLength(msg, "utf8")} ${msg}`;
}

/** The target. */
export function syslogAuditSink(opts: SyslogAuditSinkOptions): AuditSinkTarget {
  let socket: Socket | undefined;
  const open = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = connect({ host: opts.host, port: opts.port });
      s.setTimeout(opts.timeoutMs ?? 10_000, () => s.destroy(new Error(`syslog ${opts.host}:${opts.port}: timed out`)));
      s.once("connect", () => resolve(s));
      s.once("error", reject);
    });
  return {
    async deliver(batch: readonly SinkEntry[]): Promise<void> {
      if (socket === undefined || socket.destroyed) {
        socket = await open();
        socket.on("error", () => socket?.destroy());
      }
      const s = socket;
      const data = batch.map((e) => syslogFrame(e, opts.appName ?? "countersign")).join("");
      await new Promise<void>((resolve, reject) => {
        s.write(data, (err) => (err ? reject(err) : resolve()));
      }).catch((err: unknown) => {
        s.destroy();
        throw err;
      });
    },
    async close(): Promise<void> {
      socket?.end();
      socket = undefined;
    },
  };
}
