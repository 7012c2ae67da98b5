/**
 * Who callers are, as the service checks it: the configured identities (API keys, reviewers, display names)
 * and, when `auth.jwt` is configured, JWTs verified on the service's clock.
 */

import type { Clock } from "../policy/clock";
import { createAuthenticator, type Authenticator } from "./authenticator";
import { IdentityDirectory } from "./identity-directory";
import { createJwtVerifier } from "./jwt-verifier";

/** The directory of configured identities and the authenticator over it. */
export interface AssembledIdentity {
  readonly directory: IdentityDirectory;
  readonly authenticator: Authenticator;
}

/** The `identities:` section and `auth.jwt`, as the directory and the verifier take them. */
export interface IdentitySettings {
  readonly identities: ConstructorParameters<typeof IdentityDirectory>[0];
  readonly auth: { readonly jwt?: Parameters<typeof createJwtVerifier>[0] | undefined };
}

/** Builds the directory and the authenticator (API keys, and JWTs when configured). */
export function assembleIdentity(config: IdentitySettings, clock: Clock): AssembledIdentity {
  const directory = new IdentityDirectory(config.identities);
  const jwt = config.auth.jwt === undefined ? undefined : createJwtVerifier(config.auth.jwt, clock);
  return { directory, authenticator: createAuthenticator(directory, jwt) };
}
