/**
 * The way back down: each part the service starts pushes how to stop it, and shutdown runs those steps in
 * the reverse order of start, each failure ignored so that the rest still run. Closing twice closes once.
 */

/** Stop steps, run last-pushed first. */
export class ShutdownStack {
  private readonly steps: (() => Promise<void>)[] = [];
  private closing: Promise<void> | null = null;

  /** Adds a step (nothing when `step` is undefined: the part was not started). */
  push(step: (() => Promise<void>) | undefined): void {
    if (step !== undefined) this.steps.push(step);
  }

  /** Runs every step pushed so far, newest first; later calls wait for the same run. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const step of this.steps.splice(0).reverse()) await step().catch(() => undefined);
    })();
    return this.closing;
  }
}
