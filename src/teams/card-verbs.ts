/**
 * The Universal Actions verbs and input ids of the approval card, shared by the renderer that puts them on
 * the card and the handlers that answer them, so the two can never drift apart.
 */

/** Approve button (`Action.Execute`). */
export const APPROVE_VERB = "countersign.approve";

/** Deny button (`Action.Execute`). */
export const DENY_VERB = "countersign.deny";

/** The card's `refresh` action: Teams asks for the current card when someone views it. */
export const REFRESH_VERB = "countersign.refresh";

/** Every verb the bot answers. */
export const CARD_VERBS = [APPROVE_VERB, DENY_VERB, REFRESH_VERB] as const;

/** The scope picker (shown when the policy allows more than once); its value is "once" or the scope as JSON. */
export const SCOPE_INPUT_ID = "scope";

/** The comment box; Teams merges its value into the action's data under this id. */
export const COMMENT_INPUT_ID = "comment";

/** The key of the approval id in every action's data. */
export const APPROVAL_ID_FIELD = "approvalId";

/** The key of the approval version the card was rendered from, in Approve's and Deny's data. */
export const VERSION_FIELD = "version";

/** The key of the minute (epoch ms) the card was rendered in, in Approve's and Deny's data. */
export const RENDERED_AT_FIELD = "renderedAt";

/** Longest comment the box accepts (the approval core may set a lower limit and refuse). */
export const COMMENT_MAX_LENGTH = 1000;
