/**
 * The Slack app end to end, over the real Slack protocol: the service wired as `serve` wires it (real
 * redis-server, the example policy, a `slack:` section), signed interaction payloads POSTed to
 * `/api/slack/interactions`, and every Slack Web API call captured by a local fake Slack API server.
 */

import "../teams/support/network-guard";
import { createHash } from "node:crypto";
import request from "supertest";
import { runAuditCommand } from "../../src/cli/audit-command";
import type { CliIo } from "../../src/cli/cli-io";
import { canonicalJson } from "../../src/json/canonical-json";
import type { ServiceConfig } from "../../src/config/service-config";
import { approvalClient, approvalIdOf } from "../http/approval-client";
import {
  approvalTestService,
  AUTH,
  decisionModule,
  eventually,
  exportBody,
  iamBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "../http/service-harness";
import { useRedisServer } from "../support/redis-server";
import { startFakeSlackApi, type FakeSlackApi, type SlackCall } from "./support/fake-slack-api";
import {
  buttonClick,
  modalSubmission,
  postEvent,
  postInteraction,
  postSigned,
  sign,
  SIGNING_SECRET,
  SLACK_USERS,
} from "./support/slack-requests";

const redis = useRedisServer({ flushBetweenTests: true });
let bundlesDir: string;
let slack: FakeSlackApi;
let service: (TestService & { clock: { advance(ms: number): void } }) | undefined;

const APPROVALS = "C0APPROVALS";
const RELEASES = "C0RELEASES";
const BOT_TOKEN = "xoxb-test-token";

/** The example configuration with a `slack:` section pointing at the fake Slack API. */
function withSlack(extra: Record<string, unknown> = {}): (c: ServiceConfig) => ServiceConfig {
  return (c) => ({
    ...c,
    slack: {
      bot_token: BOT_TOKEN,
      signing_secret: SIGNING_SECRET,
      default_channel: APPROVALS,
      channels: { releases: RELEASES },
      allowed_teams: ["T0DE7C0DE"],
      api_url: slack.url,
      ...extra,
    },
  });
}

async function start(
  opts: { dir?: string; extra?: Record<string, unknown> } = {},
): Promise<TestService & { clock: { advance(ms: number): void } }> {
  service = await approvalTestService({ bundlesDir: opts.dir ?? bundlesDir, redisUrl: redis.url, configure: withSlack(opts.extra) });
  return service;
}

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "slack-1" });
});
beforeEach(async () => {
  slack = await startFakeSlackApi();
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  await slack.close();
});
afterAll(() => removeTempDirs());

/** The message posted for `approvalId` (waits for the outbox to deliver it). */
async function postedMessage(approvalId: string): Promise<SlackCall> {
  return eventually(
    () => slack.calls("chat.postMessage").find((c) => JSON.stringify(c.args).includes(approvalId) && c.args["thread_ts"] === undefined),
    `the message for ${approvalId}`,
  );
}

function buttons(call: SlackCall): { approve: string; deny: string } {
  const actions = (call.args["blocks"] as any[]).find((b) => b.type === "actions");
  return { approve: actions.elements[0].value, deny: actions.elements[1].value };
}

function updatesFor(approvalId: string): SlackCall[] {
  return slack.calls("chat.update").filter((c) => JSON.stringify(c.args).includes(approvalId));
}

function ephemeralsFor(user: string): SlackCall[] {
  return slack.calls("chat.postEphemeral").filter((c) => c.args["user"] === user);
}

function statusText(call: SlackCall): string {
  return JSON.stringify(call.args["blocks"]);
}

/** Clicks Approve or Deny as `user`, waits for the modal, submits it; returns the submission's answer. */
async function verdictInSlack(
  app: TestService["app"],
  posted: SlackCall,
  user: string,
  verdict: "approve" | "deny",
  input: { comment?: string; scope?: string } = {},
) {
  const before = slack.calls("views.open").length;
  const value = buttons(posted)[verdict];
  const click = await postInteraction(
    app,
    buttonClick({ user, channel: posted.args["channel"], ts: "1700000000.000001", actionId: `countersign.${verdict}`, value }),
  );
  expect(click.status).toBe(200);
  const opened = await eventually(() => slack.calls("views.open")[before], "the verdict modal opened");
  const submitted = await postInteraction(app, modalSubmission({ user, view: opened.args["view"], ...input }));
  return { opened, submitted };
}

