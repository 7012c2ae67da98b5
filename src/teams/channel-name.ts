/**
 * Channel names: the routing keys a policy's `approval.channel` and the `subscribe` command share, and how a
 * name is derived from a Teams conversation when the bot is installed there.
 */

/** What a channel name may look like (compared in lower case). */
export const CHANNEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The lower-cased name, or null when it is not a valid channel name. */
export function normalizeChannelName(name: string): string | null {
  const lower = name.trim().toLowerCase();
  return CHANNEL_NAME_PATTERN.test(lower) ? lower : null;
}

/**
 * A channel name made from a human title (`Prod DB Approvals` → `prod-db-approvals`), or null when nothing
 * usable remains.
 */
export function slugChannelName(title: string): string | null {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .replace(/-+$/, "")
    .slice(0, 64)
    .replace(/[^a-z0-9]+$/, "");
  return normalizeChannelName(slug);
}
