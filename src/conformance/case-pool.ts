/**
 * A pool of worker threads running cases in parallel with a per-case time limit.
 *
 * Evaluation is synchronous wasm, so a case stuck in a loop cannot be interrupted from its own thread: on
 * timeout the pool terminates the worker, fails the case, and starts a fresh worker for the next one. A
 * worker that crashes (out of memory, say) fails only the case it was running.
 */

import { Worker } from "node:worker_threads";
import type { CaseOutcome, RunCaseOptions } from "./case-runner";
import type { WorkerReply, WorkerRequest } from "./case-worker";
import type { TestCase } from "./test-case";

/** Pool settings. */
export interface CasePoolOptions {
  /** The compiled case-worker script. */
  readonly workerFile: string;
  readonly size: number;
  readonly timeoutMs: number;
  /** Heap limit per worker, in MiB. */
  readonly maxHeapMb?: number;
  /** How each case runs (the clock stays the worker's own: functions do not cross threads). */
  readonly caseOptions?: Omit<RunCaseOptions, "clock">;
}

interface Task {
  readonly id: number;
  readonly testCase: TestCase;
  readonly resolve: (o: CaseOutcome) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
  /** Set when the worker died while idle (it cannot start): the slot takes no more work. */
  dead: string | null;
}

/** Runs cases on worker threads. */
export class CasePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly opts: CasePoolOptions) {
    for (let i = 0; i < Math.max(1, opts.size); i++) {
      const slot: Slot = { worker: null as unknown as Worker, task: null, timer: null, dead: null };
      slot.worker = this.spawn(slot);
      this.slots.push(slot);
    }
  }

  /** Runs a case; resolves with its outcome, a timeout failure, or a crash failure. Never rejects. */
  run(testCase: TestCase): Promise<CaseOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, testCase, resolve });
      this.dispatch();
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(slot: Slot): Worker {
    const worker = new Worker(this.opts.workerFile, {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.maxHeapMb ?? 1024 },
    });
    worker.on("message", (reply: WorkerReply) => {
      if (slot.worker !== worker || slot.task === null || slot.task.id !== reply.id) return;
      this.finish(slot, reply.outcome);
    });
    worker.on("error", (err) => {
      if (slot.worker !== worker) return;
      this.replace(slot, `worker crashed: ${err.message}`);
    });
    worker.on("exit", (code) => {
      if (slot.worker !== worker || this.closed) return;
      this.replace(slot, `worker exited with code ${code}`);
    });
    return worker;
  }

  private dispatch(): void {
    if (this.slots.every((s) => s.dead !== null)) {
      for (const task of this.queue.splice(0)) task.resolve({ status: "fail", reason: this.slots[0]!.dead! });
      return;
    }
    for (const slot of this.slots) {
      if (slot.task !== null || slot.dead !== null) continue;
      const task = this.queue.shift();
      if (task === undefined) return;
      slot.task = task;
      slot.timer = setTimeout(() => this.replace(slot, `timed out after ${this.opts.timeoutMs} ms`), this.opts.timeoutMs);
      slot.worker.postMessage({ id: task.id, testCase: task.testCase, options: this.opts.caseOptions ?? {} } satisfies WorkerRequest);
    }
  }

  private finish(slot: Slot, outcome: CaseOutcome): void {
    const task = slot.task;
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.task = null;
    slot.timer = null;
    task?.resolve(outcome);
    this.dispatch();
  }

  /** Fails the slot's case (if any), kills its worker and starts another. */
  private replace(slot: Slot, reason: string): void {
    const old = slot.worker;
    void old.terminate();
    if (slot.task === null) {
      // Died with nothing to do: it cannot start, and respawning would only loop.
      slot.dead = reason;
      this.dispatch();
      return;
    }
    slot.worker = this.spawn(slot);
    this.finish(slot, { status: "fail", reason });
  }
}