it("a require_approval decision posts the approval message to the routed channel, with the bot token", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
  const posted = await postedMessage(id);
  expect(posted.token).toBe(BOT_TOKEN);
  expect(posted.args["channel"]).toBe(APPROVALS);
  expect(posted.args["text"]).toContain("approval required for db.export");
  expect(statusText(posted)).toContain("Pending");
  expect(JSON.parse(buttons(posted).approve)).toEqual({ id, v: 1 });

  // A policy naming a channel goes to the Slack channel it maps to.
  const release = approvalIdOf(
    await api.decide(AUTH.caller, {
      actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:mallory" },
      action: { name: "deploy.release" },
      resource: { type: "service", id: "web", environment: "production" },
      context: { reason: "release 42" },
    }),
  );
  expect((await postedMessage(release)).args["channel"]).toBe(RELEASES);
});

it("an eligible reviewer's Approve opens the modal, records the verdict (channel slack, what was shown) and updates the message", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
  const posted = await postedMessage(id);

  const { opened, submitted } = await verdictInSlack(app, posted, SLACK_USERS.alice, "approve", { comment: "looks fine" });
  expect(opened.args["view"]).toMatchObject({ type: "modal", callback_id: "countersign.verdict", title: { text: "Approve request" } });
  expect(submitted.status).toBe(200);

  const read = await eventually(async () => {
    const r = await api.read(AUTH.caller, id);
    return r.body.status === "approved" ? r : undefined;
  }, "the approval approved");
  expect(read.body.verdicts).toEqual([
    expect.objectContaining({
      reviewer_id: "user:alice",
      verdict: "approve",
      comment: "looks fine",
      channel: "slack",
      shown: { version: 1, digest: expect.stringMatching(/^[0-9a-f]{64}$/) },
    }),
  ]);
  const update = await eventually(() => updatesFor(id).find((u) => statusText(u).includes("Approved")), "the message updated");
  expect(update.args).toMatchObject({ channel: APPROVALS, ts: posted.args["ts"] !== undefined ? expect.any(String) : expect.anything() });
  expect(statusText(update)).toContain("looks fine");
  expect((update.args["blocks"] as any[]).some((b) => b.type === "actions")).toBe(false); // no buttons once decided

  // The trail records the Slack verdict and what the reviewer was shown.
  const trail = await request(app).get(`/v1/audit?approval_id=${id}&type=approval.verdict`).set("Authorization", AUTH.erin);
  expect(trail.status).toBe(200);
  expect(JSON.stringify(trail.body)).toContain('"channel":"slack"');
  expect(JSON.stringify(trail.body)).toContain(read.body.verdicts[0].shown.digest);
});

it("keeps the message the reviewer decided on in the trail, and `countersign audit view` prints it back", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, iamBody()));
  const posted = await postedMessage(id);
  const sent = canonicalJson({ text: posted.args["text"], blocks: posted.args["blocks"] });
  const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

  // The first approval is given on the message as posted (version 1), the second on the message as updated (version 2).
  await verdictInSlack(app, posted, SLACK_USERS.bob, "approve", { comment: "first look" });
  const updated = await eventually(() => updatesFor(id).find((u) => statusText(u).includes("1 of 2 approvals")), "the message at 1 of 2");
  await verdictInSlack(app, { ...posted, args: { ...posted.args, blocks: updated.args["blocks"] } }, SLACK_USERS.carol, "approve");
  await eventually(async () => ((await api.read(AUTH.caller, id)).body.status === "approved" ? true : undefined), "the approval approved");

  const trail = await request(app).get(`/v1/audit?approval_id=${id}&type=approval.verdict`).set("Authorization", AUTH.erin);
  const entries = (trail.body.entries as { reviewer: string; shown: { version: number; digest: string; view: string } }[])
    .slice()
    .sort((a, b) => a.shown.version - b.shown.version);
  expect(entries.map((e) => [e.reviewer, e.shown.version])).toEqual([
    ["user:bob", 1],
    ["user:carol", 2],
  ]);
  // Each kept view is the exact text hashed into its digest: the message as Slack received it.
  for (const e of entries) expect(sha256(e.shown.view)).toBe(e.shown.digest);
  expect(entries[0]!.shown.view).toBe(sent);
  expect(entries[1]!.shown.view).toBe(canonicalJson({ text: updated.args["text"], blocks: updated.args["blocks"] }));

  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), readStdin: async () => "" };
  const digest = entries[0]!.shown.digest;
  expect(await runAuditCommand("view", [digest], { redis: redis.url }, io, { env: {} })).toBe(0);
  expect(err.join("\n")).toBe("audit view: 1 verdict, 1 view hash to their recorded digests");
  expect(out[0]).toMatch(new RegExp(`· approval ${id} · approve by user:bob via slack · shown version 1$`));
  expect(out.join("\n")).toContain(`digest ${digest}: ok, the kept view hashes to it`);
  const printed = out.join("\n");
  expect(JSON.parse(printed.slice(printed.indexOf("\n{") + 1))).toEqual({ text: posted.args["text"], blocks: posted.args["blocks"] });

  // By request: both verdicts, both views.
  err.length = 0;
  out.length = 0;
  expect(await runAuditCommand("view", [id], { redis: redis.url }, io, { env: {} })).toBe(0);
  expect(err.join("\n")).toBe("audit view: 2 verdicts, 2 views hash to their recorded digests");
});

