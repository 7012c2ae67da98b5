/**
 * `make bench`: Countersign's benchmarks, each reported as a ratio against a baseline measured in the
 * same run.
 */

import * as path from "node:path";
import { benchApprovalWorkflow } from "./bench/approval-workflow";
import { benchAuditExport } from "./bench/audit-export";
import { benchHttpDecide } from "./bench/http-decide";
import { benchPolicyEval } from "./bench/policy-eval";
import { benchShadowDecide } from "./bench/shadow-decide";

async function main(): Promise<void> {
  const root = path.resolve(__dirname, "..", "..");
  console.log(`node ${process.version}, ${process.arch}`);
  await benchPolicyEval(root);
  await benchHttpDecide(root);
  await benchShadowDecide(root);
  await benchAuditExport();
  await benchApprovalWorkflow(root);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
