/**
 * The verdict modal a reviewer confirms an Approve or Deny in: a pure function of the request's state and
 * the click, with the comment box (required when the policy sets `approval.comment_required`) and, for an
 * approval the policy lets cover more than once, the scope picker. Masked values are removed from displayed text as on the message; ids and metadata are never rewritten.
 */

import { describeScope } from "../approvals/approval-scope";
import { escapeInvisible, oneLine, truncate, valueText } from "../teams/card-text";
import { maskedValues, scrubText } from "../observability/masked-values";
import type { ApprovalCardState, CardRequest, Masker } from "../teams/ports";
import type { Block } from "./approval-message";
import {
  COMMENT_ACTION_ID,
  COMMENT_BLOCK_ID,
  COMMENT_MAX_LENGTH,
  SCOPE_ACTION_ID,
  SCOPE_BLOCK_ID,
  VERDICT_CALLBACK_ID,
  type ModalMetadata,
} from "./slack-actions";

/** A Block Kit modal view as JSON (`views.open`). */
export type ModalView = Record<string, unknown>;

/** The value of the scope picker's "this call only" option. */
export const SCOPE_ONCE = "once";

/** Renders the modal for a click on `state`'s message. */
export function renderVerdictModal(state: ApprovalCardState, metadata: ModalMetadata, masker: Masker): ModalView {
  const masked = masker.mask<CardRequest>(state.request, state.mask);
  const secrets = maskedValues(state.request, masked);
  const text = (value: unknown, max = 200): string =>
    truncate(escapeInvisible(scrubText(oneLine(scrubText(valueText(value), secrets)), secrets)), max);
  const approving = metadata.verdict === "approve";
  const commentRequired = state.requirements.commentRequired === true;
  const resource = [masked.resource.type, masked.resource.id]
    .filter((v) => v !== undefined && v !== "")
    .map((v) => text(v))
    .join(" ");

  const blocks: Block[] = [
    {
      type: "section",
      text: {
        type: "plain_text",
        emoji: false,
        text: `${approving ? "Approve" : "Deny"} ${text(masked.action.name, 120)}${resource ? ` on ${resource}` : ""}, requested by ${text(masked.actor.id, 120)}.`,
      },
    },
  ];
  const maxScope = state.requirements.maxScope;
  if (approving && maxScope !== undefined && (maxScope.count !== undefined || maxScope.window_seconds !== undefined)) {
    const once = { text: { type: "plain_text", text: "This call only" }, value: SCOPE_ONCE };
    blocks.push({
      type: "input",
      block_id: SCOPE_BLOCK_ID,
      label: { type: "plain_text", text: "Approve for" },
      element: {
        type: "static_select",
        action_id: SCOPE_ACTION_ID,
        initial_option: once,
        options: [
          once,
          {
            text: { type: "plain_text", text: truncate(`Up to ${describeScope(maxScope)} of this exact call`, 75) },
            value: JSON.stringify(maxScope),
          },
        ],
      },
    });
  }
  blocks.push({
    type: "input",
    block_id: COMMENT_BLOCK_ID,
    optional: !commentRequired,
    label: { type: "plain_text", text: commentRequired ? "Comment (required by the policy)" : "Comment" },
    element: {
      type: "plain_text_input",
      action_id: COMMENT_ACTION_ID,
      multiline: true,
      max_length: COMMENT_MAX_LENGTH,
      placeholder: { type: "plain_text", text: approving ? "Why you approve" : "Why you deny" },
    },
  });

  return {
    type: "modal",
    callback_id: VERDICT_CALLBACK_ID,
    private_metadata: JSON.stringify(metadata),
    title: { type: "plain_text", text: approving ? "Approve request" : "Deny request" },
    submit: { type: "plain_text", text: approving ? "Approve" : "Deny" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}
