/**
 * The MCP gateway, assembled: connects every upstream, then serves agents over stdio (one session, the
 * gateway being what the agent launched) or over Streamable HTTP (`listen`). It is a separate process that
 * talks to Countersign's HTTP API only (`/v1/decide`, the approval long-poll, cancel, whoami): it holds no
 * state of its own, so a restart loses nothing (pending requests live in Countersign's Redis), and a tool
 * server it spawns never shares a process with the service's keys.
 */

import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { Readable, Writable } from "node:stream";
import { Countersign } from "../client/countersign-client";
import type { GatewayConfig } from "./gateway-config";
import type { DecisionClient } from "./decision-client";
import { createGatewaySession } from "./gateway-session";
import { listenGateway } from "./http-listener";
import { Upstream } from "./upstream";
import { UpstreamSet } from "./upstream-set";

/** A running gateway. */
export interface RunningGateway {
  /** The Streamable HTTP endpoint when listening. */
  readonly url?: string;
  readonly port?: number;
  /** Resolves when the stdio agent has gone (stdin closed); never for a listener. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

/** Options of a start. */
export interface StartGatewayOptions {
  /** The agent's streams in stdio mode (default the process's). */
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /** What becomes of a stdio upstream's stderr (default inherited). */
  readonly upstreamStderr?: "inherit" | "ignore" | "pipe";
  /**
   * How the stdio session decides (default: the client SDK over HTTP to `config.countersign` with
   * `config.apiKey`); the in-process gateway passes the service's own decide use case here.
   */
  readonly decisions?: DecisionClient;
}

/** Connects the upstreams and serves; throws GatewayError when an upstream cannot be reached. */
export async function startGateway(config: GatewayConfig, opts: StartGatewayOptions = {}): Promise<RunningGateway> {
  const connected: Upstream[] = [];
  try {
    for (const spec of config.upstreams) {
      connected.push(
        await Upstream.connect(spec, config.callTimeoutMs, opts.upstreamStderr === undefined ? {} : { stderr: opts.upstreamStderr }),
      );
    }
  } catch (err) {
    await Promise.all(connected.map((u) => u.close()));
    throw err;
  }
  const upstreams = new UpstreamSet(connected);
  const pollSeconds = Math.max(1, Math.round(config.progressIntervalMs / 1000));

  if (config.listen !== undefined) {
    const listener = await listenGateway(config, upstreams, pollSeconds);
    return {
      url: listener.url,
      port: listener.port,
      done: new Promise<void>(() => undefined),
      close: async () => {
        await listener.close();
        await upstreams.close();
      },
    };
  }

  const client =
    opts.decisions === undefined ? new Countersign({ url: config.countersign, token: config.apiKey ?? "", pollSeconds }) : undefined;
  const countersign: DecisionClient = opts.decisions ?? (client as Countersign);
  const agent = { actor: config.actor, onBehalfOf: config.onBehalfOf };
  const server = createGatewaySession({
    upstreams,
    callerOf: () => ({ countersign, agent }),
    environment: config.environment,
    maxArgumentBytes: config.maxArgumentBytes,
  });
  const transport = new StdioServerTransport(opts.stdin, opts.stdout);
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  transport.onclose = () => finished();
  (opts.stdin ?? process.stdin).once("end", () => finished());
  await server.connect(transport);
  return {
    done,
    close: async () => {
      await server.close().catch(() => undefined);
      await upstreams.close();
      client?.close();
      finished();
    },
  };
}
