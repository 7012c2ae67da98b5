/**
 * What a crash leaves behind, and the recovery pass settling it, on a real redis-server with a real audit
 * trail: a request stored before its creating decision was recorded is hidden, then withdrawn (and the
 * withdrawal recorded); one whose decision was recorded is confirmed and announced; verdicts, final states,
 * grants issued and grants spent that committed without their audit events are recorded, flagged
 * `recovered`, exactly once; the trail verifies afterwards.
 */

import type Redis from "ioredis";
import { ApprovalEventBus, type ApprovalEvent, type ApprovalEventListener } from "../../src/approvals/approval-events";
import { ApprovalKeys } from "../../src/approvals/approval-keys";
import { journalAckListener, RedisApprovalJournal } from "../../src/approvals/approval-journal";
import { ApprovalService } from "../../src/approvals/approval-service";
import { JournalRecovery } from "../../src/approvals/journal-recovery";
import { RedisApprovalStore } from "../../src/approvals/redis-approval-store";
import { approvalAuditListener } from "../../src/audit/approval-audit";
import { decisionEvent } from "../../src/audit/audit-event";
import { recordedEventsOf } from "../../src/audit/recorded-events";
import { verifyStoredTrail } from "../../src/audit/verify";
import { generateKeyPairSync } from "node:crypto";
import { signingKeyFrom } from "../../src/grants/grant-signing-key";
import { GrantService } from "../../src/grants/grant-service";
import { makeTrail } from "../audit/audit-fixtures";
import { useRedisServer } from "../support/redis-server";
import { alice, exportRequest } from "./approval-fixtures";
import { storedEntries } from "../audit/audit-fixtures";

const redis = useRedisServer({ flushBetweenTests: true });

/** Real time plus an offset the test moves: stream ids (Redis time) and the service agree. */
class MovingClock {
  offsetMs = 0;
  nowNs(): bigint {
    return BigInt(Date.now() + this.offsetMs) * 1_000_000n;
  }
}

interface World {
  readonly conn: Redis;
  readonly clock: MovingClock;
  readonly store: RedisApprovalStore;
  readonly journal: RedisApprovalJournal;
  readonly trail: ReturnType<typeof makeTrail>;
  /** Whether the audit listener records; off, it throws as a crash-in-between would leave things. */
  auditUp: boolean;
  readonly service: ApprovalService;
  readonly grants: GrantService;
  readonly recovery: JournalRecovery;
  entries(): Promise<Record<string, unknown>[]>;
}

async function world(): Promise<World> {
  const conn = redis.connect();
  const clock = new MovingClock();
  const keys = new ApprovalKeys();
  const store = new RedisApprovalStore(conn, { keys });
  const journal = new RedisApprovalJournal(conn, keys);
  const trail = makeTrail(conn, { clock });
  const audit = approvalAuditListener(trail.trail, journal);
  const w: World = {
    conn,
    clock,
    store,
    journal,
    trail,
    auditUp: true,
    service: undefined as unknown as ApprovalService,
    grants: undefined as unknown as GrantService,
    recovery: new JournalRecovery({ store, journal, audit, recorded: recordedEventsOf(trail.store), clock, graceMs: 30_000 }),
    entries: async () => storedEntries(conn),
  };
  // The audit listener as the service has it, except that it can be "down" (the process died before it ran).
  const gated: ApprovalEventListener = {
    onApprovalEvent: async (event: ApprovalEvent) => {
      if (!w.auditUp) throw new Error("the service stopped here");
      await audit.onApprovalEvent(event);
    },
  };
  const events = new ApprovalEventBus([gated]);
  const grants = new GrantService({
    redis: conn,
    key: await signingKeyFrom(generateKeyPairSync("ed25519").privateKey),
    clock,
    keys,
    events,
  });
  Object.assign(w, { grants, service: new ApprovalService({ store, clock, events, grants }) });
  return w;
}

const decision = (decisionId: string) =>
  decisionEvent({
    decisionId,
    caller: "svc:ci",
    input: exportRequest().request,
    outcome: "require_approval",
    reasons: ["needs a dba"],
    policy: null,
  });

