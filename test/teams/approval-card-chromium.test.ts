/**
 * The approval card rendered by Microsoft's own Adaptive Cards renderer (npm `adaptivecards`) in a real
 * headless Chromium (Debian's `chromium`, driven by playwright-core), 450 px wide with a Teams-like light host
 * configuration, as a reviewer on a phone would see it: pending, partly approved, approved, denied, expired,
 * cancelled, and a request with 30 long, nested, unicode and bidi values. Asserted on the rendered page:
 * Approve and Deny (and the comment box) sit within the first phone screen (the card's top 640 px), nothing
 * overflows horizontally (the details expanded too), and a decided card's outcome is its top line.
 * Screenshots and the measured heights go to test/console/screenshots/ (git-ignored).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { renderApprovalCard, type AdaptiveCard } from "../../src/teams/approval-card";
import type { ApprovalCardState } from "../../src/teams/ports";
import { bob, carol, cardOptions, crowdedPending, decided, marco, partly, pending, thirtyFields } from "./support/card-states";
import { TEAMS_LIGHT_HOST_CONFIG, TEAMS_LIGHT_PAGE_CSS } from "./support/teams-light-host-config";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.join(__dirname, "..", "console", "screenshots");
const CARD_WIDTH = 450;
/** The first screen of a phone, measured from the card's top. */
const FIRST_SCREEN_PX = 640;

jest.setTimeout(120_000);

let browser: Browser;
let page: Page;
const heights: Record<string, unknown> = {};

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage({ viewport: { width: 500, height: 900 }, locale: "en-US", timezoneId: "Europe/Rome" });
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"></head><body><div id="host"></div></body></html>`);
  await page.addStyleTag({ path: require.resolve("adaptivecards/dist/adaptivecards.css") });
  await page.addStyleTag({ content: TEAMS_LIGHT_PAGE_CSS });
  await page.addScriptTag({ path: require.resolve("adaptivecards/dist/adaptivecards.min.js") });
  // Teams renders the Markdown subset of TextBlocks; the renderer leaves that to its host (here markdown-it,
  // inline only, no raw HTML, no autolinks: closer to Teams than showing the Markdown source).
  await page.addScriptTag({ path: require.resolve("markdown-it/dist/markdown-it.min.js") });
  await page.evaluate(() => {
    const w = window as unknown as { AdaptiveCards: any; markdownit: (opts: unknown) => { renderInline(text: string): string } };
    const md = w.markdownit({ html: false, linkify: false, breaks: false });
    w.AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text: string, result: { outputHtml?: string; didProcess: boolean }) => {
      result.outputHtml = md.renderInline(text);
      result.didProcess = true;
    };
  });
});

afterAll(async () => {
  fs.writeFileSync(path.join(SHOTS, "card-heights.json"), JSON.stringify(heights, null, 2) + "\n");
  await browser?.close();
});

/** What the page measured of a rendered card, in CSS pixels from the card's top. */
interface Rendered {
  readonly height: number;
  readonly scrollWidth: number;
  readonly clientWidth: number;
  /** Elements whose right edge passes the card's (tag, class, text start, right edge). */
  readonly overflowing: readonly string[];
  readonly buttons: readonly { readonly title: string; readonly top: number; readonly bottom: number }[];
  readonly comment: { readonly top: number; readonly bottom: number } | null;
  /** The visible text lines of the card's first three text blocks. */
  readonly firstTexts: readonly string[];
  readonly warnings: readonly string[];
}

/** Renders `card` into the host with the renderer, optionally expanding Details, and measures it. */
async function render(card: AdaptiveCard, expandDetails = false): Promise<Rendered> {
  const measured = await page.evaluate(
    ({ card, hostConfig }) => {
      const AC = (window as unknown as { AdaptiveCards: any }).AdaptiveCards;
      const host = document.getElementById("host")!;
      host.innerHTML = "";
      const adaptive = new AC.AdaptiveCard();
      adaptive.hostConfig = new AC.HostConfig(hostConfig);
      const warnings: string[] = [];
      const context = new AC.SerializationContext();
      adaptive.parse(card, context);
      for (let i = 0; i < context.eventCount; i++) warnings.push(String(context.getEventAt(i).message));
      const element = adaptive.render() as HTMLElement;
      host.appendChild(element);
      return warnings;
    },
    { card, hostConfig: TEAMS_LIGHT_HOST_CONFIG },
  );
  if (expandDetails) await page.locator("#host button", { hasText: "Details" }).first().click();
  return page.evaluate((warnings) => {
    const host = document.getElementById("host")!;
    const root = host.firstElementChild as HTMLElement;
    const top = root.getBoundingClientRect().top;
    const right = root.getBoundingClientRect().right;
    const overflowing: string[] = [];
    for (const el of Array.from(root.querySelectorAll<HTMLElement>("*"))) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > right + 0.5)
        overflowing.push(`${el.tagName}.${el.className} "${(el.textContent ?? "").slice(0, 40)}" right=${box.right.toFixed(1)}`);
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible" && el.tagName !== "BUTTON") {
        overflowing.push(`${el.tagName}.${el.className} scrolls ${el.scrollWidth}>${el.clientWidth}`);
      }
    }
    const buttons = Array.from(root.querySelectorAll<HTMLElement>("button")).map((b) => {
      const box = b.getBoundingClientRect();
      return { title: (b.textContent ?? "").trim(), top: box.top - top, bottom: box.bottom - top };
    });
    const input = root.querySelector<HTMLElement>("input.ac-textInput, input[type=text], textarea");
    const inputBox = input?.getBoundingClientRect();
    const firstTexts = Array.from(root.querySelectorAll<HTMLElement>(".ac-textBlock"))
      .slice(0, 3)
      .map((t) => (t.innerText ?? "").trim());
    return {
      height: root.getBoundingClientRect().height,
      scrollWidth: root.scrollWidth,
      clientWidth: root.clientWidth,
      overflowing,
      buttons,
      comment: inputBox === undefined ? null : { top: inputBox.top - top, bottom: inputBox.bottom - top },
      firstTexts,
      warnings,
    };
  }, measured);
}

