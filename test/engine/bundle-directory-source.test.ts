/**
 * Serving bundles from a directory: our bundles and OPA-layout ones, hot reload on atomic writes, refusal
 * of bad bundles with the last good one serving, removal, and the rule for several bundles.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeBundleFile, writeFileAtomic } from "../../src/bundle/bundle-writer";
import { compile } from "../../src/compiler/compile";
import { BundleDirectorySource, type BundleDirectorySourceOptions } from "../../src/engine/bundle-directory-source";
import { PolicyEngine } from "../../src/engine/policy-engine";
import type { ActivatedEvent, RefusedEvent, RemovedEvent } from "../../src/engine/policy-source";
import { makeTarGz } from "../bundle/fixtures/tarball";
import { bundleFrom, constantDecision, decisionPolicy, eventually, recordingLogger } from "./engine-fixtures";

let dir: string;
const sources: BundleDirectorySource[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "countersign-bundles-"));
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** A started source with its engine, events and log. */
async function serve(opts: Partial<BundleDirectorySourceOptions> = {}) {
  const logger = recordingLogger();
  const source = new BundleDirectorySource({ dir, logger, debounceMs: 20, ...opts });
  sources.push(source);
  const activated: ActivatedEvent[] = [];
  const refused: RefusedEvent[] = [];
  const removed: RemovedEvent[] = [];
  source.subscribe({ onActivated: (e) => activated.push(e), onRefused: (e) => refused.push(e), onRemoved: (e) => removed.push(e) });
  await source.start();
  return { source, engine: new PolicyEngine(source, { logger }), logger, activated, refused, removed };
}

/** Writes a bundle whose decision is `allow` with the revision as its reason. */
async function writeRevision(file: string, revision: string): Promise<void> {
  const bundle = await bundleFrom({ "p.rego": constantDecision({ outcome: "allow", reasons: [revision] }) }, { revision });
  await writeBundleFile(path.join(dir, file), bundle);
}