describe("a request stored before its decision was recorded", () => {
  it("is hidden from verdicts and the inbox, then withdrawn after the grace period, with the withdrawal recorded", async () => {
    const w = await world();
    const stopped = w.service.createFromDecision({
      ...exportRequest({ decisionId: "dec_lost" }),
      beforeAnnounce: () => new Promise<void>(() => undefined), // the process dies while recording the decision
    });
    void stopped;
    // Wait (not a fixed pause: a loaded machine may take longer) until the request is stored, unrecorded.
    const unrecorded = async (): Promise<string | undefined> => (await w.conn.zrange(new ApprovalKeys().unrecordedIndex, "0", "-1"))[0];
    let id = await unrecorded();
    for (const deadline = Date.now() + 5_000; id === undefined && Date.now() < deadline; id = await unrecorded()) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(id).toBeDefined();
    await expect(w.service.castVerdict({ approvalId: id!, reviewer: alice, verdict: "approve", channel: "api" })).rejects.toMatchObject({
      code: "COUNTERSIGN_APPROVAL_NOT_FOUND",
    });
    expect((await w.service.inbox({ reviewer: alice })).approvals).toEqual([]);

    expect(await w.recovery.run()).toMatchObject({ withdrawn: 0 }); // too young: a live instance may still be at it
    w.clock.offsetMs = 31_000;
    expect(await w.recovery.run()).toMatchObject({ withdrawn: 1 });
    expect(await w.store.get(id!)).toBeNull();
    expect(await w.journal.length()).toBe(0);
    const entries = await w.entries();
    expect(entries.map((e) => e["type"])).toEqual(["approval.withdrawn"]);
    expect(entries[0]).toMatchObject({ approval_id: id, decision_id: "dec_lost", caller: "svc:ci" });
    expect((await verifyStoredTrail(w.trail.store, { keys: [w.trail.key.verification] })).ok).toBe(true);
  });

  it("is confirmed and announced when the trail does hold its decision (the service stopped just after)", async () => {
    const w = await world();
    void w.service.createFromDecision({
      ...exportRequest({ decisionId: "dec_kept" }),
      beforeAnnounce: async () => {
        await w.trail.trail.record(decision("dec_kept"));
        await new Promise<void>(() => undefined); // dies before marking the request recorded
      },
    });
    await new Promise((r) => setTimeout(r, 100));
    const [id] = await w.conn.zrange(new ApprovalKeys().unrecordedIndex, "0", "-1");
    w.clock.offsetMs = 31_000;
    expect(await w.recovery.run()).toMatchObject({ confirmed: 1, recovered: 1, withdrawn: 0 });
    expect((await w.entries()).map((e) => [e["type"], e["recovered"]])).toEqual([
      ["decision", undefined],
      ["approval.created", true],
    ]);
    const approved = await w.service.castVerdict({ approvalId: id!, reviewer: alice, verdict: "approve", channel: "api" });
    expect(approved.status).toBe("approved");
  });
});

describe("changes committed without their audit events", () => {
  it("are recorded by the recovery pass, flagged recovered, exactly once", async () => {
    const w = await world();
    const { approval } = await w.service.createFromDecision({
      ...exportRequest({ decisionId: "dec_1" }),
      beforeAnnounce: async () => void (await w.trail.trail.record(decision("dec_1"))),
    });
    w.auditUp = false; // from here the process "dies" after each commit
    await w.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" });
    const read = await w.service.get({ approvalId: approval.id, viewer: { id: "svc:ci", roles: [] } });
    expect(read.grant).toBeDefined();
    await w.grants.redeem(read.grant!.token, exportRequest().request, { caller: "svc:ci", via: "redeem" });
    expect(await w.journal.length()).toBe(4); // verdict, final, grant issued, grant redeemed

    w.auditUp = true;
    expect(await w.recovery.run()).toMatchObject({ recovered: 0 }); // within the grace period
    w.clock.offsetMs = 31_000;
    expect(await w.recovery.run()).toMatchObject({ recovered: 4 });
    expect(await w.journal.length()).toBe(0);
    expect(await w.recovery.run()).toMatchObject({ recovered: 0, alreadyRecorded: 0 });

    const entries = await w.entries();
    expect(entries.map((e) => e["type"])).toEqual([
      "decision",
      "approval.created",
      "approval.verdict",
      "approval.final",
      "grant.issued",
      "grant.redeemed",
    ]);
    expect(entries.slice(2).every((e) => e["recovered"] === true)).toBe(true);
    expect(entries[2]).toMatchObject({ approval_id: approval.id, reviewer: "user:alice", verdict: "approve" });
    expect(entries[3]).toMatchObject({ approval_id: approval.id, outcome: "approved", approvers: ["user:alice"] });
    expect((await verifyStoredTrail(w.trail.store, { keys: [w.trail.key.verification] })).ok).toBe(true);
  });

  it("are not recorded twice when the event was stored but its journal entry not deleted", async () => {
    const w = await world();
    const { approval } = await w.service.createFromDecision({
      ...exportRequest({ decisionId: "dec_2" }),
      beforeAnnounce: async () => void (await w.trail.trail.record(decision("dec_2"))),
    });
    const journal = w.journal;
    const ack = journal.ack.bind(journal);
    journal.ack = async () => undefined; // the process dies between recording and deleting
    await w.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "deny", channel: "api" });
    journal.ack = ack;
    expect(await w.journal.length()).toBeGreaterThanOrEqual(2);
    w.clock.offsetMs = 31_000;
    const report = await w.recovery.run();
    expect(report.recovered).toBe(0);
    expect(report.alreadyRecorded).toBeGreaterThanOrEqual(2);
    expect(await w.journal.length()).toBe(0);
    expect((await w.entries()).map((e) => e["type"])).toEqual(["decision", "approval.created", "approval.verdict", "approval.final"]);
  });
});

describe("the journal in steady state", () => {
  it("is empty after every change, and a service without a trail still empties it", async () => {
    const w = await world();
    const { approval } = await w.service.createFromDecision({
      ...exportRequest({ decisionId: "dec_3" }),
      beforeAnnounce: async () => void (await w.trail.trail.record(decision("dec_3"))),
    });
    await w.service.castVerdict({ approvalId: approval.id, reviewer: alice, verdict: "approve", channel: "api" });
    expect(await w.journal.length()).toBe(0);

    const bare = new ApprovalService({ store: w.store, clock: w.clock, events: new ApprovalEventBus([journalAckListener(w.journal)]) });
    const other = await bare.createFromDecision(
      exportRequest({ decisionId: "dec_4", request: { ...exportRequest().request, resource: { type: "database", id: "prod/other" } } }),
    );
    await bare.cancel({ approvalId: other.approval.id, caller: { id: "svc:ci", roles: [] } });
    expect(await w.journal.length()).toBe(0);
  });
});
