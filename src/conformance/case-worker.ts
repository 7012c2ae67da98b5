/**
 * The worker thread that runs cases for a CasePool, one at a time, so that a case that hangs or exhausts
 * memory can be stopped without stopping the run.
 */

import { parentPort } from "node:worker_threads";
import { runCase, type CaseOutcome, type RunCaseOptions } from "./case-runner";
import type { TestCase } from "./test-case";

/** A case to run, tagged for matching the reply. */
export interface WorkerRequest {
  readonly id: number;
  readonly testCase: TestCase;
  readonly options: RunCaseOptions;
}

/** The outcome of a request. */
export interface WorkerReply {
  readonly id: number;
  readonly outcome: CaseOutcome;
}

if (parentPort !== null) {
  const port = parentPort;
  port.on("message", (req: WorkerRequest) => {
    void runCase(req.testCase, req.options).then((outcome) => port.postMessage({ id: req.id, outcome } satisfies WorkerReply));
  });
}
