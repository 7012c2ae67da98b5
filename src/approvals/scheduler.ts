/**
 * Periodic background work (the expiry sweeper, the callback dispatcher), with the timer injected so tests
 * run it by hand.
 */

/** Runs a task every `intervalMs`; returns a function that stops it. */
export interface Scheduler {
  every(intervalMs: number, task: () => Promise<void>): () => void;
}

/** The real scheduler: `setInterval`, unref'd, never overlapping runs of the same task. */
export const intervalScheduler: Scheduler = {
  every(intervalMs, task) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      task()
        .catch(() => undefined)
        .finally(() => {
          running = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};
