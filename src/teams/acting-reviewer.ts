/**
 * Who is clicking or typing: the Teams user of an activity mapped onto a configured reviewer identity by
 * Azure AD object id and tenant, never by display name or by the Teams-scoped `from.id`.
 */

import type { Activity } from "botbuilder";
import { tenantOf } from "./conversation-reference";
import type { ReviewerDirectory, TeamsReviewer } from "./ports";
import type { TeamsConfig } from "./teams-config";
import { TeamsError } from "./teams-errors";

/** The reviewer behind an activity, or the refusal to show that user. */
export type ActingReviewer =
  { readonly ok: true; readonly reviewer: TeamsReviewer; readonly tenantId: string } | { readonly ok: false; readonly error: TeamsError };

/** Resolves the activity's sender; an unknown user or a tenant outside `allowedTenantIds` is refused. */
export async function actingReviewer(
  activity: Partial<Activity>,
  config: TeamsConfig,
  directory: ReviewerDirectory,
): Promise<ActingReviewer> {
  const tenantId = tenantOf(activity);
  if (tenantId === undefined || (config.allowedTenantIds.length > 0 && !config.allowedTenantIds.includes(tenantId))) {
    return { ok: false, error: new TeamsError("COUNTERSIGN_TEAMS_TENANT_NOT_ALLOWED") };
  }
  const aadObjectId = activity.from?.aadObjectId;
  if (typeof aadObjectId !== "string" || aadObjectId.trim() === "") {
    return { ok: false, error: new TeamsError("COUNTERSIGN_TEAMS_UNKNOWN_REVIEWER") };
  }
  const reviewer = await directory.byTeamsUser(tenantId, aadObjectId.trim().toLowerCase());
  if (reviewer === null) return { ok: false, error: new TeamsError("COUNTERSIGN_TEAMS_UNKNOWN_REVIEWER") };
  return { ok: true, reviewer, tenantId };
}
