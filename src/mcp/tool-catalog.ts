/**
 * The tools the agent sees, and where each comes from: with one upstream a tool keeps its name; with several,
 * each is prefixed with its upstream's name and `__` (`fs__delete_file`). The catalog is what the gateway
 * trusts about a tool (its annotations come from the upstream's listing, never from the agent's call).
 */

import type { Tool } from "@modelcontextprotocol/sdk/types.js";

/** The separator between an upstream's name and a tool's. */
export const PREFIX_SEPARATOR = "__";

/** A tool the agent may call, and its origin. */
export interface CatalogEntry {
  /** The name the agent calls. */
  readonly exposed: string;
  readonly upstream: string;
  /** The name the upstream knows it by. */
  readonly tool: string;
  /** The upstream's listing, renamed for the agent. */
  readonly listing: Tool;
}

/** An immutable map from exposed names to tools. */
export class ToolCatalog {
  private readonly byName = new Map<string, CatalogEntry>();

  /** Builds the catalog from each upstream's listing, prefixing names when there are several upstreams. */
  constructor(listings: readonly { readonly upstream: string; readonly tools: readonly Tool[] }[], prefixed: boolean) {
    for (const { upstream, tools } of listings) {
      for (const tool of tools) {
        const exposed = exposedName(upstream, tool.name, prefixed);
        // A name listed twice by one server: the first listing wins, as a client would see it.
        if (this.byName.has(exposed)) continue;
        this.byName.set(exposed, { exposed, upstream, tool: tool.name, listing: { ...tool, name: exposed } });
      }
    }
  }

  /** The tool the agent calls by this name, if any. */
  get(exposed: string): CatalogEntry | undefined {
    return this.byName.get(exposed);
  }

  /** Every tool, in listing order. */
  entries(): CatalogEntry[] {
    return [...this.byName.values()];
  }
}

/** The name the agent sees for an upstream's tool (or prompt). */
export function exposedName(upstream: string, name: string, prefixed: boolean): string {
  return prefixed ? `${upstream}${PREFIX_SEPARATOR}${name}` : name;
}

/** The upstream and original name behind an exposed prompt name; undefined when it names no upstream. */
export function splitExposedName(
  exposed: string,
  upstreams: readonly string[],
  prefixed: boolean,
): { upstream: string; name: string } | undefined {
  if (!prefixed) return upstreams.length === 1 ? { upstream: upstreams[0] as string, name: exposed } : undefined;
  const at = exposed.indexOf(PREFIX_SEPARATOR);
  if (at <= 0) return undefined;
  const upstream = exposed.slice(0, at);
  return upstreams.includes(upstream) ? { upstream, name: exposed.slice(at + PREFIX_SEPARATOR.length) } : undefined;
}