async function shot(name: string): Promise<void> {
  await page.locator("#host").screenshot({ path: path.join(SHOTS, `card-${name}.png`) });
}

const STATES: [string, ApprovalCardState][] = [
  ["pending", pending],
  ["partly-approved", partly],
  ["approved", decided("approved", [bob, carol], ["user:bob", "user:carol"])],
  ["denied", decided("denied", [marco], ["user:marco"])],
  ["expired", decided("expired", [], [])],
  ["cancelled", decided("cancelled", [], ["svc:ci"], "no longer needed")],
  ["thirty-fields", thirtyFields()],
  ["crowded-pending", crowdedPending()],
];

describe("the approval card in Microsoft's renderer, 450 px wide, Teams light", () => {
  it.each(STATES)("%s: fits the width, and parses without warnings", async (name, state) => {
    const card = renderApprovalCard(state, cardOptions);
    const r = await render(card);
    heights[name] = { height: Math.round(r.height) };
    await shot(name);
    expect(r.warnings).toEqual([]);
    expect(r.clientWidth).toBe(CARD_WIDTH);
    expect(r.scrollWidth).toBeLessThanOrEqual(CARD_WIDTH);
    expect(r.overflowing).toEqual([]);
  });

  it.each(STATES.filter(([, s]) => s.status === "pending"))(
    "%s: Approve, Deny and the comment box are on the first phone screen",
    async (name, state) => {
      const r = await render(renderApprovalCard(state, cardOptions));
      const approve = r.buttons.find((b) => b.title === "Approve");
      const deny = r.buttons.find((b) => b.title === "Deny");
      expect(approve).toBeDefined();
      expect(deny).toBeDefined();
      expect(r.comment).not.toBeNull();
      heights[name] = {
        ...(heights[name] as object),
        approveBottom: Math.round(approve!.bottom),
        denyBottom: Math.round(deny!.bottom),
        commentBottom: Math.round(r.comment!.bottom),
      };
      expect(approve!.bottom).toBeLessThanOrEqual(FIRST_SCREEN_PX);
      expect(deny!.bottom).toBeLessThanOrEqual(FIRST_SCREEN_PX);
      expect(r.comment!.bottom).toBeLessThanOrEqual(FIRST_SCREEN_PX);
      // The comment box comes before the buttons it goes with.
      expect(r.comment!.top).toBeLessThan(approve!.top);
      expect(r.firstTexts[0]).toContain(state.summary === undefined ? "wants to db.export prod-crm/customers" : state.summary.slice(0, 40));
    },
  );

  it.each([
    [
      "approved",
      decided("approved", [bob, carol], ["user:bob", "user:carol"]),
      /^✅ Approved by Bob Smith \(dba\), Carol Chen \(security\)$/,
    ],
    ["denied", decided("denied", [marco], ["user:marco"]), /^⛔ Denied by Marco Rossi \(security\)$/],
    ["expired", decided("expired", [], []), /^⌛ Expired without a decision/],
    ["cancelled", decided("cancelled", [], ["svc:ci"], "no longer needed"), /^🚫 Cancelled by svc:ci: no longer needed$/],
  ] as const)("%s: the outcome is the top line, and no Approve or Deny is offered", async (_name, state, headline) => {
    const r = await render(renderApprovalCard(state, cardOptions));
    expect(r.firstTexts[0]).toMatch(headline);
    expect(r.firstTexts[1]).toMatch(/^Decided /);
    expect(r.buttons.map((b) => b.title)).not.toContain("Approve");
    expect(r.buttons.map((b) => b.title)).not.toContain("Deny");
  });

  it("30 long, nested, unicode and bidi values: the expanded details wrap within the card, controls shown escaped", async () => {
    const r = await render(renderApprovalCard(thirtyFields(), cardOptions), true);
    heights["thirty-fields-details-open"] = { height: Math.round(r.height) };
    await shot("thirty-fields-details");
    expect(r.overflowing).toEqual([]);
    expect(r.scrollWidth).toBeLessThanOrEqual(CARD_WIDTH);
    const text = await page.locator("#host").innerText();
    expect(text).toContain("nested.filter.tags.exclude.deep.deeper: כן");
    expect(text).toContain("unicode: 客户数据 📦 Ünïcödé مرحبا");
    expect(text).toContain("prod\\u200buction\\u202egnp.exe");
    expect(text).not.toMatch(/[\u200b\u202e]/);
    // The reason is cut short on the first screen and given at length in the details.
    expect(
      text
        .split("\n")
        .filter((l) => l.startsWith("Reason: "))
        .map((l) => Array.from(l).length),
    ).toEqual([8 + 140, 8 + 300]);
    // Local time through the renderer's own {{DATE()}}/{{TIME()}} support (the page is in Rome, UTC+1).
    expect(text).toMatch(/Expires: in 12 min \(.*3:15\s?PM\)/);
  });
});
