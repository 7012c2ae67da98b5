/**
 * The audit trail as the service writes it, on a real redis-server: a full approval flow through HTTP leaves
 * the expected events in order and an export that verifies; masked values (the example policy's
 * `/action/params/query`, a context member named `password`) never appear in clear in the stream, the
 * mirror file or an export; `GET /v1/audit` answers auditors only; two instances deciding at once leave one
 * gap-free chain that verifies.
 */

import { createServer } from "node:http";
import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import request from "supertest";
import { runAuditCommand } from "../../src/cli/audit-command";
import { decisionView } from "../../src/audit/decision-entry";
import { decodeEntry, decodePack } from "../../src/audit/entry-codec";
import { storedEntries } from "./audit-fixtures";
import type { CliIo } from "../../src/cli/cli-io";
import { approvalClient, approvalIdOf } from "../http/approval-client";
import {
  approvalTestService,
  AUTH,
  decideBody,
  eventually,
  exportBody,
  removeTempDirs,
  tempDir,
  writeBundle,
  type TestService,
} from "../http/service-harness";
import { useRedisServer } from "../support/redis-server";

const redis = useRedisServer({ flushBetweenTests: true });
let bundlesDir: string;
const services: TestService[] = [];

beforeAll(async () => {
  bundlesDir = tempDir();
  await writeBundle(bundlesDir, "example", { revision: "audit-1" });
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
});
afterAll(() => removeTempDirs());

async function service(): Promise<TestService> {
  const s = await approvalTestService({ bundlesDir, redisUrl: redis.url });
  services.push(s);
  return s;
}

function capture(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), readStdin: async () => "" };
}

/** `countersign audit export`, then `countersign audit verify` of what it wrote. */
async function exportAndVerify(): Promise<{ exported: string; entries: Record<string, unknown>[]; verdict: string; code: number }> {
  const out = capture();
  expect(await runAuditCommand("export", [], { redis: redis.url }, out, { env: {} })).toBe(0);
  const exported = out.lines.join("\n");
  const file = path.join(tempDir(), "trail.jsonl");
  fs.writeFileSync(file, exported + "\n");
  const v = capture();
  const code = await runAuditCommand("verify", [file], {}, v, { env: {} });
  const entries = exported
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => typeof e["type"] === "string");
  return { exported, entries, verdict: v.lines.join("\n"), code };
}

const SECRET_QUERY = "select card_number from payments where owner='SECRET-QUERY-7f3a'";
const SECRET_PASSWORD = "hunter2-PASSWORD-91c4";

