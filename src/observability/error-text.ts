/**
 * The text a log line or start-up error shows for something thrown: an Error's message, anything else as a string.
 */

/** The message of an Error, or the thrown value as a string. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
