/**
 * Which callback URLs are allowed (SSRF defence): https only (http only to loopback, and only with the
 * development flag), no credentials in the URL, the host and port on the configured allow-list, and every
 * address the host resolves to public, unless the host is explicitly allowed onto private networks.
 *
 * The same checks run twice: when a request is created (a refused URL is rejected with
 * COUNTERSIGN_CALLBACK_NOT_ALLOWED and never fetched), and at delivery, where `lookup` pins the connection to
 * addresses that passed, so a DNS answer that changes in between (rebinding) cannot redirect the callback.
 */

import { promises as dns, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { ApprovalError } from "../approvals/approval-errors";
import type { CallbackUrlCheck } from "../approvals/approval-service";
import { normalizeHostEntry, type CallbackConfig } from "../config/callback-config";
import { isLoopbackHost, isPublicAddress } from "./network-address";

/** Resolves a host name to its addresses (injected so tests control DNS). */
export type HostResolver = (host: string) => Promise<readonly LookupAddress[]>;

/** The system resolver (`dns.lookup`, all addresses). */
export const systemResolver: HostResolver = (host) => dns.lookup(host, { all: true, verbatim: true });

/** A URL that passed: where to connect. */
export interface AllowedTarget {
  readonly url: URL;
  /** Host name without brackets or trailing dot, lower-case. */
  readonly host: string;
  readonly port: number;
  /** Whether the host may resolve to non-public addresses. */
  readonly privateNetwork: boolean;
}

/** The longest callback URL accepted. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** Callback URL rules from `CallbackConfig`. */
export class CallbackUrlPolicy implements CallbackUrlCheck {
  private readonly allowed: Set<string>;
  private readonly privateNetwork: Set<string>;

  constructor(
    private readonly config: Pick<CallbackConfig, "allowedHosts" | "privateNetworkHosts" | "allowHttpLoopback">,
    private readonly resolve: HostResolver = systemResolver,
  ) {
    this.allowed = new Set(config.allowedHosts.map(normalizeHostEntry));
    this.privateNetwork = new Set((config.privateNetworkHosts ?? []).map(normalizeHostEntry));
  }

  /** Resolves when `url` may be called back; throws COUNTERSIGN_CALLBACK_NOT_ALLOWED otherwise. */
  async check(url: string): Promise<void> {
    const target = this.target(url);
    const addresses = await this.addressesOf(target);
    this.assertAddresses(
      target,
      addresses.map((a) => a.address),
    );
  }

  /** Parses and checks a URL without resolving it (the static rules). */
  target(raw: string): AllowedTarget {
    if (typeof raw !== "string" || raw.length > MAX_CALLBACK_URL_LENGTH)
      refuse(`callback_url must be a URL of at most ${MAX_CALLBACK_URL_LENGTH} characters`);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return refuse("callback_url is not a valid URL");
    }
    const host = url.hostname
      .toLowerCase()
      .replace(/^\[|\]$/g, "")
      .replace(/\.$/, "");
    if (url.username !== "" || url.password !== "") refuse("callback_url must not carry credentials");
    if (url.protocol === "http:") {
      if (!this.config.allowHttpLoopback || !isLoopbackHost(host)) refuse("callback_url must use https");
    } else if (url.protocol !== "https:") {
      refuse("callback_url must use https");
    }
    const defaultPort = url.protocol === "https:" ? 443 : 80;
    const port = url.port !== "" ? Number(url.port) : defaultPort;
    const listed = (set: Set<string>): boolean =>
      set.has(`${host}|${port}`) || set.has(`${host}|*`) || (port === defaultPort && set.has(host));
    if (!listed(this.allowed)) refuse(`callback host ${host}:${port} is not on the allow-list`);
    return { url, host, port, privateNetwork: listed(this.privateNetwork) };
  }

  /** Throws unless every address is acceptable for the target. */
  assertAddresses(target: AllowedTarget, addresses: readonly string[]): void {
    if (addresses.length === 0) refuse(`callback host ${target.host} has no address`);
    for (const address of addresses) {
      if (!isPublicAddress(address) && !target.privateNetwork) {
        refuse(`callback host ${target.host} resolves to a non-public address (${address})`);
      }
    }
  }

  /** The target's addresses: the literal itself, or what DNS says. */
  async addressesOf(target: AllowedTarget): Promise<readonly LookupAddress[]> {
    const family = isIP(target.host);
    if (family !== 0) return [{ address: target.host, family }];
    try {
      return await this.resolve(target.host);
    } catch (err) {
      return refuse(`callback host ${target.host} cannot be resolved (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
}

function refuse(message: string): never {
  throw new ApprovalError("COUNTERSIGN_CALLBACK_NOT_ALLOWED", message, { field: "callback_url" });
}
