/**
 * Runs a source's scan one at a time: a trigger during a scan schedules exactly one more scan after it,
 * so bursts of changes coalesce and no change is missed.
 */

import type { EngineLogger } from "./engine-logger";

/** Serialises scans. */
export class ReloadLoop {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly scan: () => Promise<void>,
    private readonly logger: EngineLogger,
  ) {}

  /** Starts a scan, or asks the running one to be followed by another; resolves when that one is done. */
  trigger(): Promise<void> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop();
    return this.running;
  }

  /** Resolves when no scan is running (at once when idle). */
  async settled(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        try {
          await this.scan();
        } catch (err) {
          this.logger.error(`policy reload failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`);
        }
      } while (this.again);
    } finally {
      this.running = null;
    }
  }
}
