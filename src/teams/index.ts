/**
 * The Teams bot's public surface for the composition root: build the router and notifier, the ports to
 * adapt the approval core to, the configuration validator and the Redis conversation store.
 */

export { createTeamsRouter, MESSAGES_PATH, type TeamsBot, type TeamsBotDeps } from "./teams-router";
export { ApprovalNotifier, type CardUpdateResult } from "./approval-notifier";
export { renderApprovalCard, type AdaptiveCard, type ApprovalCardOptions } from "./approval-card";
export { APPROVE_VERB, DENY_VERB, REFRESH_VERB } from "./card-verbs";
export { RedisConversationStore, ConversationKeys, type ConversationStore, type ChannelSubscription, type PostedCard } from "./conversation-store";
export { validateTeamsConfig, describeTeamsConfig, isAuthenticated, type TeamsConfig, type TeamsConfigEnv, type ChannelServiceEndpoints } from "./teams-config";
export { TeamsError, TEAMS_ERRORS, type TeamsErrorCode } from "./teams-errors";
export type * from "./ports";
export { systemTeamsClock } from "./ports";
