/**
 * The policy author's mode: Rego sources compiled in memory on start and on every save, diagnostics
 * logged with file:line:col, and the last good compilation serving while the sources are broken.
 */

import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PolicyEngine } from "../../src/engine/policy-engine";
import type { ActivatedEvent, RefusedEvent } from "../../src/engine/policy-source";
import { RegoDirectorySource, type RegoDirectorySourceOptions } from "../../src/engine/rego-directory-source";
import { constantDecision, decisionPolicy, eventually, recordingLogger, ROOT } from "./engine-fixtures";

let dir: string;
const sources: RegoDirectorySource[] = [];

beforeEach(async () => {
  dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "countersign-rego-")), "rego");
  await fs.mkdir(dir);
});
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  await fs.rm(path.dirname(dir), { recursive: true, force: true });
});

async function serve(opts: Partial<RegoDirectorySourceOptions> = {}) {
  const logger = recordingLogger();
  const source = new RegoDirectorySource({ dir, logger, debounceMs: 20, ...opts });
  sources.push(source);
  const activated: ActivatedEvent[] = [];
  const refused: RefusedEvent[] = [];
  source.subscribe({ onActivated: (e) => activated.push(e), onRefused: (e) => refused.push(e) });
  await source.start();
  return { source, engine: new PolicyEngine(source), logger, activated, refused };
}

/** Writes a file the way editors that save in place do. */
const save = (rel: string, text: string): Promise<void> => fs.writeFile(path.join(dir, rel), text);

describe("compiling rego/ in memory", () => {
  it("serves the example policy from rego/, named after the directory", async () => {
    for (const name of (await fs.readdir(path.join(ROOT, "rego"))).filter((n) => n.endsWith(".rego"))) {
      await fs.copyFile(path.join(ROOT, "rego", name), path.join(dir, name));
    }
    const { engine, source } = await serve({ watch: false });
    const d = engine.decide({
      actor: { id: "a", type: "ai_agent" },
      action: { name: "deploy.release" },
      resource: { type: "service", id: "api", environment: "production" },
    });
    expect(d).toMatchObject({
      outcome: "require_approval",
      approval: { reviewers: { roles: ["release-manager"] }, channel: "releases" },
      policy: { bundle: "rego" },
    });
    expect(source.status()).toMatchObject({
      kind: "rego-directory",
      ready: true,
      decisionBundle: "rego",
      active: { bundle: "rego", file: dir },
    });
  });

  it("uses data files below the directory", async () => {
    await save(
      "decision.rego",
      decisionPolicy(`default decision := {"outcome": "deny"}
decision := {"outcome": "allow", "reasons": ["listed"]} if input.actor.id in data.allowlist.ids`),
    );
    await fs.mkdir(path.join(dir, "allowlist"));
    await save("allowlist/data.json", '{"ids": ["svc:ci"]}');
    const { engine } = await serve({ watch: false });
    expect(engine.decide({ actor: { id: "svc:ci" } })).toMatchObject({ outcome: "allow", reasons: ["listed"] });
  });

  it("recompiles on save; broken sources are refused with their diagnostics while the last good policy serves", async () => {
    await save("decision.rego", constantDecision({ outcome: "allow", reasons: ["v1"] }));
    const { engine, source, activated, refused, logger } = await serve();
    expect(engine.decide({}).reasons).toEqual(["v1"]);

    await save("decision.rego", 'package countersign\n\ndecision := {"outcome": \n');
    const refusal = await eventually(() => refused[0], "the broken save to be refused");
    expect(refusal).toMatchObject({ code: "COUNTERSIGN_REGO_COMPILE_FAILED", file: path.join(dir, "decision.rego") });
    expect(refusal.reason).toMatch(new RegExp(`^${escape(path.join(dir, "decision.rego"))}:\\d+:\\d+: rego_parse_error: `));
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        fields: expect.objectContaining({
          file: path.join(dir, "decision.rego"),
          line: expect.any(Number),
          col: expect.any(Number),
          code: "rego_parse_error",
        }),
      }),
    );
    expect(engine.decide({}).reasons).toEqual(["v1"]);
    expect(source.status()).toMatchObject({ ready: true, reloadFailures: 1, lastFailure: { code: "COUNTERSIGN_REGO_COMPILE_FAILED" } });

    await save("decision.rego", constantDecision({ outcome: "allow", reasons: ["v2"] }));
    await eventually(() => activated[1], "the fixed save to be activated");
    expect(engine.decide({}).reasons).toEqual(["v2"]);
    expect(activated[1]?.previousRevision).toBe(activated[0]?.revision);
  });

  it("recompiles when a data file in a subdirectory changes", async () => {
    await save(
      "decision.rego",
      decisionPolicy(`default decision := {"outcome": "deny"}
decision := {"outcome": "allow"} if input.actor.id in data.allowlist.ids`),
    );
    await fs.mkdir(path.join(dir, "allowlist"));
    await save("allowlist/data.json", '{"ids": []}');
    const { engine, activated } = await serve();
    expect(engine.decide({ actor: { id: "svc:ci" } }).outcome).toBe("deny");
    await save("allowlist/data.json", '{"ids": ["svc:ci"]}');
    await eventually(() => activated[1], "the data change to be activated");
    expect(engine.decide({ actor: { id: "svc:ci" } }).outcome).toBe("allow");
  });

  it("refuses sources that do not define countersign/decision", async () => {
    await save("other.rego", "package other\n\nallow := true\n");
    const { refused, source } = await serve({ watch: false });
    expect(refused).toEqual([
      expect.objectContaining({
        code: "COUNTERSIGN_BUNDLE_NO_DECISION",
        reason: expect.stringContaining("do not define data.countersign.decision"),
      }),
    ]);
    expect(source.status().ready).toBe(false);
  });

  it("does not recompile when only a test file changes", async () => {
    await save("decision.rego", constantDecision({ outcome: "allow" }));
    const { source, activated } = await serve({ watch: false });
    await save("decision_test.rego", "package countersign_test\n\nimport rego.v1\n\ntest_x if true\n");
    await source.reload();
    expect(activated).toHaveLength(1);
  });

  it("compiles an optional entrypoint only when the sources define it", async () => {
    await save("decision.rego", constantDecision({ outcome: "allow" }));
    const withoutReviewer = await serve({ watch: false, optionalEntrypoints: ["countersign/reviewer"] });
    expect(withoutReviewer.engine.evaluateEntrypoint("countersign/reviewer", {}).kind).toBe("absent");

    await save("reviewer.rego", 'package countersign\n\nreviewer := {"eligible": true}\n');
    await withoutReviewer.source.reload();
    expect(withoutReviewer.engine.evaluateEntrypoint("countersign/reviewer", {})).toMatchObject({
      kind: "value",
      value: { eligible: true },
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
