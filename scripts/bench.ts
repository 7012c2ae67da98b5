/**
 * `make bench`: Countersign's benchmarks, each reported as a ratio against a baseline measured in the
 * same run.
 */

import * as path from "node:path";
import { benchApprovalWorkflow } from "./bench/approval-workflow";
import { benchAuditExport } from "./bench/audit-export";
import { benchAuditWriters } from "./bench/audit-writers";
import { benchCliStart } from "./bench/cli-start";
import { benchHttpDecide } from "./bench/http-decide";
import { benchMcpGateway } from "./bench/mcp-gateway";
import { benchPolicyEval } from "./bench/policy-eval";
import { benchShadowDecide } from "./bench/shadow-decide";

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  console.log(`node ${process.version}, ${process.arch}`);
  // `node dist/scripts/bench.js mcp`: the MCP gateway's benchmark alone.
  if (process.argv[2] === "mcp") return benchMcpGateway(root);
  // `node dist/scripts/bench.js cli`: the command line's start-up alone.
  if (process.argv[2] === "cli") return benchCliStart(root);
  // `node dist/scripts/bench.js workflow`: the approval workflow's benchmark alone (inbox polling, slow connector).
  if (process.argv[2] === "workflow") return benchApprovalWorkflow(root);
  await benchCliStart(root);
  await benchPolicyEval(root);
  await benchHttpDecide(root);
  await benchShadowDecide(root);
  await benchAuditExport();
  await benchAuditWriters();
  await benchApprovalWorkflow(root);
  await benchMcpGateway(root);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
