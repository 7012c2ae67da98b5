/**
 * Reads the limits of the memory a policy module imports, so the host can create a memory it will accept.
 *
 * The SDK's default memory (5 pages, no maximum) links only when the module asks for at most 5 pages and
 * declares no maximum; modules that need more, or cap their memory, fail to instantiate with it.
 */

/** Page limits of an imported memory, in 64 KiB pages. */
export interface MemoryLimits {
  readonly initial: number;
  readonly maximum?: number;
}

/** The limits of the module's imported memory, or null when it imports none or the bytes do not parse. */
export function importedMemoryLimits(wasm: Uint8Array): MemoryLimits | null {
  let pos = 8;
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= wasm.length) throw new RangeError("truncated");
      const byte = wasm[pos++]!;
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const skipName = (): void => {
    const len = u32();
    pos += len;
  };
  const limits = (): MemoryLimits => {
    const flags = wasm[pos++]!;
    const initial = u32();
    return (flags & 1) === 1 ? { initial, maximum: u32() } : { initial };
  };
  try {
    while (pos < wasm.length) {
      const id = wasm[pos++]!;
      const size = u32();
      const end = pos + size;
      if (id !== 2) {
        pos = end;
        continue;
      }
      const count = u32();
      for (let i = 0; i < count; i++) {
        skipName();
        skipName();
        const kind = wasm[pos++]!;
        if (kind === 0) u32();
        else if (kind === 1) {
          pos += 1;
          limits();
        } else if (kind === 2) return limits();
        else if (kind === 3) pos += 2;
        else if (kind === 4) {
          pos += 1;
          u32();
        } else return null;
      }
      return null;
    }
  } catch {
    return null;
  }
  return null;
}
