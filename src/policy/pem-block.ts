/**
 * PEM block decoding as Go's `encoding/pem.Decode` does it: the first well-formed block anywhere in the
 * text, its type, its bytes, and what follows the line that ends it.
 */

import { GoBase64Error, goBase64Decode } from "./go-base64";

/** One decoded PEM block. */
export interface PemBlock {
  readonly type: string;
  readonly bytes: Buffer;
  /** The text after the block's END line (and that line's newline). */
  readonly rest: string;
}

const BLOCK = /(?:^|\n)-----BEGIN ([^\r\n]*?)-----[ \t]*\r?\n([\s\S]*?)(?:^|\n)-----END \1-----[ \t]*(?:\r?\n|$)/gm;

/**
 * The first block whose body decodes, or null when there is none (Go skips malformed blocks). Header lines
 * (`Proc-Type: ...`) before the body are skipped.
 */
export function decodePem(text: string): PemBlock | null {
  BLOCK.lastIndex = 0;
  for (let m = BLOCK.exec(text); m !== null; m = BLOCK.exec(text)) {
    let body = m[2]!;
    const blank = /\r?\n\r?\n/.exec(body);
    if (blank !== null && body.slice(0, blank.index).includes(":")) body = body.slice(blank.index + blank[0].length);
    try {
      const bytes = goBase64Decode(body.replace(/[ \t]/g, ""));
      return { type: m[1]!, bytes, rest: text.slice(m.index + m[0].length) };
    } catch (err) {
      if (!(err instanceof GoBase64Error)) throw err;
      BLOCK.lastIndex = m.index + 1;
    }
  }
  return null;
}

/** Every block in the text, in order, stopping at the first stretch with no well-formed block. */
export function decodeAllPem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  let rest = text;
  for (let block = decodePem(rest); block !== null; block = decodePem(rest)) {
    blocks.push(block);
    rest = block.rest;
  }
  return blocks;
}
