/**
 * The Slack app manifest in the repository: valid YAML, pointing interactivity at the path the service
 * serves, asking for no more than the one scope the app uses.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { INTERACTIONS_PATH } from "../../src/slack/slack-router";

it("the manifest points at the service's interactions path and asks only for chat:write", () => {
  const manifest = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "..", "src", "slack", "manifest", "manifest.yaml"), "utf8"));
  expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(INTERACTIONS_PATH);
  expect(manifest.settings.interactivity.is_enabled).toBe(true);
  expect(manifest.oauth_config.scopes.bot).toEqual(["chat:write"]);
  expect(manifest.settings.socket_mode_enabled).toBe(false);
});
