// The handler AssemblyScript's `abort` is redirected to (`asc --use abort=…`): runtime errors such as an
// out-of-range index inside library code reach the host through opa_abort instead of an `env.abort` import.

import { abortWith } from "./host";

/** Reports an AssemblyScript runtime error as an OPA abort; does not return. */
export function runtimeAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let text = message !== null ? message : "abort";
  if (fileName !== null) text += " (" + fileName + ":" + line.toString() + ":" + column.toString() + ")";
  abortWith("internal error: " + text);
}
