/**
 * Benchmark child process: serves either the real decision service (`countersign`, with its audit trail and
 * approval workflow on the Redis at the URL given as third argument), the same service with the audit trail
 * swapped for the benchmark-only no-op recorder (`countersign-noaudit`: the switch lives here, in the
 * benchmark, and nowhere in configuration), or a bare Express handler (`bare`) that parses the same JSON
 * body and answers a constant, on a loopback port it reports to the parent over IPC.
 *
 * Both run in a process of their own, started the same way by the same Node, so the comparison is
 * between the two apps and nothing else. The service logs as it does in production (a JSON line per
 * decision at info level) to standard output, which the parent discards. On the message `cpu` a child
 * answers with the CPU time it has used.
 */

import type { AddressInfo } from "node:net";
import express from "express";
import { exampleConfigPath, loadServiceConfig } from "../../src/config/config-loader";
import { createBenchmarkOnlyNoopAuditRecorder } from "../../src/audit/benchmark-noop-trail";
import { assembleService } from "../../src/main";

/** The constant answer of the bare handler: the same size and shape as a real allow. */
export const BARE_ANSWER = {
  decision_id: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
  outcome: "allow",
  reasons: ["routine read"],
  mask: [],
  policy: { bundle: "countersign", revision: "0".repeat(64) },
};

async function serve(mode: string, bundlesDir: string, redisUrl: string | undefined): Promise<void> {
  let app: express.Express;
  if (mode === "bare") {
    app = express();
    app.disable("x-powered-by");
    app.set("etag", false);
    app.post("/v1/decide", express.json({ limit: 64 * 1024 }), (_req, res) => {
      res.json(BARE_ANSWER);
    });
  } else {
    const { config } = loadServiceConfig({ COUNTERSIGN_CONFIG: exampleConfigPath(), ...(redisUrl === undefined ? {} : { REDIS_URL: redisUrl }) }, { bundlesDir, port: 0 });
    // No mirror file (the example's would land in the working directory): the trail in Redis is what is measured.
    const { mirror_file: _mirror, ...audit } = config.audit;
    const service = await assembleService(
      { ...config, audit },
      { watch: false, ...(mode === "countersign-noaudit" ? { benchmarkOnlyAuditRecorder: createBenchmarkOnlyNoopAuditRecorder() } : {}) },
    );
    if (!service.policy.status().ready) throw new Error(`no bundle loaded from ${bundlesDir}`);
    app = service.app;
  }
  const server = app.listen(0, "127.0.0.1", () => {
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

serve(process.argv[2] ?? "countersign", process.argv[3] ?? "bundles", process.argv[4]).catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