describe("a full approval flow through HTTP", () => {
  it("records decision, approval.created, verdict, final, grant issued, grant redeemed and the allow, in that order, and its export verifies", async () => {
    const s = await service();
    const api = approvalClient(s.app);
    const body = exportBody({
      action: { name: "db.export", params: { table: "customers", query: SECRET_QUERY } },
      context: { reason: "quarterly report", ticket: "OPS-1234", password: SECRET_PASSWORD },
    });
    const opened = await api.decide(AUTH.caller, body);
    expect(opened.body.outcome).toBe("require_approval");
    const id = approvalIdOf(opened);
    expect((await api.verdict(AUTH.bob, id, { verdict: "approve" })).status).toBe(403); // wrong role: refused, recorded
    expect((await api.verdict(AUTH.alice, id, { verdict: "approve", comment: "ticket checked" })).status).toBe(200);
    const grant = (await api.read(AUTH.caller, id)).body.grant as string;
    const allowed = await api.decide(AUTH.caller, { ...body, grant });
    expect(allowed.body).toMatchObject({ outcome: "allow", reasons: ["approved by user:alice"] });

    const { entries, verdict, code, exported } = await exportAndVerify();
    expect(verdict).toMatch(/^ok: \d+ entries, head [0-9a-f]{64}$/m);
    expect(code).toBe(0);
    // Decision entries read in full (the export holds them as stored: version 2, each fact once).
    const flow = entries.filter((e) => e["type"] !== "bundle.activated").map((e) => decisionView(e));
    expect(flow.map((e) => [e["type"], e["outcome"] ?? e["verdict"] ?? e["via"] ?? null])).toEqual([
      ["decision", "require_approval"],
      ["approval.created", null],
      ["approval.verdict_refused", "approve"],
      ["approval.verdict", "approve"],
      ["approval.final", "approved"],
      ["grant.issued", null],
      ["grant.redeemed", "decide"],
      ["decision", "allow"],
    ]);
    const [decided, created, refused, voted, final, issued, redeemed, allow] = flow as Record<string, unknown>[];
    expect(decided).toMatchObject({
      decision_id: opened.body.decision_id,
      approval_id: id,
      caller: "svc:ci",
      actor: "agent:deploy-bot",
      bundles: { countersign: { revision: "audit-1" } },
    });
    expect(created).toMatchObject({ approval_id: id, decision_id: opened.body.decision_id, quorum: 1 });
    expect(refused).toMatchObject({ reviewer: "user:bob", channel: "api", reason: { code: "COUNTERSIGN_NOT_ELIGIBLE" } });
    expect(voted).toMatchObject({ reviewer: "user:alice", channel: "api", comment: "ticket checked" });
    expect(final).toMatchObject({ approval_id: id, approvers: ["user:alice"] });
    expect(issued).toMatchObject({ approval_id: id, approvers: ["user:alice"] });
    expect(redeemed).toMatchObject({ approval_id: id, caller: "svc:ci", decision_id: allow!["decision_id"] });
    expect(allow).toMatchObject({ approval_id: id, outcome: "allow" });
    // Sequence numbers run without gaps from 1.
    expect(entries.map((e) => e["seq"])).toEqual(entries.map((_, i) => i + 1));
    // The grant token itself is a bearer credential: never in the trail.
    expect(exported).not.toContain(grant);
  });

  it("never stores masked values in clear: not in the stream (raw), the mirror file or an export", async () => {
    const s = await service();
    const api = approvalClient(s.app);
    const body = exportBody({
      action: { name: "db.export", params: { table: "customers", query: SECRET_QUERY } },
      context: { reason: "quarterly report", password: SECRET_PASSWORD },
    });
    const id = approvalIdOf(await api.decide(AUTH.caller, body));
    await api.verdict(AUTH.alice, id, { verdict: "approve" });
    await api.decide(AUTH.caller, decideBody({ context: { reason: "nightly", password: SECRET_PASSWORD } }));

    // The stream as stored: its raw bytes, and each stored entry as text (inflated when kept deflated, entry-codec.ts).
    const rows = await redis.connect().xrangeBuffer("countersign:audit", "-", "+");
    const stored = rows.flatMap(([, fields]) =>
      fields.flatMap((value, i) => {
        const field = i % 2 === 0 ? "" : fields[i - 1]!.toString();
        return field === "b" ? decodePack(value) : field === "z" ? [decodeEntry(value)] : field === "e" ? [value.toString("utf8")] : [];
      }),
    );
    expect(stored.length).toBeGreaterThanOrEqual(rows.length);
    expect(stored.length).toBe((await storedEntries(redis.connect())).length);
    const raw = JSON.stringify(await redis.connect().call("XRANGE", "countersign:audit", "-", "+")) + "\n" + stored.join("\n");
    expect(raw).toContain("quarterly report"); // the dump is readable: the search below means something
    const mirrorFile = s.config.audit.mirror_file!;
    const mirror = await eventually(() => {
      const text = fs.existsSync(mirrorFile) ? fs.readFileSync(mirrorFile, "utf8") : "";
      return text.split("\n").filter((l) => l !== "").length >= 4 ? text : undefined;
    }, "the mirror file");
    const { exported } = await exportAndVerify();
    for (const [where, text] of [
      ["stream", raw],
      ["mirror", mirror],
      ["export", exported],
    ] as const) {
      for (const secret of [SECRET_QUERY, SECRET_PASSWORD])
        expect({ where, found: text.includes(secret) }).toEqual({ where, found: false });
    }
    expect(mirror).toContain('"$masked":"sha256:');
  });
});

