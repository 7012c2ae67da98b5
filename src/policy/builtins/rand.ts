/**
 * `rand.intn(str, n)`: a random integer in [0, |n|), the same one for the same `str` and `n` throughout an
 * evaluation, as OPA caches it; 0 when n is 0.
 */

import { randomBytes, randomInt } from "node:crypto";
import { HostBuiltinError } from "../policy-error";
import { stringOperand, typeError, type EvaluationScopedFamily } from "./operands";

/** crypto.randomInt takes ranges below 2^48; wider ones draw 64 random bits, reduced modulo n. */
const RANDOM_INT_LIMIT = 2 ** 48;

function randomBelow(n: number): number {
  if (n < RANDOM_INT_LIMIT) return randomInt(n);
  return Number(randomBytes(8).readBigUInt64BE() % BigInt(n));
}

function integerOperand(pos: number, v: unknown): number {
  if (typeof v !== "number") throw typeError("rand.intn", pos, v, "number");
  if (!Number.isInteger(v)) {
    throw new HostBuiltinError("eval_type_error", "rand.intn", `operand ${pos} must be integer number but got floating-point number`);
  }
  return v;
}

/** rand.intn for one policy instance: it remembers its answers until the next evaluation. */
export function createRandBuiltins(): EvaluationScopedFamily {
  const drawn = new Map<string, number>();
  return {
    functions: {
      "rand.intn": (str, n) => {
        const key = stringOperand("rand.intn", 1, str);
        const bound = Math.abs(integerOperand(2, n));
        if (bound === 0) return 0;
        const cacheKey = `${key}-${bound}`;
        let value = drawn.get(cacheKey);
        if (value === undefined) {
          value = randomBelow(bound);
          drawn.set(cacheKey, value);
        }
        return value;
      },
    },
    // Clearing a Map allocates a new table even when empty; most evaluations never call the builtin.
    beginEvaluation: () => {
      if (drawn.size > 0) drawn.clear();
    },
  };
}
