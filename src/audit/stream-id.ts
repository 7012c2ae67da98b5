/**
 * How an entry's sequence number becomes its Redis Stream id: seq N is stored at id `N-0`.
 *
 * Why `N-0` rather than a time-based id: the id is then a pure function of the chain position, so an
 * append that lost a race cannot leave an entry behind at some other id, XADD itself refuses a second
 * entry for the same seq (ids must grow), `XRANGE <stream> 41 50` reads seqs 41 to 50, and a reader's
 * paging cursor is the id of the last entry it saw.
 */

/** The stream id of seq `seq`. */
export function streamIdOf(seq: number): string {
  return `${seq}-0`;
}

/** The seq of a stream id of the form `N-0`, or null for any other text. */
export function seqOfStreamId(id: string): number | null {
  const m = /^([1-9][0-9]{0,15})-0$/.exec(id);
  if (m === null) return null;
  const seq = Number(m[1]);
  return Number.isSafeInteger(seq) ? seq : null;
}
