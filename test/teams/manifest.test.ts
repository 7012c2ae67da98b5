/**
 * The Teams app manifest template: valid JSON once filled in, the bot in team and group chat scopes, and a
 * command list that matches the commands the bot answers.
 */

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseChannelCommand } from "../../src/teams/channel-commands";

const dir = path.join(__dirname, "../../src/teams/manifest");

describe("manifest.template.json", () => {
  const template = readFileSync(path.join(dir, "manifest.template.json"), "utf8");
  const filled = template
    .replace(/{{MICROSOFT_APP_ID}}/g, "3b07a000-0000-4000-8000-00000000b07a")
    .replace(/{{TEAMS_APP_ID}}/g, "7ea35000-0000-4000-8000-000000000001")
    .replace(/{{COUNTERSIGN_HOST}}/g, "countersign.example.com")
    .replace(/{{ORGANIZATION_NAME}}/g, "Example Corp");

  it("is valid JSON with every placeholder filled", () => {
    expect(filled).not.toMatch(/{{/);
    const manifest = JSON.parse(filled);
    expect(manifest.bots[0].botId).toBe("3b07a000-0000-4000-8000-00000000b07a");
    expect(manifest.bots[0].scopes).toEqual(["team", "groupChat"]);
    for (const icon of Object.values(manifest.icons) as string[]) {
      expect(readFileSync(path.join(dir, icon)).subarray(1, 4).toString()).toBe("PNG");
    }
  });

  it("lists exactly the commands the bot answers", () => {
    const manifest = JSON.parse(filled);
    const titles = manifest.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
    expect(titles.map((t: string) => parseChannelCommand(t).kind)).toEqual(titles);
  });
});