describe("GET /v1/audit", () => {
  it("answers an auditor with filtered, paged entries, and refuses anyone else with 403", async () => {
    const s = await service();
    const api = approvalClient(s.app);
    const id = approvalIdOf(await api.decide(AUTH.caller, exportBody()));
    await api.decide(AUTH.caller, decideBody());

    const forbidden = await request(s.app).get("/v1/audit").set("Authorization", AUTH.caller);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe("COUNTERSIGN_FORBIDDEN");
    expect((await request(s.app).get("/v1/audit").set("Authorization", AUTH.alice)).status).toBe(403);

    const byApproval = await request(s.app).get(`/v1/audit?approval_id=${id}&order=oldest`).set("Authorization", AUTH.erin);
    expect(byApproval.status).toBe(200);
    expect(byApproval.body.entries.map((e: { type: string }) => e.type)).toEqual(["decision", "approval.created"]);
    const decisions = await request(s.app).get("/v1/audit?type=decision&outcome=allow").set("Authorization", AUTH.erin);
    expect(decisions.body.entries).toHaveLength(1);
    const page = await request(s.app).get("/v1/audit?limit=1").set("Authorization", AUTH.erin);
    expect(page.body.entries).toHaveLength(1);
    expect(typeof page.body.next_cursor).toBe("string");
    const next = await request(s.app).get(`/v1/audit?limit=1&cursor=${page.body.next_cursor}`).set("Authorization", AUTH.erin);
    expect(next.body.entries[0].seq).toBe(page.body.entries[0].seq - 1);
    const bad = await request(s.app).get("/v1/audit?colour=red").set("Authorization", AUTH.erin);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("COUNTERSIGN_AUDIT_BAD_QUERY");
  });
});

describe("two service instances on one Redis", () => {
  it("deciding concurrently (1,200 decisions) leave one gap-free chain that verifies", async () => {
    const a = await service();
    const b = await service();
    const servers = [a, b].map((s) => createServer(s.app).listen(0, "127.0.0.1"));
    try {
      await Promise.all(servers.map((srv) => new Promise((r) => srv.once("listening", r))));
      const urls = servers.map((srv) => `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/decide`);
      const total = 1200;
      let next = 0;
      const outcomes: Record<string, number> = {};
      const started = Date.now();
      const worker = async (w: number): Promise<void> => {
        for (let i = next++; i < total; i = next++) {
          const res = await fetch(urls[(i + w) % 2]!, {
            method: "POST",
            headers: { authorization: AUTH.caller, "content-type": "application/json" },
            body: JSON.stringify(decideBody({ context: { reason: `run ${i}` } })),
          });
          const answer = (await res.json()) as { outcome: string };
          outcomes[answer.outcome] = (outcomes[answer.outcome] ?? 0) + 1;
        }
      };
      await Promise.all(Array.from({ length: 32 }, (_, w) => worker(w)));
      const seconds = (Date.now() - started) / 1000;
      console.log(`two instances, ${total} decisions in ${seconds.toFixed(2)} s (${Math.round(total / seconds)} decisions/s)`);
      expect(outcomes).toEqual({ allow: total });

      const { entries, verdict, code } = await exportAndVerify();
      expect(code).toBe(0);
      expect(verdict).toMatch(/^ok: \d+ entries/m);
      const decisions = entries.filter((e) => e["type"] === "decision");
      expect(decisions).toHaveLength(total);
      expect(new Set(decisions.map((e) => (e["labels"] as { id: string }).id)).size).toBe(2);
      expect(entries.map((e) => e["seq"])).toEqual(entries.map((_, i) => i + 1));
      const live = capture();
      expect(await runAuditCommand("verify", [], { redis: redis.url }, live, { env: {} })).toBe(0);
    } finally {
      await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
    }
  });
});
