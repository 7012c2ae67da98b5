/**
 * The `teams:` configuration section: local development mode without an app id (refused in production),
 * credentials rules per app type, environment overrides, and the channel service endpoints botbuilder takes
 * all together or not at all.
 */

import { botFrameworkAuthOptions, describeTeamsConfig, validateTeamsConfig } from "../../src/teams/teams-config";
import { TeamsError } from "../../src/teams/teams-errors";

const APP_ID = "3b07a000-0000-4000-8000-00000000b07a";
const TENANT = "de7e0000-0000-4000-8000-00000000c0de";

function problem(raw: unknown, env = {}, options = {}): string {
  try {
    validateTeamsConfig(raw, env, options);
  } catch (err) {
    expect(err).toBeInstanceOf(TeamsError);
    expect((err as TeamsError).code).toBe("COUNTERSIGN_TEAMS_CONFIG_INVALID");
    expect((err as Error).message.startsWith(String((err as TeamsError).field))).toBe(true);
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("validateTeamsConfig", () => {
  it("without an app id is local development mode, with defaults", () => {
    const config = validateTeamsConfig(undefined);
    expect(config).toEqual({ appType: "SingleTenant", allowedTenantIds: [], defaultChannel: "approvals", channelAdminRoles: [] });
    expect(describeTeamsConfig(config)["mode"]).toBe("local-development");
    expect(botFrameworkAuthOptions(config)).toEqual({});
  });

  it("refuses local development mode in production", () => {
    expect(problem({}, {}, { production: true })).toMatch(/^teams\.app_id .*required in production/);
  });

  it("takes a single-tenant bot from the file and its secret from the environment", () => {
    const config = validateTeamsConfig(
      { app_id: APP_ID.toUpperCase(), tenant_id: TENANT, default_channel: "Security", channel_admin_roles: ["security"] },
      { MICROSOFT_APP_PASSWORD: "s3cret" },
      { production: true },
    );
    expect(config).toMatchObject({
      appId: APP_ID,
      appType: "SingleTenant",
      tenantId: TENANT,
      appPassword: "s3cret",
      allowedTenantIds: [TENANT],
      defaultChannel: "security",
    });
    expect(botFrameworkAuthOptions(config)).toEqual({
      MicrosoftAppId: APP_ID,
      MicrosoftAppType: "SingleTenant",
      MicrosoftAppTenantId: TENANT,
      MicrosoftAppPassword: "s3cret",
    });
    expect(JSON.stringify(describeTeamsConfig(config))).not.toContain("s3cret");
  });

  it("lets the environment override the file", () => {
    const config = validateTeamsConfig(
      { app_id: APP_ID, app_password: "file", tenant_id: TENANT },
      { MICROSOFT_APP_ID: "0d1ff000-0000-4000-8000-0000000000ff", MICROSOFT_APP_TYPE: "multitenant" },
    );
    expect(config.appId).toBe("0d1ff000-0000-4000-8000-0000000000ff");
    expect(config.appType).toBe("MultiTenant");
    expect(config.allowedTenantIds).toEqual([]);
  });

  it("needs exactly one credential with an app id, and a tenant for SingleTenant", () => {
    expect(problem({ app_id: APP_ID, tenant_id: TENANT })).toMatch(/^teams\.app_password /);
    expect(problem({ app_id: APP_ID, app_password: "x" })).toMatch(/^teams\.tenant_id is required for SingleTenant/);
    const pem = "-----BEGIN PRIVATE KEY-----\nMII…\n-----END PRIVATE KEY-----\n";
    expect(
      problem({ app_id: APP_ID, tenant_id: TENANT, app_password: "x", certificate: { thumbprint: "a".repeat(40), private_key_pem: pem } }),
    ).toMatch(/^teams\.certificate /);
    const withCert = validateTeamsConfig(
      { app_id: APP_ID, tenant_id: TENANT, certificate: { thumbprint: "ab:".repeat(19) + "ab", private_key_file: "/secrets/bot.pem" } },
      {},
      { readFile: () => pem },
    );
    expect(botFrameworkAuthOptions(withCert)).toMatchObject({ CertificateThumbprint: "AB".repeat(20), CertificatePrivateKey: pem });
    expect(validateTeamsConfig({ app_id: APP_ID, app_type: "UserAssignedMsi", tenant_id: TENANT }).appType).toBe("UserAssignedMsi");
    expect(problem({ app_id: APP_ID, app_type: "UserAssignedMsi", tenant_id: TENANT, app_password: "x" })).toMatch(/^teams\.app_type /);
  });

  it("refuses a password without an app id, unknown settings, bad ids and bad channel names", () => {
    expect(problem({ app_password: "x" })).toMatch(/^teams\.app_id is required when a password/);
    expect(problem({ app_idd: APP_ID })).toBe("teams.app_idd is not a known setting");
    expect(problem({ app_id: "countersign-bot" })).toMatch(/^teams\.app_id /);
    expect(problem({ allowed_tenants: ["contoso"] })).toMatch(/^teams\.allowed_tenants\[0\] /);
    expect(problem({ default_channel: "../etc" })).toMatch(/^teams\.default_channel /);
    expect(problem({ app_type: "Anonymous" })).toMatch(/^teams\.app_type /);
  });

  it("takes the channel service endpoints all together, or not at all", () => {
    const endpoints = {
      to_channel_from_bot_login_url: "https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.us",
      to_channel_from_bot_oauth_scope: "https://api.botframework.us",
      to_bot_from_channel_token_issuer: "https://api.botframework.us",
      to_bot_from_channel_openid_metadata_url: "https://login.botframework.azure.us/v1/.well-known/openidconfiguration",
      to_bot_from_emulator_openid_metadata_url:
        "https://login.microsoftonline.us/cab8a31a-1906-4287-a0d8-4eef66b95f6e/v2.0/.well-known/openid-configuration",
      oauth_url: "https://tokengcch.botframework.azure.us/",
    };
    const config = validateTeamsConfig({ app_id: APP_ID, tenant_id: TENANT, app_password: "x", channel_service: endpoints });
    expect(botFrameworkAuthOptions(config)).toMatchObject({
      ToChannelFromBotLoginUrl: endpoints.to_channel_from_bot_login_url,
      ToChannelFromBotOAuthScope: endpoints.to_channel_from_bot_oauth_scope,
      ToBotFromChannelTokenIssuer: endpoints.to_bot_from_channel_token_issuer,
      ToBotFromChannelOpenIdMetadataUrl: endpoints.to_bot_from_channel_openid_metadata_url,
      ToBotFromEmulatorOpenIdMetadataUrl: endpoints.to_bot_from_emulator_openid_metadata_url,
      OAuthUrl: endpoints.oauth_url,
      ValidateAuthority: true,
    });
    const { oauth_url: _dropped, ...partial } = endpoints;
    expect(problem({ channel_service: partial })).toMatch(/^teams\.channel_service\.oauth_url is required: botbuilder uses all/);
    expect(problem({ channel_service: { ...endpoints, oauth_url: "http://tokens.example/" } })).toMatch(
      /^teams\.channel_service\.oauth_url must be an https URL/,
    );
    const production = { app_id: APP_ID, tenant_id: TENANT, app_password: "x" };
    expect(
      problem({ ...production, channel_service: { ...endpoints, oauth_url: "http://127.0.0.1:9/" } }, {}, { production: true }),
    ).toMatch(/must be an https URL/);
  });
});