describe("loading", () => {
  it("serves countersign.tar.gz as written by countersign build, and reports it in the status", async () => {
    await writeRevision("countersign.tar.gz", "r1");
    const { engine, source, activated } = await serve({ watch: false });
    expect(engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r1"], policy: { bundle: "countersign", revision: "r1" } });
    expect(activated).toEqual([
      { bundle: "countersign", revision: "r1", file: path.join(dir, "countersign.tar.gz"), previousRevision: null },
    ]);
    const status = source.status();
    expect(status).toMatchObject({
      kind: "bundle-directory",
      location: dir,
      decisionBundle: "countersign",
      ready: true,
      active: { bundle: "countersign", revision: "r1", file: path.join(dir, "countersign.tar.gz") },
      reloadFailures: 0,
      lastFailure: null,
      bundles: [{ bundle: "countersign", serving: true, revision: "r1", refusal: null }],
    });
    expect(status.active?.activatedAt).toBeInstanceOf(Date);
    expect(status.lastReloadAt).toBeInstanceOf(Date);
  });

  it("serves a bundle laid out as `opa build -t wasm` writes it, with its data.json", async () => {
    // No opa binary exists here, so the module comes from our compiler; the archive around it is OPA's:
    // entries named with a leading "/", data.json first, the Rego source, the wasm, the manifest last
    // (OPA's field order, no Countersign metadata).
    const policy = decisionPolicy(`default decision := {"outcome": "deny", "reasons": ["not an admin"]}
decision := {"outcome": "allow", "reasons": ["admin"]} if input.actor.id in data.admins`);
    const compiled = compile({ modules: [{ file: "/rego/decision.rego", text: policy }], entrypoints: ["countersign/decision"] });
    if (!compiled.ok) throw new Error(JSON.stringify(compiled.diagnostics));
    // Without --revision, opa build writes an empty revision.
    const manifest =
      '{"revision":"","roots":[""],"wasm":[{"entrypoint":"countersign/decision","module":"/policy.wasm"}],"rego_version":1}\n';
    const tarball = await makeTarGz([
      { name: "/data.json", body: '{"admins":["user:ana"]}\n', mode: 0o600 },
      { name: "/rego/decision.rego", body: policy, mode: 0o600 },
      { name: "/policy.wasm", body: compiled.wasm, mode: 0o600 },
      { name: "/.manifest", body: manifest, mode: 0o600 },
    ]);
    await fs.writeFile(path.join(dir, "countersign.tar.gz"), tarball);
    const { engine } = await serve({ watch: false });
    const allowed = engine.decide({ actor: { id: "user:ana" } });
    expect(allowed).toMatchObject({ outcome: "allow", reasons: ["admin"], policy: { bundle: "countersign" } });
    // The empty revision is reported as a prefix of the file's hash, so decisions still name the policy.
    expect(allowed.policy?.revision).toMatch(/^sha256:[0-9a-f]{16}$/);
    expect(engine.decide({ actor: { id: "user:bob" } })).toMatchObject({ outcome: "deny", reasons: ["not an admin"] });
  });

  it("refuses a bundle without the countersign/decision entrypoint", async () => {
    const other = await bundleFrom({ "p.rego": "package other\n\nallow := true\n" }, { entrypoints: ["other/allow"] });
    await writeBundleFile(path.join(dir, "countersign.tar.gz"), other);
    const { engine, source, refused } = await serve({ watch: false });
    expect(refused).toEqual([
      expect.objectContaining({
        bundle: "countersign",
        code: "COUNTERSIGN_BUNDLE_NO_DECISION",
        reason: expect.stringContaining("does not serve countersign/decision"),
      }),
    ]);
    expect(source.status()).toMatchObject({
      ready: false,
      active: null,
      reloadFailures: 1,
      lastFailure: { code: "COUNTERSIGN_BUNDLE_NO_DECISION" },
    });
    expect(engine.decide({}).failure?.code).toBe("COUNTERSIGN_POLICY_MISSING");
  });

  it("refuses a bundle whose decision raises an error on a minimal request", async () => {
    const conflicting = decisionPolicy(`decision := {"outcome": "allow"} if true
decision := {"outcome": "deny"} if true`);
    await writeBundleFile(path.join(dir, "countersign.tar.gz"), await bundleFrom({ "p.rego": conflicting }));
    const { refused, logger } = await serve({ watch: false });
    expect(refused).toEqual([
      expect.objectContaining({ code: "COUNTERSIGN_BUNDLE_SMOKE_FAILED", reason: expect.stringMatching(/eval_conflict_error/) }),
    ]);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: expect.stringContaining("policy bundle countersign refused (no policy is serving: decisions are denied)"),
      }),
    );
  });

  it("starts without a bundle directory, logging why nothing serves", async () => {
    dir = path.join(dir, "missing");
    const { source, engine, logger } = await serve({ watch: false });
    expect(source.status().ready).toBe(false);
    expect(engine.decide({}).failure?.code).toBe("COUNTERSIGN_POLICY_MISSING");
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: expect.stringMatching(/^cannot read the bundle directory .*missing: no such file or directory$/),
      }),
    );
  });

  it("picks up a bundle directory created after start, by polling it while it cannot be watched", async () => {
    const root = dir;
    dir = path.join(root, "later");
    const { engine, activated } = await serve({ fallbackPollMs: 25 });
    expect(engine.decide({}).failure?.code).toBe("COUNTERSIGN_POLICY_MISSING");
    await fs.mkdir(dir);
    await writeRevision("countersign.tar.gz", "late");
    await eventually(() => activated[0], "the late bundle");
    expect(engine.decide({}).policy?.revision).toBe("late");
    dir = root;
  });
});

