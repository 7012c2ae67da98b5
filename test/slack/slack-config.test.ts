/**
 * The `slack:` section: secrets from the environment, channel routing, and production refusing to start
 * without a signing secret (or with a plain-http API URL).
 */

import { slackChannelFor, validateSlackConfig } from "../../src/slack/slack-config";

const base = { default_channel: "C0APPROVALS", channels: { releases: "C0RELEASES" } };

describe("validateSlackConfig", () => {
  it("takes the token and signing secret from the environment, over the file", () => {
    const config = validateSlackConfig(
      { ...base, bot_token: "xoxb-file", signing_secret: "file" },
      { SLACK_BOT_TOKEN: "xoxb-env", SLACK_SIGNING_SECRET: "env" },
    );
    expect(config).toMatchObject({
      botToken: "xoxb-env",
      signingSecret: "env",
      defaultChannel: "C0APPROVALS",
      apiUrl: "https://slack.com/api/",
      requestMaxAgeSeconds: 300,
    });
  });

  it("production refuses to start without a signing secret; development starts and refuses every request", () => {
    expect(() => validateSlackConfig(base, { SLACK_BOT_TOKEN: "xoxb-1" }, { production: true })).toThrow(
      /slack.signing_secret is required in production/,
    );
    expect(validateSlackConfig(base, { SLACK_BOT_TOKEN: "xoxb-1" }).signingSecret).toBeUndefined();
  });

  it("refuses what cannot work, naming the setting", () => {
    const env = { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" };
    const cases: [unknown, RegExp, boolean?][] = [
      [{ ...base, surprise: 1 }, /slack.surprise is not a known setting/],
      [{ channels: {} }, /slack.default_channel is required/],
      [{ default_channel: "#approvals" }, /slack.default_channel must be a Slack channel id/],
      [{ ...base, channels: { releases: "#releases" } }, /slack.channels.releases must be a Slack channel id/],
      [{ ...base, allowed_teams: ["acme"] }, /slack.allowed_teams\[0\]/],
      [{ ...base, api_url: "http://slack.example.com/api/" }, /slack.api_url must be an https URL/],
      [{ ...base, api_url: "http://127.0.0.1:9000/api/" }, /slack.api_url must be an https URL/, true],
      [{ ...base, request_max_age_seconds: 3600 }, /slack.request_max_age_seconds/],
    ];
    for (const [raw, message, production] of cases) {
      expect(() => validateSlackConfig(raw, env, { production: production === true })).toThrow(message);
    }
    expect(() => validateSlackConfig(base, {})).toThrow(/slack.bot_token is required/);
    expect(() => validateSlackConfig(base, { SLACK_BOT_TOKEN: "xoxp-user", SLACK_SIGNING_SECRET: "s" }, { production: true })).toThrow(
      /xoxb/,
    );
  });

  it("routes a policy channel to its mapped Slack channel, a channel id as written, else the default", () => {
    const config = validateSlackConfig(base, { SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s" });
    expect(slackChannelFor(config, "releases")).toBe("C0RELEASES");
    expect(slackChannelFor(config, "Releases")).toBe("C0RELEASES");
    expect(slackChannelFor(config, "C0OTHER1")).toBe("C0OTHER1");
    expect(slackChannelFor(config, "unknown")).toBe("C0APPROVALS");
    expect(slackChannelFor(config, undefined)).toBe("C0APPROVALS");
  });
});
