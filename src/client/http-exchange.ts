/**
 * One HTTP exchange with the service over Node's own `http`/`https`, on a keep-alive agent the client keeps
 * for its whole life.
 *
 * Why not the global `fetch`: on a loopback call to `/v1/decide` Node 20's fetch (undici behind WHATWG
 * streams, `Headers`, `Response`, plus the `AbortSignal.timeout`/`AbortSignal.any` pair a deadline needs)
 * costs about 0.5 ms of CPU more than `http.request` on a kept-alive socket (measured: 0.62 ms against 0.07 ms
 * per call to a constant handler), which was a fifth of the MCP gateway's whole latency per tool call. A
 * `fetch` can still be injected (`CountersignOptions.fetch`) and is then used instead.
 *
 * A kept-alive socket the server closed while idle fails the next request at once (ECONNRESET or EPIPE
 * before any answer); that request never reached the service's handlers, so it is sent once more on a new
 * socket, as Node's documentation advises. Nothing else is retried.
 */

import * as http from "node:http";
import * as https from "node:https";

/** What one exchange sends. */
export interface ExchangeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** The caller's signal: aborting it ends the exchange with an AbortedExchange. */
  readonly signal?: AbortSignal;
  /** The whole exchange's deadline, in ms. */
  readonly timeoutMs: number;
}

/** What came back. */
export interface ExchangeResponse {
  readonly status: number;
  readonly text: string;
}

/** The caller's signal fired. */
export class AbortedExchange extends Error {}

/** Keep-alive agents for one client. */
export class HttpExchange {
  private readonly agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };

  /** Sends the request and reads the whole answer. */
  async send(request: ExchangeRequest): Promise<ExchangeResponse> {
    try {
      return await this.once(request);
    } catch (err) {
      if (err instanceof StaleSocket) return this.once(request);
      throw err;
    }
  }

  /** Closes the idle kept-alive sockets. */
  close(): void {
    this.agents["http:"].destroy();
    this.agents["https:"].destroy();
  }

  private once(request: ExchangeRequest): Promise<ExchangeResponse> {
    const { url, signal } = request;
    const secure = url.protocol === "https:";
    const send = secure ? https.request : http.request;
    return new Promise<ExchangeResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedExchange("aborted"));
      const headers: Record<string, string | number> = { ...request.headers };
      if (request.body !== undefined) headers["content-length"] = Buffer.byteLength(request.body);
      const req = send(url, { method: request.method, headers, agent: this.agents[secure ? "https:" : "http:"] });
      let settled = false;
      const finish = (err: Error | null, value?: ExchangeResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (err === null) resolve(value as ExchangeResponse);
        else {
          req.destroy();
          reject(err);
        }
      };
      const onAbort = (): void => finish(new AbortedExchange("aborted"));
      const timer = setTimeout(() => finish(new Error(`no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      req.on("error", (err: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE");
        finish(stale ? new StaleSocket(err.message) : err);
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (err) => finish(err));
        res.on("end", () => finish(null, { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      });
      req.end(request.body);
    });
  }
}

/** A kept-alive socket closed by the server before this request was answered. */
class StaleSocket extends Error {}