it("a second approval reaches the quorum; the message shows each step", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, iamBody()));
  const posted = await postedMessage(id);

  await verdictInSlack(app, posted, SLACK_USERS.bob, "approve");
  await eventually(() => updatesFor(id).find((u) => statusText(u).includes("1 of 2 approvals")), "the message at 1 of 2");
  expect((await api.read(AUTH.caller, id)).body.status).toBe("pending");

  await verdictInSlack(app, posted, SLACK_USERS.carol, "approve", { comment: "ok" });
  await eventually(() => updatesFor(id).find((u) => statusText(u).includes("Approved")), "the message approved");
  const read = await api.read(AUTH.caller, id);
  expect(read.body.status).toBe("approved");
  expect(read.body.verdicts.map((v: any) => [v.reviewer_id, v.channel])).toEqual([
    ["user:bob", "slack"],
    ["user:carol", "slack"],
  ]);
});

it("refuses with an ephemeral message and changes nothing: wrong role, unmapped user, other workspace, self-approval", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
  const posted = await postedMessage(id);
  const value = buttons(posted).approve;
  const click = (user: string, team?: string) =>
    postInteraction(
      app,
      buttonClick({
        user,
        ...(team === undefined ? {} : { team }),
        channel: APPROVALS,
        ts: "1700000000.000001",
        actionId: "countersign.approve",
        value,
      }),
    );

  expect((await click(SLACK_USERS.erin)).status).toBe(200);
  const wrongRole = await eventually(() => ephemeralsFor(SLACK_USERS.erin)[0], "the wrong-role refusal");
  expect(wrongRole.args).toMatchObject({ channel: APPROVALS, user: SLACK_USERS.erin });
  expect(wrongRole.args["text"]).toContain("COUNTERSIGN_NOT_ELIGIBLE");

  await click(SLACK_USERS.stranger);
  expect((await eventually(() => ephemeralsFor(SLACK_USERS.stranger)[0], "the unmapped refusal")).args["text"]).toContain(
    "COUNTERSIGN_SLACK_UNKNOWN_REVIEWER",
  );

  await click(SLACK_USERS.alice, "T0OTHERORG");
  const otherTeam = await eventually(() => ephemeralsFor(SLACK_USERS.alice)[0], "the other-workspace refusal");
  expect(otherTeam.args["text"]).toContain("COUNTERSIGN_SLACK_TEAM_NOT_ALLOWED");

  // Self-approval: alice cannot approve an action done on her behalf.
  const own = approvalIdOf(
    await api.decide(AUTH.caller, exportBody({ actor: { id: "agent:deploy-bot", type: "ai_agent", on_behalf_of: "user:alice" } })),
  );
  const ownPosted = await postedMessage(own);
  await postInteraction(
    app,
    buttonClick({
      user: SLACK_USERS.alice,
      channel: APPROVALS,
      ts: "1700000000.000002",
      actionId: "countersign.approve",
      value: buttons(ownPosted).approve,
    }),
  );
  const self = await eventually(() => ephemeralsFor(SLACK_USERS.alice)[1], "the self-approval refusal");
  expect(self.args["text"]).toContain("COUNTERSIGN_SELF_APPROVAL");

  // Nothing changed: no modal, no update, both requests still pending at version 1.
  expect(slack.calls("views.open")).toHaveLength(0);
  expect(updatesFor(id)).toHaveLength(0);
  for (const approval of [id, own]) {
    const read = await api.read(AUTH.caller, approval);
    expect(read.body).toMatchObject({ status: "pending", version: 1, verdicts: [] });
  }
  // The core's refusals are in the trail like any channel's.
  const trail = await request(app).get(`/v1/audit?approval_id=${id}&type=approval.verdict_refused`).set("Authorization", AUTH.erin);
  expect(JSON.stringify(trail.body)).toContain("COUNTERSIGN_NOT_ELIGIBLE");
});

