/**
 * The decision contract: which policy values are decisions (with their defaults filled) and which are
 * ill-formed, with the message a policy author sees.
 */

import { validateDecision } from "../../src/engine/decision-validator";
import { isJsonPointer } from "../../src/json/json-pointer";

const approval = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  quorum: 1,
  reviewers: { roles: ["dba"] },
  ttl_seconds: 3600,
  ...over,
});
const needsApproval = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  outcome: "require_approval",
  reasons: ["r"],
  approval: approval(over),
});

describe("well-formed decisions", () => {
  const cases: readonly { note: string; value: unknown; want: unknown }[] = [
    { note: "allow with reasons", value: { outcome: "allow", reasons: ["ok"] }, want: { outcome: "allow", reasons: ["ok"], mask: [] } },
    { note: "missing reasons default to []", value: { outcome: "deny" }, want: { outcome: "deny", reasons: [], mask: [] } },
    {
      note: "rule and mask kept",
      value: { outcome: "allow", rule: "reads", mask: ["/a/b", "/x~1y", ""] },
      want: { outcome: "allow", reasons: [], mask: ["/a/b", "/x~1y", ""], rule: "reads" },
    },
    {
      note: "unknown keys ignored",
      value: { outcome: "allow", obligations: { log: true } },
      want: { outcome: "allow", reasons: [], mask: [] },
    },
    { note: "approval null on allow", value: { outcome: "allow", approval: null }, want: { outcome: "allow", reasons: [], mask: [] } },
    {
      note: "summary and risk kept for reviewers",
      value: { outcome: "deny", summary: "Jane's agent exports 10,000 rows from production", risk: "critical" },
      want: { outcome: "deny", reasons: [], mask: [], summary: "Jane's agent exports 10,000 rows from production", risk: "critical" },
    },
    {
      note: "summary and risk null are absent",
      value: { outcome: "allow", summary: null, risk: null },
      want: { outcome: "allow", reasons: [], mask: [] },
    },
    {
      note: "approval defaults: grant ttl 300, reason not required",
      value: needsApproval(),
      want: {
        outcome: "require_approval",
        reasons: ["r"],
        mask: [],
        approval: { quorum: 1, reviewers: { roles: ["dba"] }, ttl_seconds: 3600, grant_ttl_seconds: 300, reason_required: false },
      },
    },
    {
      note: "approval with every field",
      value: needsApproval({ grant_ttl_seconds: 60, channel: "releases", reason_required: true, quorum: 2 }),
      want: {
        outcome: "require_approval",
        reasons: ["r"],
        mask: [],
        approval: {
          quorum: 2,
          reviewers: { roles: ["dba"] },
          ttl_seconds: 3600,
          grant_ttl_seconds: 60,
          channel: "releases",
          reason_required: true,
        },
      },
    },
    {
      note: "groups: quorum defaults to the sum of the groups' quorums",
      value: needsApproval({
        quorum: undefined,
        reviewers: {
          groups: [
            { roles: ["finance"], quorum: 1 },
            { roles: ["security"], quorum: 2 },
          ],
        },
      }),
      want: {
        outcome: "require_approval",
        reasons: ["r"],
        mask: [],
        approval: {
          quorum: 3,
          reviewers: {
            groups: [
              { roles: ["finance"], quorum: 1 },
              { roles: ["security"], quorum: 2 },
            ],
          },
          ttl_seconds: 3600,
          grant_ttl_seconds: 300,
          reason_required: false,
        },
      },
    },
  ];
  it.each(cases)("$note", ({ value, want }) => {
    expect(validateDecision(value)).toEqual({ ok: true, decision: want });
  });
});

