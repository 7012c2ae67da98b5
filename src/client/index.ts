/**
 * `countersign/client`: the client SDK's entry point (see README "The client SDK").
 */

export { Countersign, FINAL_STATUSES, type CountersignOptions, type GuardContext, type WaitOptions } from "./countersign-client";
export { CountersignError, CLIENT_ERROR_CODES } from "./client-error";
export { verifyCallback, type CallbackHeaders, type VerifiedCallback, type VerifyCallbackOptions } from "./callback-verification";
export type * from "./client-types";