it("a refusal at submission (already voted) is told ephemerally; the vote stands once", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, iamBody()));
  const posted = await postedMessage(id);
  // Bob opens the modal twice (two clicks), submits both.
  const first = await verdictInSlack(app, posted, SLACK_USERS.bob, "approve");
  expect(first.submitted.status).toBe(200);
  await eventually(async () => ((await api.read(AUTH.caller, id)).body.verdicts.length === 1 ? true : undefined), "bob's vote");
  await postInteraction(app, modalSubmission({ user: SLACK_USERS.bob, view: first.opened.args["view"] }));
  const refusal = await eventually(() => ephemeralsFor(SLACK_USERS.bob)[0], "the already-voted refusal");
  expect(refusal.args["text"]).toContain("COUNTERSIGN_ALREADY_VOTED");
  expect((await api.read(AUTH.caller, id)).body.verdicts).toHaveLength(1);
});

it("an API verdict, a cancellation and an expiry update the Slack message", async () => {
  const svc = await start();
  const api = approvalClient(svc.app);
  const viaApi = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
  await postedMessage(viaApi);
  expect((await api.verdict(AUTH.alice, viaApi, { verdict: "deny", comment: "not today" })).status).toBe(200);
  const denied = await eventually(() => updatesFor(viaApi).find((u) => statusText(u).includes("Denied")), "the message denied");
  expect(statusText(denied)).toContain("not today");

  const cancelled = approvalIdOf(await api.decide(AUTH.caller, exportBody({ action: { name: "db.export", params: { table: "orders" } } })));
  await postedMessage(cancelled);
  expect((await api.cancel(AUTH.caller, cancelled, { reason: "no longer needed" })).status).toBe(200);
  await eventually(() => updatesFor(cancelled).find((u) => statusText(u).includes("Cancelled")), "the message cancelled");

  const expiring = approvalIdOf(
    await api.decide(AUTH.caller, exportBody({ action: { name: "db.export", params: { table: "invoices" } } })),
  );
  const posted = await postedMessage(expiring);
  svc.clock.advance(2 * 3600 * 1000);
  await eventually(() => updatesFor(expiring).find((u) => statusText(u).includes("Expired")), "the message expired", 15_000);
  const notice = await eventually(
    () => slack.calls("chat.postMessage").find((c) => c.args["thread_ts"] !== undefined && String(c.args["text"]).includes("Expired")),
    "the expiry notice in the thread",
  );
  expect(notice.args["channel"]).toBe(posted.args["channel"]);
});

it("a bad, stale or replayed signature is refused with 401 and nothing changes", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
  const posted = await postedMessage(id);
  slack.reset();
  const payload = buttonClick({
    user: SLACK_USERS.alice,
    channel: APPROVALS,
    ts: "1700000000.000001",
    actionId: "countersign.approve",
    value: buttons(posted).approve,
  });
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const now = Math.floor(Date.now() / 1000);
  const form = "application/x-www-form-urlencoded";

  const wrongSecret = await postInteraction(app, payload, { secret: "not-the-signing-secret" });
  expect(wrongSecret.status).toBe(401);
  expect(wrongSecret.body.error.code).toBe("COUNTERSIGN_SLACK_UNSIGNED");
  const tampered = await postSigned(app, "/api/slack/interactions", body.replace("approve", "deny"), form, { signature: sign(body, now) });
  expect(tampered.status).toBe(401);
  const unsigned = await request(app).post("/api/slack/interactions").set("content-type", form).send(body);
  expect(unsigned.status).toBe(401);
  const stale = await postInteraction(app, payload, { timestamp: now - 10 * 60 });
  expect(stale.status).toBe(401);
  expect(stale.body.error.code).toBe("COUNTERSIGN_SLACK_STALE");
  const future = await postInteraction(app, payload, { timestamp: now + 10 * 60 });
  expect(future.status).toBe(401);

  // The same signed request twice: the first is handled, the replay refused.
  const signature = sign(body, now);
  expect((await postSigned(app, "/api/slack/interactions", body, form, { timestamp: now, signature })).status).toBe(200);
  await eventually(() => slack.calls("views.open")[0], "the modal of the genuine click");
  const replay = await postSigned(app, "/api/slack/interactions", body, form, { timestamp: now, signature });
  expect(replay.status).toBe(401);
  expect(replay.body.error.code).toBe("COUNTERSIGN_SLACK_REPLAYED");

  await new Promise((r) => setTimeout(r, 200));
  expect(slack.calls("views.open")).toHaveLength(1); // the genuine click only
  expect(slack.calls("chat.update")).toHaveLength(0);
  expect((await api.read(AUTH.caller, id)).body).toMatchObject({ status: "pending", version: 1 });
});

