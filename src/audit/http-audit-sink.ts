/**
 * An audit sink target that POSTs batches of entries as JSON lines (`application/x-ndjson`) to an HTTP
 * collector (Splunk HEC behind a relay, Elastic, Vector, any endpoint), signed so the collector can check
 * where they came from: `X-Countersign-Signature: sha256=<hex HMAC-SHA256(secret, body)>`, with
 * `X-Countersign-Seqs: <first>-<last>` so a collector can drop the repeats at-least-once delivery may bring.
 * Any answer but 2xx, or none within the timeout, fails the batch (it is sent again).
 */

import { createHmac } from "node:crypto";
import type { AuditSinkTarget, SinkEntry } from "./audit-sink";

/** How to reach the collector. */
export interface HttpAuditSinkOptions {
  readonly url: string;
  /** HMAC key of the signature header; no signature without one. */
  readonly secret?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
}

/** The target. */
export function httpAuditSink(opts: HttpAuditSinkOptions): AuditSinkTarget {
  return {
    async deliver(batch: readonly SinkEntry[]): Promise<void> {
      const body = batch.map((e) => e.line).join("\n") + "\n";
      const headers: Record<string, string> = {
        ...opts.headers,
        "content-type": "application/x-ndjson",
        "x-countersign-seqs": `${batch[0]!.seq}-${batch[batch.length - 1]!.seq}`,
      };
      if (opts.secret !== undefined)
        headers["x-countersign-signature"] = `sha256=${createHmac("sha256", opts.secret).update(body).digest("hex")}`;
      const res = await fetch(opts.url, { method: "POST", headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status > 299) throw new Error(`${opts.url} answered ${res.status}`);
    },
  };
}