describe("ill-formed decisions", () => {
  const cases: readonly { note: string; value: unknown; problem: string }[] = [
    { note: "not an object", value: "allow", problem: 'the decision must be an object, got string "allow"' },
    { note: "an array", value: [{ outcome: "allow" }], problem: "the decision must be an object, got an array" },
    {
      note: "unknown outcome",
      value: { outcome: "alow" },
      problem: 'outcome must be one of "allow", "deny", "require_approval", got string "alow"',
    },
    { note: "missing outcome", value: { reasons: [] }, problem: 'outcome must be one of "allow", "deny", "require_approval", got nothing' },
    {
      note: "reasons not a list",
      value: { outcome: "deny", reasons: "no" },
      problem: 'reasons must be an array of strings, got string "no"',
    },
    { note: "a reason not a string", value: { outcome: "deny", reasons: ["a", 1] }, problem: "reasons[1] must be a string, got number 1" },
    {
      note: "mask not a pointer",
      value: { outcome: "allow", mask: ["action/params"] },
      problem: 'mask[0] must be a JSON pointer such as "/action/params/query", got string "action/params"',
    },
    {
      note: "mask with a bad escape",
      value: { outcome: "allow", mask: ["/a~2b"] },
      problem: 'mask[0] must be a JSON pointer such as "/action/params/query", got string "/a~2b"',
    },
    { note: "rule not a string", value: { outcome: "allow", rule: 3 }, problem: "rule must be a string, got number 3" },
    {
      note: "approval on allow",
      value: { outcome: "allow", approval: approval() },
      problem: 'approval is only allowed with outcome "require_approval", not "allow"',
    },
    {
      note: "require_approval without approval",
      value: { outcome: "require_approval" },
      problem: "a require_approval decision needs an approval object, got nothing",
    },
    { note: "quorum zero", value: needsApproval({ quorum: 0 }), problem: "approval.quorum must be a positive integer, got number 0" },
    {
      note: "quorum fractional",
      value: needsApproval({ quorum: 1.5 }),
      problem: "approval.quorum must be a positive integer, got number 1.5",
    },
    {
      note: "quorum a string",
      value: needsApproval({ quorum: "2" }),
      problem: 'approval.quorum must be a positive integer, got string "2"',
    },
    {
      note: "quorum missing with roles",
      value: needsApproval({ quorum: undefined }),
      problem: "approval.quorum must be a positive integer, got nothing",
    },
    { note: "no reviewers", value: needsApproval({ reviewers: {} }), problem: "approval.reviewers must have roles or groups" },
    { note: "empty roles", value: needsApproval({ reviewers: { roles: [] } }), problem: "approval.reviewers.roles must not be empty" },
    {
      note: "empty role name",
      value: needsApproval({ reviewers: { roles: [""] } }),
      problem: "approval.reviewers.roles[0] must not be empty",
    },
    {
      note: "roles and groups",
      value: needsApproval({ reviewers: { roles: ["a"], groups: [{ roles: ["b"], quorum: 1 }] } }),
      problem: "approval.reviewers must have either roles or groups, not both",
    },
    { note: "empty groups", value: needsApproval({ reviewers: { groups: [] } }), problem: "approval.reviewers.groups must not be empty" },
    {
      note: "group without quorum",
      value: needsApproval({ reviewers: { groups: [{ roles: ["a"] }] } }),
      problem: "approval.reviewers.groups[0].quorum must be a positive integer, got nothing",
    },
    {
      note: "quorum below the groups' sum",
      value: needsApproval({
        quorum: 1,
        reviewers: {
          groups: [
            { roles: ["a"], quorum: 1 },
            { roles: ["b"], quorum: 1 },
          ],
        },
      }),
      problem: "approval.quorum (1) must be at least the sum of the groups' quorums (2)",
    },
    {
      note: "ttl missing (no default)",
      value: needsApproval({ ttl_seconds: undefined }),
      problem: "approval.ttl_seconds must be a positive integer, got nothing",
    },
    {
      note: "ttl negative",
      value: needsApproval({ ttl_seconds: -5 }),
      problem: "approval.ttl_seconds must be a positive integer, got number -5",
    },
    {
      note: "grant ttl zero",
      value: needsApproval({ grant_ttl_seconds: 0 }),
      problem: "approval.grant_ttl_seconds must be a positive integer, got number 0",
    },
    { note: "channel empty", value: needsApproval({ channel: "" }), problem: 'approval.channel must be a non-empty string, got string ""' },
    {
      note: "reason_required a string",
      value: needsApproval({ reason_required: "yes" }),
      problem: 'approval.reason_required must be a boolean, got string "yes"',
    },
    { note: "summary not a string", value: { outcome: "allow", summary: 7 }, problem: "summary must be a non-empty string, got number 7" },
    { note: "summary blank", value: { outcome: "allow", summary: "  " }, problem: 'summary must be a non-empty string, got string "  "' },
    {
      note: "summary too long",
      value: { outcome: "allow", summary: "s".repeat(201) },
      problem: "summary must be at most 200 characters, got 201",
    },
    {
      note: "summary on two lines",
      value: { outcome: "allow", summary: "one\ntwo" },
      problem: "summary must be one line (no line breaks)",
    },
    {
      note: "risk unknown",
      value: { outcome: "allow", risk: "severe" },
      problem: 'risk must be one of "low", "medium", "high", "critical", got string "severe"',
    },
  ];
  it.each(cases)("$note", ({ value, problem }) => {
    expect(validateDecision(value)).toEqual({ ok: false, problem });
  });
});

describe("JSON pointers", () => {
  it.each(["", "/", "/a", "/a/0/b", "/a~0b", "/a~1b", "/~01"])("accepts %j", (p) => expect(isJsonPointer(p)).toBe(true));
  it.each(["a", "a/b", "/a~", "/a~2", "#/a"])("refuses %j", (p) => expect(isJsonPointer(p)).toBe(false));
});