it("answers Slack's url_verification on the events endpoint, signed only", async () => {
  const { app } = await start();
  const ok = await postEvent(app, {
    type: "url_verification",
    token: "t",
    challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
  });
  expect(ok.status).toBe(200);
  expect(ok.body).toEqual({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" });
  const bad = await postEvent(app, { type: "url_verification", challenge: "x" }, { secret: "wrong" });
  expect(bad.status).toBe(401);
});

it("no masked value reaches Slack in any outbound payload", async () => {
  const { app } = await start();
  const api = approvalClient(app);
  const query = "select ssn, card_number from customers where vip";
  const id = approvalIdOf(
    await api.decide(
      AUTH.caller,
      exportBody({
        action: { name: "db.export", params: { table: "customers", query } },
        context: { reason: `needs ${query} for audit`, ticket: "OPS-9" },
      }),
    ),
  );
  const posted = await postedMessage(id);
  await verdictInSlack(app, posted, SLACK_USERS.alice, "approve", { comment: `ran ${query}` });
  await eventually(() => updatesFor(id).find((u) => statusText(u).includes("Approved")), "the message approved");
  const calls = slack.calls();
  expect(calls.length).toBeGreaterThanOrEqual(3);
  for (const call of calls) {
    expect(decodeURIComponent(call.raw.replace(/\+/g, " "))).not.toContain(query);
    expect(JSON.stringify(call.args)).not.toContain(query);
  }
  expect(statusText(posted)).toContain("[MASKED]");
});

it("a policy's comment_required makes the modal's comment required and the core refuse a verdict without one", async () => {
  const dir = tempDir();
  await writeBundle(
    dir,
    {
      "policy.rego": decisionModule(
        `decision := {"outcome": "require_approval", "reasons": ["needs a DBA, with a comment"], "mask": [], "approval": {"quorum": 1, "reviewers": {"roles": ["dba"]}, "ttl_seconds": 600, "comment_required": true}}`,
      ),
    },
    { revision: "comment-1" },
  );
  const { app } = await start({ dir });
  const api = approvalClient(app);
  const id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
  const posted = await postedMessage(id);

  const blank = await verdictInSlack(app, posted, SLACK_USERS.alice, "approve", { comment: "   " });
  const comment = (blank.opened.args["view"].blocks as any[]).find((b) => b.block_id === "comment");
  expect(comment.optional).toBe(false);
  expect(blank.submitted.status).toBe(200);
  expect(blank.submitted.body).toMatchObject({ response_action: "errors", errors: { comment: expect.any(String) } });
  expect((await api.read(AUTH.caller, id)).body.verdicts).toEqual([]);

  const noComment = await api.verdict(AUTH.alice, id, { verdict: "approve" });
  expect(noComment.status).toBe(400);
  expect(noComment.body.error.code).toBe("COUNTERSIGN_COMMENT_REQUIRED");

  const withComment = await postInteraction(
    app,
    modalSubmission({ user: SLACK_USERS.alice, view: blank.opened.args["view"], comment: "checked the ticket" }),
  );
  expect(withComment.status).toBe(200);
  await eventually(
    async () => ((await api.read(AUTH.caller, id)).body.status === "approved" ? true : undefined),
    "approved with a comment",
  );
});

it("a decision never waits on Slack: it is answered while the message's post hangs, which completes later", async () => {
  const { app } = await start();
  slack.hold("chat.postMessage");
  const api = approvalClient(app);
  const decided = await api.decide(AUTH.caller, exportBody());
  const id = approvalIdOf(decided); // answered although no post has been answered
  await eventually(() => (slack.held() > 0 ? true : undefined), "the post sent and left hanging");
  slack.release();
  const posted = await eventually(
    () => slack.calls("chat.postMessage").find((c) => JSON.stringify(c.args).includes(id)),
    "the message posted",
  );
  expect(posted.args["channel"]).toBe(APPROVALS);
}, 30_000);

it("a Slack API outage loses nothing: the outbox posts the message once Slack answers", async () => {
  const { app } = await start();
  slack.fail("chat.postMessage", "service_unavailable");
  const api = approvalClient(app);
  const decided = await api.decide(AUTH.caller, exportBody());
  const id = approvalIdOf(decided);
  await eventually(() => slack.calls("chat.postMessage")[0], "a first attempt");
  slack.reset();
  const posted = await eventually(
    () => slack.calls("chat.postMessage").find((c) => JSON.stringify(c.args).includes(id)),
    "the message posted on a retry",
    15_000,
  );
  expect(posted.args["channel"]).toBe(APPROVALS);
}, 30_000);
