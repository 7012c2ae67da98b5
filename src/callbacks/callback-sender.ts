/**
 * One callback delivery attempt over HTTP(S): a POST with the signed body, a timeout, no redirects, and the
 * connection pinned to addresses the URL policy accepts (checked again at connect time against DNS
 * rebinding).
 */

import * as http from "node:http";
import * as https from "node:https";
import type { LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import type { CallbackUrlPolicy } from "./callback-url-policy";

/** The result of one attempt: `ok` for a 2xx answer. */
export interface SendResult {
  readonly ok: boolean;
  /** The HTTP status, when one came back. */
  readonly status?: number;
  /** What went wrong, for logs and the failure event. */
  readonly detail?: string;
}

/** Sends one signed callback (injected so tests can replace the transport). */
export interface CallbackSender {
  send(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<SendResult>;
}

/** The real sender over node's http/https. */
export class HttpCallbackSender implements CallbackSender {
  constructor(
    private readonly policy: CallbackUrlPolicy,
    private readonly timeoutMs = 5000,
  ) {}

  async send(url: string, body: string, headers: Readonly<Record<string, string>>): Promise<SendResult> {
    let target;
    let addresses: readonly LookupAddress[];
    try {
      target = this.policy.target(url);
      addresses = await this.policy.addressesOf(target);
      this.policy.assertAddresses(
        target,
        addresses.map((a) => a.address),
      );
    } catch (err) {
      return { ok: false, detail: `refused: ${(err as Error).message}` };
    }
    // Connect only to the addresses just checked, whatever DNS says by the time the socket opens.
    const pinned = addresses;
    const lookup: LookupFunction = (_host, options, callback) => {
      const first = pinned[0] as LookupAddress;
      if ((options as { all?: boolean }).all) (callback as (e: null, a: LookupAddress[]) => void)(null, [...pinned]);
      else callback(null, first.address, first.family);
    };
    const client = target.url.protocol === "https:" ? https : http;
    return new Promise<SendResult>((resolve) => {
      const req = client.request(
        target.url,
        {
          method: "POST",
          headers: {
            ...headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body).toString(),
            "user-agent": "Countersign-Callback/1",
          },
          lookup,
          timeout: this.timeoutMs,
          agent: false,
        },
        (res) => {
          res.resume();
          const status = res.statusCode ?? 0;
          res.on("end", () =>
            resolve({ ok: status >= 200 && status < 300, status, ...(status >= 300 ? { detail: `HTTP ${status}` } : {}) }),
          );
          res.on("error", () => resolve({ ok: status >= 200 && status < 300, status }));
        },
      );
      req.on("timeout", () => req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)));
      req.on("error", (err) => resolve({ ok: false, detail: err.message }));
      req.end(body);
    });
  }
}
