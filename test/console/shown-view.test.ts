/**
 * What each reviewer was shown, printed back from the trail: the service as `serve` wires it (Teams bot on a
 * local fake Bot Connector, the web console, the audit trail, on a real redis-server). A Teams Approve and a
 * console verdict each keep their view (the card sent, the page model) in the `approval.verdict` entry;
 * `countersign audit view <digest | approval-id>` prints it from the live trail and from an export and checks
 * it hashes to the recorded digest; a view altered in an export is reported (and the chain check fails too);
 * `audit verify` passes on the untouched trail; an API verdict records no view and says so.
 */

import "../teams/support/network-guard";
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import request from "supertest";
import { canonicalJson } from "../../src/json/canonical-json";
import { runAuditCommand } from "../../src/cli/audit-command";
import type { CliIo } from "../../src/cli/cli-io";
import { APPROVE_VERB } from "../../src/teams/card-verbs";
import { ConversationKeys, RedisConversationStore } from "../../src/teams/conversation-store";
import { approvalClient, approvalIdOf } from "../http/approval-client";
import {
  approvalTestService,
  AUTH,
  eventually,
  exportBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "../http/service-harness";
import { useRedisServer } from "../support/redis-server";
import { startFakeBotConnector, type FakeBotConnector } from "../teams/support/fake-bot-connector";
import { REVIEWERS } from "../teams/support/in-memory-approvals";
import { APPROVALS_CHANNEL, reviewerClick, reviewerMessage } from "../teams/support/teams-activities";
import { consoleSignIn } from "./console-form-client";

// Declared before the Redis server's own hooks, so the service closes while its Redis is still up.
afterAll(async () => {
  await service?.close();
  await connector?.close();
  await fs.rm(workDir, { recursive: true, force: true });
  removeTempDirs();
});

const redis = useRedisServer();
const SECRET_QUERY = "select iban from payouts where owner='SECRET-QUERY-shown-view'";

let bundlesDir: string;
let connector: FakeBotConnector;
let service: TestService;
let workDir: string;

function io(): CliIo & { out_: string[]; err_: string[] } {
  const out_: string[] = [];
  const err_: string[] = [];
  return { out_, err_, out: (l) => out_.push(l), err: (l) => err_.push(l), readStdin: async () => "" };
}

async function audit(
  subcommand: string,
  args: string[],
  opts: Record<string, unknown> = { redis: redis.url },
): Promise<{ code: number; out: string; err: string; lines: string[] }> {
  const o = io();
  const code = await runAuditCommand(subcommand, args, opts, o, { env: {} });
  return { code, out: o.out_.join("\n"), err: o.err_.join("\n"), lines: o.out_ };
}

beforeAll(async () => {
  bundlesDir = tempDir();
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-shown-view-"));
  await writeBundle(bundlesDir, "example", { revision: "shown-1" });
  connector = await startFakeBotConnector();
  service = await approvalTestService({
    bundlesDir,
    redisUrl: redis.url,
    configure: (c) => ({
      ...c,
      server: { ...c.server, publicUrl: "https://countersign.test" },
      identities: c.identities.map((i) => (i.id === "user:alice" ? { ...i, displayName: "Alice Example" } : i)),
      teams: { default_channel: "approvals", emulator_url: connector.serviceUrl },
      console: {},
    }),
    env: { COUNTERSIGN_CONSOLE_SESSION_KEY: "shown-view-test-session-key-0123456789abcdef" },
  });
  const subscribed = await send(reviewerMessage(APPROVALS_CHANNEL, connector.serviceUrl, REVIEWERS.bob, "subscribe approvals"));
  expect(subscribed.status).toBe(200);
});

function send(activity: Record<string, unknown>) {
  return request(service.app).post("/api/messages").set("content-type", "application/json").send(JSON.stringify(activity));
}

async function openApproval(table: string): Promise<string> {
  return approvalIdOf(
    await approvalClient(service.app).decide(
      AUTH.caller,
      exportBody({ action: { name: "db.export", params: { table, query: SECRET_QUERY } } }),
    ),
  );
}

const sha256 = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

describe("countersign audit view", () => {
  let teamsId = "";
  let teamsDigest = "";
  let consoleId = "";
  let consoleDigest = "";
  let apiId = "";
  let exportFile = "";

  it("keeps the Teams card a reviewer approved from, and prints it back by digest and by request", async () => {
    teamsId = await openApproval("customers");
    const cards = new RedisConversationStore(redis.connect(), new ConversationKeys("countersign:teams:"));
    const posted = await eventually(async () => (await cards.card(teamsId)) ?? undefined, "the card posted");
    const sent = connector.posts().find((p) => JSON.stringify(p.body).includes(teamsId))!;
    const card = (sent.body as { attachments: { content: { actions: { title: string; data: Record<string, unknown> }[] } }[] })
      .attachments[0]!.content;
    teamsDigest = sha256(canonicalJson(card));
    const approve = card.actions.find((a) => a.title === "Approve")!;
    const click = await send(
      reviewerClick(
        APPROVALS_CHANNEL,
        connector.serviceUrl,
        REVIEWERS.alice,
        APPROVE_VERB,
        { ...approve.data, comment: "checked in Teams" },
        { replyToId: posted.activityId },
      ),
    );
    expect(click.status).toBe(200);
    expect((await approvalClient(service.app).read(AUTH.caller, teamsId)).body).toMatchObject({ status: "approved" });

    const byDigest = await audit("view", [teamsDigest]);
    expect(byDigest.err).toBe("audit view: 1 verdict, 1 view hash to their recorded digests");
    expect(byDigest.code).toBe(0);
    expect(byDigest.lines[0]).toMatch(
      new RegExp(`^seq \\d+ · .+ · approval ${teamsId} · approve by user:alice via teams · shown version 1$`),
    );
    expect(byDigest.out).toContain(`digest ${teamsDigest}: ok, the kept view hashes to it`);
    expect(byDigest.out).toContain("hidden from the reviewer: /action/params/query");
    // The printed view is the card Teams received, masked as it was.
    const printed = byDigest.out.slice(byDigest.out.indexOf("\n{") + 1);
    expect(JSON.parse(printed)).toEqual(card);
    expect(byDigest.out).not.toContain("SECRET-QUERY");
    expect(byDigest.out).toContain("[MASKED]");

    const byRequest = await audit("view", [teamsId]);
    expect(byRequest.code).toBe(0);
    expect(byRequest.out).toContain(`digest ${teamsDigest}: ok`);
  });

  it("keeps the console's page model a reviewer decided on, and prints it back", async () => {
    consoleId = await openApproval("orders");
    const dave = await consoleSignIn(service.app, "user:dave");
    const cast = await dave.verdict(consoleId, "deny", "not from the console today");
    expect(cast.status).toBe(303);
    consoleDigest = cast.digest;
    expect((await approvalClient(service.app).read(AUTH.caller, consoleId)).body).toMatchObject({ status: "denied" });

    const shown = await audit("view", [consoleDigest]);
    expect(shown.code).toBe(0);
    expect(shown.lines[0]).toContain(`approval ${consoleId} · deny by user:dave via console · shown version ${cast.version}`);
    expect(shown.out).toContain('comment: "not from the console today"');
    expect(shown.out).toContain(`digest ${consoleDigest}: ok, the kept view hashes to it`);
    const model = JSON.parse(shown.out.slice(shown.out.indexOf("\n{") + 1)) as Record<string, unknown>;
    expect(model).toMatchObject({ id: consoleId, version: cast.version, status: "pending", viewer: { id: "user:dave", canDecide: true } });
    expect(sha256(canonicalJson(model))).toBe(consoleDigest);
    expect(shown.out).not.toContain("SECRET-QUERY");
  });

  it("says an API verdict recorded no view, and fails for a digest nobody was shown", async () => {
    apiId = await openApproval("invoices");
    expect((await approvalClient(service.app).verdict(AUTH.alice, apiId, { verdict: "approve" })).status).toBe(200);
    const api = await audit("view", [apiId]);
    expect(api.code).toBe(1);
    expect(api.out).toContain("no view recorded: the reviewer read the request through the API");
    expect(api.err).toBe("audit view: 1 verdict, 0 views hash to their recorded digests, 1 kept no view");
    const none = await audit("view", ["0".repeat(64)]);
    expect(none.code).toBe(1);
    expect(none.err).toBe(`audit view: no verdict in the trail recorded a view with digest ${"0".repeat(64)}`);
    await expect(audit("view", [])).rejects.toMatchObject({ code: "COUNTERSIGN_CLI_USAGE" });
  });

  it("the trail still verifies, and an export shows each verdict's view digest", async () => {
    const verify = await audit("verify", []);
    expect(verify.out).toMatch(/^ok: \d+ entries, head [0-9a-f]{64}$/);
    expect(verify.code).toBe(0);

    const exported = await audit("export", []);
    expect(exported.code).toBe(0);
    exportFile = path.join(workDir, "trail.jsonl");
    await fs.writeFile(exportFile, exported.lines.join("\n") + "\n");
    const verdicts = exported.lines.map((l) => JSON.parse(l) as Record<string, any>).filter((e) => e["type"] === "approval.verdict");
    expect(verdicts.map((v) => [v["approval_id"], v["channel"], v["shown"]?.digest])).toEqual([
      [teamsId, "teams", teamsDigest],
      [consoleId, "console", consoleDigest],
      [apiId, "api", undefined],
    ]);
    for (const v of verdicts.filter((e) => e["shown"] !== undefined)) expect(sha256(v["shown"].view)).toBe(v["shown"].digest);
    expect((await audit("verify", [exportFile], {})).code).toBe(0);
    const fromFile = await audit("view", [consoleDigest, exportFile], {});
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toContain(`digest ${consoleDigest}: ok`);
  });

  it("reports a view altered in the trail: it no longer hashes to the recorded digest", async () => {
    const lines = (await fs.readFile(exportFile, "utf8")).trimEnd().split("\n");
    const i = lines.findIndex((l) => l.includes(`"digest":"${teamsDigest}"`));
    const entry = JSON.parse(lines[i]!) as { shown: { view: string } };
    // Someone "restores" a hidden value in the kept card, to claim the reviewer saw it.
    expect(entry.shown.view).toContain("[MASKED]");
    entry.shown.view = entry.shown.view.replace("[MASKED]", "select 1");
    lines[i] = JSON.stringify(entry);
    const tampered = path.join(workDir, "tampered.jsonl");
    await fs.writeFile(tampered, lines.join("\n") + "\n");

    const view = await audit("view", [teamsDigest, tampered], {});
    expect(view.code).toBe(1);
    expect(view.out).toMatch(
      new RegExp(`digest ${teamsDigest}: MISMATCH, the kept view hashes to [0-9a-f]{64}: it is not the view the reviewer was shown`),
    );
    expect(view.err).toBe("audit view: 1 verdict, 0 views hash to their recorded digests, 1 DO NOT: the trail was altered");
    const verify = await audit("verify", [tampered], {});
    expect(verify.code).toBe(1);
    // The untouched entries of the same file still print back.
    expect((await audit("view", [consoleDigest, tampered], {})).code).toBe(0);
  });
});
