/**
 * The upstreams one gateway serves, shared by every agent session: their tool catalog (listed on demand and
 * kept until a call names a tool it does not know, then listed once more), which upstream holds which
 * resource, and whether names are prefixed (several upstreams) or kept (one).
 */

import type { Prompt, Resource, ResourceTemplate } from "@modelcontextprotocol/sdk/types.js";
import { exposedName, ToolCatalog, type CatalogEntry } from "./tool-catalog";
import type { Upstream } from "./upstream";

/** The connected upstreams of a gateway. */
export class UpstreamSet {
  /** True when names carry their upstream's prefix. */
  readonly prefixed: boolean;
  private readonly byName = new Map<string, Upstream>();
  private catalog: Promise<ToolCatalog> | undefined;
  private readonly resourceOwner = new Map<string, string>();

  constructor(readonly list: readonly Upstream[]) {
    this.prefixed = list.length > 1;
    for (const u of list) this.byName.set(u.spec.name, u);
  }

  /** The upstream of this name. */
  get(name: string): Upstream | undefined {
    return this.byName.get(name);
  }

  /** The names, in configuration order. */
  names(): string[] {
    return this.list.map((u) => u.spec.name);
  }

  /** The tool catalog, listing the upstreams when `refresh` or when not listed yet. */
  async tools(refresh = false): Promise<ToolCatalog> {
    if (refresh || this.catalog === undefined) {
      const listing = Promise.all(this.list.map(async (u) => ({ upstream: u.spec.name, tools: await u.tools() }))).then(
        (l) => new ToolCatalog(l, this.prefixed),
      );
      this.catalog = listing;
      // A failed listing is not kept: the next request lists again.
      listing.catch(() => {
        if (this.catalog === listing) this.catalog = undefined;
      });
    }
    return this.catalog;
  }

  /** The tool an agent calls by this name, listing once more if the catalog does not know it. */
  async tool(exposed: string): Promise<CatalogEntry | undefined> {
    return (await this.tools()).get(exposed) ?? (await this.tools(true)).get(exposed);
  }

  /** Every upstream's resources (URIs unchanged), remembering which upstream holds each. */
  async resources(): Promise<Resource[]> {
    const all: Resource[] = [];
    for (const u of this.list) {
      for (const r of await u.resources()) {
        if (!this.resourceOwner.has(r.uri)) this.resourceOwner.set(r.uri, u.spec.name);
        all.push(r);
      }
    }
    return all;
  }

  /** Every upstream's resource templates. */
  async resourceTemplates(): Promise<ResourceTemplate[]> {
    return (await Promise.all(this.list.map((u) => u.resourceTemplates()))).flat();
  }

  /** The upstream holding a resource URI: the one that listed it, else the only upstream with resources. */
  async resourceUpstream(uri: string): Promise<Upstream | undefined> {
    if (!this.resourceOwner.has(uri)) await this.resources().catch(() => undefined);
    const owner = this.resourceOwner.get(uri);
    if (owner !== undefined) return this.byName.get(owner);
    const withResources = this.list.filter((u) => u.capabilities().resources !== undefined);
    return withResources.length === 1 ? withResources[0] : undefined;
  }

  /** Every upstream's prompts, named as the agent sees them. */
  async prompts(): Promise<Prompt[]> {
    const all: Prompt[] = [];
    for (const u of this.list) for (const p of await u.prompts()) all.push({ ...p, name: exposedName(u.spec.name, p.name, this.prefixed) });
    return all;
  }

  /** Closes every upstream. */
  async close(): Promise<void> {
    await Promise.all(this.list.map((u) => u.close()));
  }
}