describe("hot reload", () => {
  it("serves a new revision written atomically, without a restart", async () => {
    await writeRevision("countersign.tar.gz", "r1");
    const { engine, activated } = await serve();
    expect(engine.decide({}).policy?.revision).toBe("r1");

    await writeRevision("countersign.tar.gz", "r2");
    const event = await eventually(() => activated.find((e) => e.revision === "r2"), "revision r2 to be activated");
    expect(event).toEqual({ bundle: "countersign", revision: "r2", file: path.join(dir, "countersign.tar.gz"), previousRevision: "r1" });
    expect(engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r2"], policy: { revision: "r2" } });
  });

  it("keeps the last good bundle serving when a corrupt one replaces it", async () => {
    await writeRevision("countersign.tar.gz", "r1");
    const { engine, source, refused } = await serve();

    await writeFileAtomic(path.join(dir, "countersign.tar.gz"), Buffer.from("this is not a gzip stream"));
    const event = await eventually(() => refused[0], "the corrupt bundle to be refused");
    expect(event).toMatchObject({ bundle: "countersign", file: path.join(dir, "countersign.tar.gz"), code: "COUNTERSIGN_BUNDLE_CORRUPT" });
    expect(engine.decide({})).toMatchObject({ outcome: "allow", reasons: ["r1"], policy: { revision: "r1" } });
    expect(source.status()).toMatchObject({
      ready: true,
      active: { revision: "r1" },
      reloadFailures: 1,
      lastFailure: { code: "COUNTERSIGN_BUNDLE_CORRUPT", reason: expect.stringContaining("not a valid gzip stream") },
      bundles: [{ bundle: "countersign", serving: true, revision: "r1", refusal: { code: "COUNTERSIGN_BUNDLE_CORRUPT" } }],
    });

    await writeRevision("countersign.tar.gz", "r3");
    await eventually(() => (source.status().active?.revision === "r3" ? true : undefined), "revision r3 to replace r1");
    expect(source.status().bundles[0]?.refusal).toBeNull();
  });

  it("stops serving (deny) when the decision bundle is removed, and serves again when it returns", async () => {
    await writeRevision("countersign.tar.gz", "r1");
    const { engine, removed, activated } = await serve();
    await fs.rm(path.join(dir, "countersign.tar.gz"));
    await eventually(() => removed[0], "the removal");
    expect(removed).toEqual([{ bundle: "countersign", revision: "r1", file: path.join(dir, "countersign.tar.gz") }]);
    expect(engine.decide({}).failure?.code).toBe("COUNTERSIGN_POLICY_MISSING");

    await writeRevision("countersign.tar.gz", "r2");
    await eventually(() => activated.find((e) => e.revision === "r2"), "revision r2");
    expect(engine.decide({})).toMatchObject({ outcome: "allow", policy: { revision: "r2" } });
  });

  it("does not reload a file rewritten with the same bytes", async () => {
    await writeRevision("countersign.tar.gz", "r1");
    const { source, activated } = await serve({ watch: false });
    const file = path.join(dir, "countersign.tar.gz");
    await fs.writeFile(file, await fs.readFile(file));
    await source.reload();
    expect(activated).toHaveLength(1);
  });
});

describe("several bundles", () => {
  it("answers from countersign.tar.gz and keeps the others loaded but not serving", async () => {
    await writeRevision("countersign.tar.gz", "main");
    await writeRevision("candidate.tar.gz", "next");
    await fs.writeFile(path.join(dir, ".countersign.tar.gz.1234.tmp"), "half-written temporary file");
    await fs.writeFile(path.join(dir, "notes.txt"), "not a bundle");
    const { engine, source, activated } = await serve({ watch: false });
    expect(engine.decide({}).policy).toEqual({ bundle: "countersign", revision: "main" });
    expect(activated.map((e) => e.bundle)).toEqual(["countersign"]);
    expect(source.status().bundles).toEqual([
      expect.objectContaining({ bundle: "candidate", serving: false, revision: "next" }),
      expect.objectContaining({ bundle: "countersign", serving: true, revision: "main" }),
    ]);
  });

  it("answers from the bundle named by decisionBundle", async () => {
    await writeRevision("countersign.tar.gz", "main");
    await writeRevision("candidate.tar.gz", "next");
    const { engine } = await serve({ watch: false, decisionBundle: "candidate" });
    expect(engine.decide({}).policy).toEqual({ bundle: "candidate", revision: "next" });
  });

  it("explains that nothing serves when only differently named bundles are present", async () => {
    await writeRevision("bundle.tar.gz", "opa-default-name");
    const { source, logger } = await serve({ watch: false });
    expect(source.status().ready).toBe(false);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: "error", message: expect.stringContaining("countersign.tar.gz in") }),
    );
    expect(logger.lines.find((l) => l.message.startsWith("no policy is serving"))?.message).toContain(
      "found only bundle.tar.gz; rename one or set bundles.decision",
    );
  });
});
