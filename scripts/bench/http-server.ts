/**
 * Benchmark child process: serves either the real decision service (`countersign`, with its audit trail and
 * approval workflow on the Redis at the URL given as third argument), the same service with the audit trail
 * swapped for a no-op recorder (`countersign-noaudit`: `noop-audit-recorder.ts`, handed to `assembleService`
 * as its `auditRecorder` part here, and reachable from no configuration), the service with shadow mode on
 * (`countersign-shadow`, `bundles.shadow: candidate`), a bare Express handler (`bare`) that parses the same
 * JSON body and answers a constant, or the same on Node's HTTP server alone (`bare-node`), on a loopback port it
 * reports to the parent over IPC. A fifth argument, a loopback Bot Connector URL, turns the service's Teams bot
 * on in local development mode (`teams: { default_channel: approvals, emulator_url: <it> }`, no credentials).
 *
 * Each runs in a process of its own, started the same way by the same Node, so the comparison is
 * between the apps and nothing else. The service logs as it does in production (a JSON line per
 * decision at info level) to standard output, which the parent discards. On the message `cpu` a child
 * answers with the CPU time it has used.
 */

import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { exampleConfigPath, loadServiceConfig } from "../../src/config/config-loader";
import { assembleService } from "../../src/main";
import { createNoopAuditRecorder } from "./noop-audit-recorder";

/** The constant answer of the bare handler: the same size and shape as a real allow. */
export const BARE_ANSWER = {
  decision_id: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
  outcome: "allow",
  reasons: ["routine read"],
  mask: [],
  policy: { bundle: "countersign", revision: "0".repeat(64) },
};

/**
 * The floor of Node's own HTTP server: read the body, JSON.parse it, answer the constant in one write. Not
 * the baseline (that is bare Express); printed beside it so the cost of everything above Node shows.
 */
const bareNode: RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    try {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const text = JSON.stringify(BARE_ANSWER);
    res.writeHead(200, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  });
};

async function serve(mode: string, bundlesDir: string, redisUrl: string | undefined, teamsEmulatorUrl: string | undefined): Promise<void> {
  let app: RequestListener;
  if (mode === "bare") {
    const bare = express();
    bare.disable("x-powered-by");
    bare.set("etag", false);
    bare.post("/v1/decide", express.json({ limit: 64 * 1024 }), (_req, res) => {
      res.json(BARE_ANSWER);
    });
    app = bare;
  } else if (mode === "bare-node") {
    app = bareNode;
  } else {
    const { config } = loadServiceConfig(
      { COUNTERSIGN_CONFIG: exampleConfigPath(), ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }) },
      { bundlesDir, port: 0 },
    );
    // No mirror file (the example's would land in the working directory): the trail in Redis is what is measured.
    const { mirror_file: _mirror, ...audit } = config.audit;
    const teams = teamsEmulatorUrl === undefined ? {} : { teams: { default_channel: "approvals", emulator_url: teamsEmulatorUrl } };
    // `countersign-shadow`: the same service with shadow mode on, the candidate being `candidate.tar.gz` of the directory.
    const bundles = mode === "countersign-shadow" ? { ...config.bundles, shadow: "candidate" } : config.bundles;
    const service = await assembleService(
      { ...config, bundles, audit, ...teams },
      { watch: false, ...(mode === "countersign-noaudit" ? { auditRecorder: createNoopAuditRecorder() } : {}) },
    );
    if (!service.policy.status().ready) throw new Error(`no bundle loaded from ${bundlesDir}`);
    app = service.app;
  }
  const server = createServer(app).listen(0, "127.0.0.1", () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  // The parent asks for the CPU time used so far, to work out CPU per request.
  process.on("message", (m: unknown) => {
    if (m === "cpu") {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  process.on("disconnect", () => process.exit(0));
}

serve(process.argv[2] ?? "countersign", process.argv[3] ?? "bundles", process.argv[4], process.argv[5]).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
