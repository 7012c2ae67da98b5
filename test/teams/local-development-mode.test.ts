/**
 * Local development mode (no app id: inbound activities are not authenticated): only callers on this
 * machine may post activities, and replies go only to `teams.emulator_url`. An activity naming another
 * loopback service URL (Redis, an admin port) is refused before the bot sends anything anywhere.
 */

import "./support/network-guard";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { validateTeamsConfig } from "../../src/teams/teams-config";
import { useRedisServer } from "../support/redis-server";
import { startBotHarness, type BotHarness } from "./support/bot-harness";
import { startFakeBotConnector, type FakeBotConnector } from "./support/fake-bot-connector";
import { REVIEWERS } from "./support/in-memory-approvals";
import { APPROVALS_CHANNEL, reviewerMessage } from "./support/teams-activities";

const redis = useRedisServer({ flushBetweenTests: true });
let h: BotHarness;
let victim: FakeBotConnector;

beforeEach(async () => {
  h = await startBotHarness(redis);
  victim = await startFakeBotConnector();
});
afterEach(async () => {
  await h.close();
  await victim.close();
});

describe("local development mode", () => {
  it("answers an activity whose service URL is the configured Emulator, replying there", async () => {
    const res = await h.send(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "status"));
    expect(res.status).toBe(200);
    expect(h.connector.calls.length).toBeGreaterThan(0);
  });

  it("refuses an activity naming any other loopback service URL, and calls nothing", async () => {
    const res = await h.send(reviewerMessage(APPROVALS_CHANNEL, victim.serviceUrl, REVIEWERS.bob, "status"));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("COUNTERSIGN_TEAMS_SERVICE_URL_NOT_ALLOWED");
    const redisPort = new URL(redis.url).port;
    const toRedis = await h.send(reviewerMessage(APPROVALS_CHANNEL, `http://127.0.0.1:${redisPort}/`, REVIEWERS.bob, "status"));
    expect(toRedis.status).toBe(400);
    await new Promise((r) => setTimeout(r, 100));
    expect(victim.calls).toEqual([]);
    expect(h.connector.calls).toEqual([]);
  });

  it("refuses a caller that is not on loopback (here: a Unix socket peer)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-teams-sock-"));
    const socketPath = path.join(dir, "bot.sock");
    const server = http.createServer(h.app).listen(socketPath);
    await new Promise<void>((r) => server.once("listening", () => r()));
    try {
      const body = JSON.stringify(reviewerMessage(APPROVALS_CHANNEL, h.connector.serviceUrl, REVIEWERS.bob, "status"));
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.request(
          { socketPath, path: "/api/messages", method: "POST", headers: { "content-type": "application/json" } },
          (res) => {
            let text = "";
            res.on("data", (d) => (text += d));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.text).error.code).toBe("COUNTERSIGN_TEAMS_LOOPBACK_ONLY");
      expect(h.connector.calls).toEqual([]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("teams.emulator_url", () => {
  it("is a loopback http(s) URL, and only for local development mode", () => {
    expect(validateTeamsConfig({ emulator_url: "http://localhost:53484/" }).emulatorOrigin).toBe("http://localhost:53484");
    expect(() => validateTeamsConfig({ emulator_url: "http://10.1.2.3:53484" })).toThrow(
      /teams\.emulator_url must be an http\(s\) URL on a loopback address/,
    );
    expect(() =>
      validateTeamsConfig({
        emulator_url: "http://127.0.0.1:1",
        app_id: "3b07a000-0000-4000-8000-00000000b07a",
        tenant_id: "de7e0000-0000-4000-8000-00000000c0de",
        app_password: "x",
      }),
    ).toThrow(/teams\.emulator_url is only for local development mode/);
  });

  it("without it, local development mode refuses every activity", async () => {
    const bare = await startBotHarness(redis, { teams: { emulator_url: undefined } });
    try {
      const res = await bare.send(reviewerMessage(APPROVALS_CHANNEL, bare.connector.serviceUrl, REVIEWERS.bob, "status"));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("COUNTERSIGN_TEAMS_SERVICE_URL_NOT_ALLOWED");
    } finally {
      await bare.close();
    }
  });
});
