/**
 * The MCP gateway inside `countersign serve`: with `gateway: {in_process: true, …}` in the service's
 * configuration file, the service process itself speaks MCP to the agent over stdio (the agent launches
 * `countersign serve --config FILE` as its MCP server; the service's logs go to standard error) and decides
 * every `tools/call` through the service's own decide route function (the same validation, requester checks,
 * decide use case and durable audit record as `POST /v1/decide`), without an HTTP request.
 *
 * Why it exists beside the separate process (`gateway.ts`): the decision is the gateway's hot path, and the
 * loopback HTTP request to `/v1/decide` (client, socket, parser, authentication, answer) is the one part of
 * it that is not the decision itself. What it gives up is in src/mcp/README.md ("Where the gateway runs"):
 * the service's keys now sit in the process the agent launched, and each agent runs a service instance of
 * its own (its own Redis connection, appending to the one audit chain as another instance does).
 *
 * Only the decisions take the short way. The approval long-poll and cancel of a held call, and the
 * `tools/list` hidden-tools query, go through the service's own HTTP API on loopback with the gateway's key
 * (`api_key_env`): they wait for a person, or run once per listing, so the hop costs nothing that shows.
 * The caller of every decision is the identity that key authenticates as, exactly as over HTTP. Streamable
 * HTTP (`listen`) is not offered in process: a shared gateway for many agents is what the separate
 * `countersign mcp-gateway --listen` is for.
 */

import type { Readable, Writable } from "node:stream";
import { CountersignError } from "../client/client-error";
import type { DecideRequest, Decision } from "../client/client-types";
import { Countersign } from "../client/countersign-client";
import type { AuthResult } from "../identity/authenticator";
import type { Principal } from "../identity/principal";
import type { DecisionClient } from "./decision-client";
import { startGateway, type RunningGateway } from "./gateway";
import { resolveGatewayConfig, type GatewayConfigFile } from "./gateway-config";
import { GatewayError } from "./gateway-error";
import { readGatewaySection } from "./gateway-section";
import { assertJsonDepth } from "../http/json-depth";
import { decideBody, type RequesterCheck } from "../http/decide-route";
import type { Authenticator } from "../identity/authenticator";
import type { IdentityDirectory } from "../identity/identity-directory";
import type { DecideUseCase } from "../service/decide";
import { requesterCheckOf } from "../service/requester-identities";

/** What the in-process gateway needs from the service (`main.ts` hands over its own parts). */
export interface ServiceDecisions {
  /** The service's authenticator: the gateway's key becomes the caller of its decisions. */
  authenticate(authorization: string): AuthResult | Promise<AuthResult>;
  /** The decide route's work between a parsed body and a decision: validation, requester checks, the use case. */
  decide(body: unknown, caller: Principal): Promise<unknown>;
  /** The deepest nesting the service accepts in a request body (`server.max_json_depth`). */
  readonly maxJsonDepth: number;
}

/** How to assemble it. */
export interface InProcessGatewayDeps {
  readonly service: ServiceDecisions;
  /** Where the service listens, for the approval long-poll and the hidden-tools query on loopback. */
  readonly host: string;
  readonly port: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The agent's streams (default the process's). */
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  /** What becomes of a stdio upstream's stderr (default inherited). */
  readonly upstreamStderr?: "inherit" | "ignore" | "pipe";
}

/**
 * The `gateway:` section of the service's configuration file when it asks for the in-process gateway, else
 * undefined. `serve` reads it before it logs anything: standard output is then the agent's MCP channel.
 */
export function inProcessGatewaySection(configFile: string | undefined): GatewayConfigFile | undefined {
  if (configFile === undefined) return undefined;
  const section = readGatewaySection(configFile);
  return section?.in_process === true ? section : undefined;
}

/**
 * Connects the upstreams and serves the agent on stdio, deciding in process; throws GatewayError when the
 * section is unusable (no key, a key the service does not know, `listen` set) or an upstream cannot be reached.
 */
export async function assembleGatewayInProcess(section: GatewayConfigFile, deps: InProcessGatewayDeps): Promise<RunningGateway> {
  if (section.listen !== undefined) {
    throw new GatewayError(
      "COUNTERSIGN_GATEWAY_CONFIG_INVALID",
      "gateway.in_process serves the agent over stdio only; for Streamable HTTP run countersign mcp-gateway --listen",
    );
  }
  const host = deps.host === "0.0.0.0" ? "127.0.0.1" : deps.host === "::" ? "::1" : deps.host;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${deps.port}`;
  const config = resolveGatewayConfig({ ...section, countersign: url }, {}, deps.env);
  const apiKey = config.apiKey ?? "";
  const auth = await deps.service.authenticate(`Bearer ${apiKey}`);
  if (!auth.ok) {
    throw new GatewayError(
      "COUNTERSIGN_GATEWAY_CONFIG_INVALID",
      `gateway.api_key_env ${section.api_key_env ?? ""}: the service does not accept that key (${auth.failure.message})`,
    );
  }
  const caller = auth.principal;
  const loopback = new Countersign({ url, token: apiKey, pollSeconds: Math.max(1, Math.round(config.progressIntervalMs / 1000)) });
  const decisions: DecisionClient = {
    decide: async (request: DecideRequest) => decideInProcess(deps.service, request, caller),
    hiddenTools: (request, opts) => loopback.hiddenTools(request, opts),
    waitForApproval: (id, opts) => loopback.waitForApproval(id, opts),
    cancel: (id, reason, opts) => loopback.cancel(id, reason, opts),
  };
  const gateway = await startGateway(config, {
    decisions,
    ...(deps.stdin === undefined ? {} : { stdin: deps.stdin }),
    ...(deps.stdout === undefined ? {} : { stdout: deps.stdout }),
    ...(deps.upstreamStderr === undefined ? {} : { upstreamStderr: deps.upstreamStderr }),
  });
  return {
    done: gateway.done,
    close: async () => {
      await gateway.close();
      loopback.close();
    },
  };
}

/** One decision through the service's decide function; its typed errors become the codes the HTTP answer would carry. */
async function decideInProcess(service: ServiceDecisions, request: DecideRequest, caller: Principal): Promise<Decision> {
  try {
    assertJsonDepth(request, service.maxJsonDepth);
    return (await service.decide(request, caller)) as Decision;
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === "string")
      throw new CountersignError(code, err instanceof Error ? err.message : code, statusOf(err), (err as { details?: unknown }).details);
    throw err;
  }
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/** The service's parts the in-process gateway decides with: its authenticator and the decide route's work. */
export function serviceDecisions(
  config: { readonly requireKnownHumans: boolean; readonly server: { readonly maxJsonDepth: number } },
  identity: { readonly directory: IdentityDirectory; readonly authenticator: Authenticator },
  decide: DecideUseCase,
): ServiceDecisions {
  const requesters: RequesterCheck = requesterCheckOf(config, identity.directory);
  return {
    authenticate: (a) => identity.authenticator.authenticate(a),
    decide: decideBody(decide, requesters),
    maxJsonDepth: config.server.maxJsonDepth,
  };
}

/**
 * Starts the in-process gateway once the service listens, when the configuration asks for it (`section`
 * from inProcessGatewaySection); undefined otherwise.
 */
export async function startInProcessGateway(
  section: GatewayConfigFile | undefined,
  deps: InProcessGatewayDeps & { readonly logger: { info(message: string): void } },
): Promise<RunningGateway | undefined> {
  if (section === undefined) return undefined;
  const gateway = await assembleGatewayInProcess(section, deps);
  deps.logger.info("MCP gateway in process: serving the agent on stdio");
  return gateway;
}
