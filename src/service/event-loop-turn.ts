/**
 * Giving the event loop a turn in the middle of long work (a reviewer's page of 100 requests): the
 * decisions waiting on sockets are served before the work goes on, so a page never holds them up for its
 * whole CPU time.
 */

/** How many items long work handles between two turns of the event loop (about 0.5–2 ms of a page's work). */
export const ITEMS_PER_TURN = 25;

/** Resolves after the event loop has run its pending I/O callbacks (a `setImmediate` turn). */
export function nextEventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether long work about to handle its item number `index` (from 0) gives the event loop a turn first. */
export function turnDue(index: number): boolean {
  return index > 0 && index % ITEMS_PER_TURN === 0;
}

/** `fn` of each item in order, with an event loop turn after every ITEMS_PER_TURN items. */
export async function mapWithTurns<T, R>(items: readonly T[], fn: (item: T) => R): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) {
    if (turnDue(i)) await nextEventLoopTurn();
    out.push(fn(items[i] as T));
  }
  return out;
}
