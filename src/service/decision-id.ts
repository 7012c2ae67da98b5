/**
 * Decision ids: UUIDv7 (RFC 9562), time-ordered so ids sort by when they were made, from an injected clock
 * and random source so tests can fix them.
 */

import { randomFillSync } from "node:crypto";
import type { Clock } from "../policy/clock";

/** A source of unique ids. */
export interface IdGenerator {
  next(): string;
}

/** Fills a buffer with random bytes. */
export type RandomSource = (bytes: Uint8Array) => void;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A random source that fills a pool of 4 KiB at a time, so an id costs no system call. */
export function pooledRandom(poolBytes = 4096): RandomSource {
  const pool = new Uint8Array(poolBytes);
  let used = poolBytes;
  return (bytes) => {
    if (bytes.length > poolBytes) {
      randomFillSync(bytes);
      return;
    }
    if (used + bytes.length > poolBytes) {
      randomFillSync(pool);
      used = 0;
    }
    bytes.set(pool.subarray(used, used + bytes.length));
    used += bytes.length;
  };
}

/** UUIDv7 ids: 48 bits of Unix milliseconds, version 7, 74 random bits, RFC variant. */
export function uuidV7Generator(clock: Clock, random: RandomSource = pooledRandom()): IdGenerator {
  const bytes = new Uint8Array(16);
  return {
    next(): string {
      random(bytes);
      let ms = clock.nowNs() / 1_000_000n;
      for (let i = 5; i >= 0; i--) {
        bytes[i] = Number(ms & 0xffn);
        ms >>= 8n;
      }
      bytes[6] = (bytes[6]! & 0x0f) | 0x70;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      let s = "";
      for (let i = 0; i < 16; i++) {
        if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
        s += HEX[bytes[i]!];
      }
      return s;
    },
  };
}
