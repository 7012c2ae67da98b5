/**
 * Test-only outbound credentials for the bot: instead of asking Azure AD for a token, every call to the
 * Bot Connector carries a fixed bearer token the fake connector checks.
 *
 * This module refuses to load unless NODE_ENV is `test` (Jest sets it) and COUNTERSIGN_TEAMS_TEST_CREDENTIALS
 * is `1`, and it lives under test/, which no production code imports: it cannot end up serving real traffic.
 */

if (process.env["NODE_ENV"] !== "test" || process.env["COUNTERSIGN_TEAMS_TEST_CREDENTIALS"] !== "1") {
  throw new Error("fake-credentials-factory is for tests only (NODE_ENV=test and COUNTERSIGN_TEAMS_TEST_CREDENTIALS=1)");
}

/** The part of a request the credentials sign. */
interface SignableRequest {
  headers: { set(name: string, value: string): void };
}

/** A ServiceClientCredentialsFactory (botframework-connector) for one app id with a fixed token. */
export class FakeCredentialsFactory {
  /** Every credential request: the app id and audience botbuilder asked for. */
  readonly requests: { appId: string; audience: string | undefined }[] = [];

  constructor(
    private readonly appId: string,
    /** Sent as `Authorization: Bearer <token>` on every outbound call. */
    readonly token: string,
  ) {}

  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }

  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }

  async createCredentials(
    appId: string,
    audience: string | undefined,
  ): Promise<{ signRequest<T extends SignableRequest>(request: T): Promise<T> }> {
    this.requests.push({ appId, audience });
    if (appId !== this.appId) throw new Error(`no credentials for app id ${appId}`);
    const token = this.token;
    return {
      async signRequest<T extends SignableRequest>(request: T): Promise<T> {
        request.headers.set("authorization", `Bearer ${token}`);
        return request;
      },
    };
  }
}
