// The functions the module imports from the host (`env`), as OPA's ABI defines them, and abort helpers.

/** Aborts evaluation; the SDK throws the NUL-terminated UTF-8 message at `message`. */
// @ts-ignore: decorator
@external("env", "opa_abort")
export declare function opa_abort(message: usize): void;

/** Prints the NUL-terminated UTF-8 text at `message` (Rego's print). */
// @ts-ignore: decorator
@external("env", "opa_println")
export declare function opa_println(message: usize): void;

/** Calls host builtin `id` with no operands; returns a value or 0. */
// @ts-ignore: decorator
@external("env", "opa_builtin0")
export declare function opa_builtin0(id: i32, ctx: usize): usize;

/** Calls host builtin `id` with one operand. */
// @ts-ignore: decorator
@external("env", "opa_builtin1")
export declare function opa_builtin1(id: i32, ctx: usize, a: usize): usize;

/** Calls host builtin `id` with two operands. */
// @ts-ignore: decorator
@external("env", "opa_builtin2")
export declare function opa_builtin2(id: i32, ctx: usize, a: usize, b: usize): usize;

/** Calls host builtin `id` with three operands. */
// @ts-ignore: decorator
@external("env", "opa_builtin3")
export declare function opa_builtin3(id: i32, ctx: usize, a: usize, b: usize, c: usize): usize;

/** Calls host builtin `id` with four operands. */
// @ts-ignore: decorator
@external("env", "opa_builtin4")
export declare function opa_builtin4(id: i32, ctx: usize, a: usize, b: usize, c: usize, d: usize): usize;

/** Prints `text` through opa_println (for Rego's print). */
export function println(text: string): void {
  opa_println(changetype<usize>(String.UTF8.encode(text, true)));
}

/** Aborts with the UTF-8 bytes at (ptr, len) as the message; does not return. */
export function abortBytes(ptr: usize, len: usize): void {
  let message = __alloc(len + 1);
  memory.copy(message, ptr, len);
  store<u8>(message + len, 0);
  opa_abort(message);
  unreachable();
}

/** Aborts with `message`; does not return. */
export function abortWith(message: string): void {
  opa_abort(changetype<usize>(String.UTF8.encode(message, true)));
  unreachable();
}

/** Aborts because memory cannot grow; allocates nothing on the way. */
export function abortOutOfMemory(): void {
  opa_abort(OUT_OF_MEMORY);
  unreachable();
}

// "out of memory\0", kept static so that reporting the failure needs no allocation
const OUT_OF_MEMORY = memory.data<u8>([
  0x6f, 0x75, 0x74, 0x20, 0x6f, 0x66, 0x20, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x00,
]);
