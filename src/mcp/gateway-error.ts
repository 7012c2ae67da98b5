/**
 * The MCP gateway's error catalogue: a stable code and a message for everything that stops the gateway from
 * starting (bad configuration, an upstream that cannot be reached). Per-call failures are not thrown at the
 * agent: they become MCP tool errors or JSON-RPC errors (`tool-call-gate.ts`, `gateway-session.ts`).
 */

import { CodedError } from "../errors/coded-error";

/** The gateway's error codes. */
export type GatewayErrorCode =
  /** A flag or the `gateway:` section is missing or malformed. */
  | "COUNTERSIGN_GATEWAY_CONFIG_INVALID"
  /** An upstream MCP server could not be started or connected to. */
  | "COUNTERSIGN_GATEWAY_UPSTREAM_FAILED";

/** A start-up failure of the gateway. */
export class GatewayError extends CodedError<GatewayErrorCode> {
  constructor(code: GatewayErrorCode, message: string) {
    super(code, message);
  }
}
