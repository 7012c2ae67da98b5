/**
 * Long work with turns of the event loop: `mapWithTurns` gives the same results as `map`, in order, and lets
 * callbacks that were waiting (timers, I/O, immediates) run after every ITEMS_PER_TURN items, never before the
 * first chunk and never inside one.
 */

import fc from "fast-check";
import { ITEMS_PER_TURN, mapWithTurns } from "../../src/service/event-loop-turn";

describe("mapWithTurns", () => {
  it("maps in order, as map does, for any list", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 200 }), async (items) => {
        expect(await mapWithTurns(items, (n) => n * 2 + 1)).toEqual(items.map((n) => n * 2 + 1));
      }),
      { numRuns: 100 },
    );
  });

  it("lets waiting callbacks run between chunks of ITEMS_PER_TURN items", async () => {
    const trace: string[] = [];
    const waiting = (): void => {
      // Another request's callback, waiting while the work runs: it re-queues itself for the next turn.
      trace.push("turn");
      if (trace.filter((t) => t === "turn").length < 10) setImmediate(waiting);
    };
    setImmediate(waiting);
    const items = Array.from({ length: ITEMS_PER_TURN * 3 + 1 }, (_, i) => i);
    await mapWithTurns(items, (i) => trace.push(`item ${i}`));
    const turnsBefore = (i: number): number => trace.slice(0, trace.indexOf(`item ${i}`)).filter((t) => t === "turn").length;
    expect(turnsBefore(0)).toBe(0);
    expect(turnsBefore(ITEMS_PER_TURN - 1)).toBe(0);
    expect(turnsBefore(ITEMS_PER_TURN)).toBe(1);
    expect(turnsBefore(2 * ITEMS_PER_TURN - 1)).toBe(1);
    expect(turnsBefore(2 * ITEMS_PER_TURN)).toBe(2);
    expect(turnsBefore(3 * ITEMS_PER_TURN)).toBe(3);
  });
});
