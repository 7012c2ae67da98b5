/**
 * The approval card as a reviewer reads it, asserted on the rendered card (no snapshots): the summary first,
 * risk and environment, who is still needed, Approve / Deny with the comment on the first screen and the rest
 * behind Details; the outcome as the headline once decided; names with roles; local time and a countdown;
 * 30 long, nested, unicode and bidi values all listed, wrapped and escaped; masked values of any length never
 * displayed while verbs and data keys stay exactly as they are; status colours readable (WCAG ≥ 4.5:1) on
 * Teams' light theme.
 */

import fc from "fast-check";
import { renderApprovalCard, type AdaptiveCard } from "../../src/teams/approval-card";
import {
  APPROVAL_ID_FIELD,
  APPROVE_VERB,
  COMMENT_INPUT_ID,
  DENY_VERB,
  REFRESH_VERB,
  RENDERED_AT_FIELD,
  VERSION_FIELD,
} from "../../src/teams/card-verbs";
import type { ApprovalCardState } from "../../src/teams/ports";

import { cardOptions as options, bob, carol, decided, marco, partly, pending } from "./support/card-states";

type Node = Record<string, unknown>;

/** Every object in the card, depth first, with the container style it sits in. */
function walk(node: unknown, visit: (n: Node, style: string) => void, style = "default"): void {
  if (Array.isArray(node)) return node.forEach((n) => walk(n, visit, style));
  if (typeof node !== "object" || node === null) return;
  const n = node as Node;
  visit(n, style);
  const inner =
    n["type"] === "Container" && typeof n["style"] === "string" ? (n["style"] as string) : n["type"] === "AdaptiveCard" ? "default" : style;
  for (const value of Object.values(n)) walk(value, visit, inner);
}

/** The text of every TextBlock, in order (details included). */
function texts(card: unknown): string[] {
  const out: string[] = [];
  walk(card, (n) => {
    if (n["type"] === "TextBlock") out.push(n["text"] as string);
  });
  return out;
}

/** The body of the card before the Details, i.e. what shows without expanding anything. */
function firstScreen(card: AdaptiveCard): Node[] {
  return card["body"] as Node[];
}

function firstScreenText(card: AdaptiveCard): string {
  return firstScreen(card)
    .filter((n) => n["type"] !== "ActionSet")
    .map((n) => JSON.stringify(n))
    .join("\n");
}

function details(card: AdaptiveCard): string[] {
  const set = firstScreen(card).find((n) => n["type"] === "ActionSet") as { actions: { type: string; card?: unknown }[] };
  const show = set.actions.find((a) => a.type === "Action.ShowCard")!;
  return texts(show.card);
}

function executes(card: AdaptiveCard): Node[] {
  const out: Node[] = [];
  walk(card, (n) => {
    if (n["type"] === "Action.Execute") out.push(n);
  });
  return out;
}

describe("the card a reviewer reads", () => {
  it("pending: summary first, risk and environment, who is needed, countdown, comment and Approve / Deny; the rest behind Details", () => {
    const card = renderApprovalCard(pending, options);
    const body = firstScreen(card);
    expect(body[0]).toMatchObject({ type: "TextBlock", text: "Jane Doe's agent wants to db.export prod-crm/customers", weight: "Bolder" });
    expect(body[1]).toMatchObject({ type: "TextBlock", text: "🟠 High risk · Environment: production", color: "Attention" });
    const top = firstScreenText(card);
    expect(top).toContain("⏳ Pending: 0 of 2 approvals · waiting for: 1 security, 1 dba");
    expect(top).toContain("Reason: quarterly churn report");
    // Local time for every viewer, counted down from the render minute (14:03).
    expect(top).toContain("Expires: in 12 min ({{DATE(2025-01-31T14:15:00Z, SHORT)}} {{TIME(2025-01-31T14:15:00Z)}})");
    // Nothing but the comment box and the Details / console buttons between the facts and Approve / Deny.
    const kinds = body.map((n) => n["type"]);
    expect(kinds.indexOf("Input.Text")).toBe(kinds.length - 2);
    expect(body.at(-1)).toMatchObject({ type: "ActionSet" });
    expect(body.length).toBeLessThanOrEqual(8);
    expect(body.find((n) => n["id"] === COMMENT_INPUT_ID)).toMatchObject({ type: "Input.Text", maxLength: 1000 });
    expect((card["actions"] as Node[]).map((a) => [a["title"], a["verb"], a["style"]])).toEqual([
      ["Approve", APPROVE_VERB, "positive"],
      ["Deny", DENY_VERB, "destructive"],
    ]);
    // Everything else is one tap away, with the console link for what a card cannot hold.
    const more = details(card);
    expect(more).toEqual(
      expect.arrayContaining([
        "• exports from production need one security and one dba reviewer",
        "Actor: agent:data-export-assistant (ai_agent)",
        "On behalf of: Jane Doe (user:jane.doe)",
        "Resource: database prod-crm/customers",
        "Requires: 1 with role security, and 1 with role dba (2 distinct approvers in all)",
        "table: customers",
        "rows: 10000",
        "query: [MASKED]",
        "None yet.",
      ]),
    );
    const set = body.at(-1) as { actions: Node[] };
    expect(set.actions).toContainEqual({
      type: "Action.OpenUrl",
      title: "Open in console",
      url: "https://countersign.example.com/console/requests/apr_7",
    });
    expect(card["refresh"]).toMatchObject({ action: { verb: REFRESH_VERB, data: { [APPROVAL_ID_FIELD]: "apr_7" } } });
  });

  it("has no console link when no public URL is configured", () => {
    const { consoleBaseUrl: _c, ...without } = options;
    expect(JSON.stringify(renderApprovalCard(pending, without))).not.toContain("Action.OpenUrl");
  });

  it("partly approved: names the approver with their role and who is still needed", () => {
    const top = firstScreenText(renderApprovalCard(partly, options));
    expect(top).toContain("⏳ Pending: 1 of 2 approvals · waiting for: 1 security");
    expect(top).toContain(
      "✅ approved by Bob Smith (dba) · {{DATE(2025-01-31T14:05:00Z, SHORT)}} {{TIME(2025-01-31T14:05:00Z)}}: “row count is fine”",
    );
  });

  it.each([
    [
      "approved",
      decided("approved", [bob, carol], ["user:bob", "user:carol"]),
      "✅ Approved by Bob Smith (dba), Carol Chen (security)",
      "good",
    ],
    ["denied", decided("denied", [bob, marco], ["user:marco"]), "⛔ Denied by Marco Rossi (security)", "attention"],
    ["expired", decided("expired", [bob], []), "⌛ Expired without a decision (treated as denied)", "attention"],
    ["cancelled", decided("cancelled", [], ["svc:ci"], "rolled back instead"), "🚫 Cancelled by svc:ci: rolled back instead", "default"],
  ])("%s: the outcome is the headline, and nothing on the card is live", (_status, state, headline, style) => {
    const card = renderApprovalCard(state, options);
    const body = firstScreen(card);
    expect(body[0]).toMatchObject({
      type: "Container",
      style,
      items: [
        expect.objectContaining({ text: headline }),
        expect.objectContaining({ text: "Decided · {{DATE(2025-01-31T14:08:00Z, SHORT)}} {{TIME(2025-01-31T14:08:00Z)}}" }),
      ],
    });
    expect(body[1]).toMatchObject({ type: "TextBlock", text: "Jane Doe's agent wants to db.export prod-crm/customers" });
    expect(executes(card)).toEqual([]);
    expect(card["refresh"]).toBeUndefined();
    expect(JSON.stringify(card)).not.toContain("Input.");
    expect(texts(card)).toContain("No further verdicts are accepted.");
  });

  it("uses the policy's own summary when it gives one, with masked values hidden", () => {
    const card = renderApprovalCard(
      { ...pending, summary: "Export of 10,000 gold customers via select * from customers where tier='gold'" },
      options,
    );
    expect(firstScreen(card)[0]).toMatchObject({ text: "Export of 10,000 gold customers via [MASKED]" });
  });

  it("shows 30 long, nested, unicode and bidi values in full or cut with a warning, wrapping, with invisible characters escaped", () => {
    const params: Record<string, unknown> = {};
    for (let i = 0; i < 26; i++) params[`field_${String(i).padStart(2, "0")}`] = `value ${i} ${"données-été-✓ ".repeat(i % 4)}`;
    params["long_unbroken"] = "x".repeat(1200);
    params["nested"] = { filter: { country: "DE", since: "2024-01-01" }, columns: ["id", "email"], items: [{ sku: "A-1", qty: 2 }] };
    params["unicode"] = "客户数据 📦 Ünïcödé";
    params["file"] = "prod\u200buction\u202Egnp.exe";
    const card = renderApprovalCard({ ...pending, request: { ...pending.request, action: { name: "db.export", params } } }, options);
    const more = details(card);
    for (let i = 0; i < 26; i++) expect(more.some((t) => t.startsWith(`field_${String(i).padStart(2, "0")}: value ${i}`))).toBe(true);
    expect(more).toEqual(
      expect.arrayContaining([
        "nested.filter.country: DE",
        "nested.filter.since: 2024-01-01",
        "nested.columns: id, email",
        "nested.items[0].sku: A-1",
        "nested.items[0].qty: 2",
        "unicode: 客户数据 📦 Ünïcödé",
        "file: prod\\\\u200buction\\\\u202egnp.exe",
      ]),
    );
    const long = more.find((t) => t.startsWith("long_unbroken: "))!;
    expect(Array.from(long.slice("long_unbroken: ".length))).toHaveLength(300);
    expect(long.endsWith("…")).toBe(true);
    expect(more.some((t) => t.includes("1 value is cut at 300 characters") && t.includes("open the request in the console"))).toBe(true);
    const json = JSON.stringify(card);
    expect(json).not.toMatch(/[\u200b\u202e]/);
    walk(card, (n) => {
      if (n["type"] === "TextBlock") expect(n["wrap"]).toBe(true);
    });
    expect(Buffer.byteLength(json, "utf8")).toBeLessThan(28 * 1024);
  });

  it("lists what did not fit and says where to read it, keeping the card within Teams' size limit", () => {
    const params = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, "v".repeat(250)]));
    const card = renderApprovalCard(
      { ...pending, request: { ...pending.request, action: { name: "db.export", params } } },
      { ...options, consoleBaseUrl: undefined as never },
    );
    const json = JSON.stringify(card);
    expect(Buffer.byteLength(json, "utf8")).toBeLessThan(28 * 1024);
    expect(details(card).some((t) => /\d+ more values are not on this card/.test(t) && t.includes("GET /v1/approvals/apr_7"))).toBe(true);
  });
});

describe("masked values on the card", () => {
  const SENTINEL = "⁂sentinel⁂";

  /** A request that masks `secret` and repeats it in the other places text reaches a card from. */
  function withSecret(secret: string, status: ApprovalCardState["status"]): ApprovalCardState {
    const base = status === "pending" ? partly : decided(status as "approved", [bob, marco], ["user:marco"], `done ${secret}`);
    return {
      ...base,
      request: {
        ...base.request,
        action: { name: "db.export", params: { table: "customers", token: secret, copy: secret, nested: { again: secret } } },
        context: { reason: `uses ${secret} and x${secret}x`, ticket: secret, other: [secret, `${secret}${secret}`] },
      },
      mask: ["/action/params/token"],
      policyReasons: [`token ${secret} is live`, secret],
      summary: `Export with ${secret}`,
      verdicts: base.verdicts.map((v) => ({ ...v, comment: `saw ${secret}. also:${secret}` })),
    };
  }

  /** Every displayed string: TextBlock text, labels, placeholders, choice and action titles, fallback text. */
  function displayed(card: unknown): string[] {
    const out: string[] = [];
    walk(card, (n) => {
      for (const key of ["text", "label", "placeholder", "title", "fallbackText", "errorMessage"])
        if (typeof n[key] === "string") out.push(n[key] as string);
    });
    return out;
  }

  /** The card with every displayed string removed: types, verbs, data, ids, styles, URLs. */
  function skeleton(card: unknown): unknown {
    if (Array.isArray(card)) return card.map(skeleton);
    if (typeof card !== "object" || card === null) return card;
    return Object.fromEntries(
      Object.entries(card as Node).map(([k, v]) => [
        k,
        ["text", "label", "placeholder", "title", "fallbackText", "errorMessage"].includes(k) && typeof v === "string" ? "·" : skeleton(v),
      ]),
    );
  }

  /** Occurrences the masking contract forbids: as a word of its own (any length), or anywhere (4+ characters). */
  function occurrences(text: string, secret: string): number {
    let count = 0;
    for (let i = text.indexOf(secret); i >= 0; i = text.indexOf(secret, i + 1)) {
      const before = i === 0 ? "" : Array.from(text.slice(0, i)).at(-1)!;
      const after = Array.from(text.slice(i + secret.length))[0] ?? "";
      const word = /[\p{L}\p{N}\p{M}]/u;
      if (secret.length >= 4 || (!word.test(before) && !word.test(after))) count++;
    }
    return count;
  }

  const secrets = fc.oneof(
    fc.constantFrom(
      "app",
      "a",
      "1",
      "e",
      "approvalId",
      "countersign.approve",
      "version",
      "Approve",
      "Deny",
      "MASKED",
      "[MASKED]",
      "Pending",
      "security",
      "*",
      "\u202e",
      "db",
      "  ab ",
    ),
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 6 }),
    fc.string({ minLength: 4, maxLength: 60 }),
  );

  it("no masked value of any length is displayed anywhere on any card, and verbs, data keys and ids are unchanged", () => {
    fc.assert(
      fc.property(
        secrets.filter((s) => s.trim() !== ""),
        fc.constantFrom("pending" as const, "approved" as const, "denied" as const),
        (secret, status) => {
          const card = renderApprovalCard(withSecret(secret, status), options);
          const control = renderApprovalCard(withSecret(SENTINEL, status), options);
          // Structure is independent of the masked value: same verbs, data, input ids, styles, links.
          expect(skeleton(card)).toEqual(skeleton(control));
          for (const action of executes(card)) {
            expect([APPROVE_VERB, DENY_VERB, REFRESH_VERB]).toContain(action["verb"]);
            expect(Object.keys(action["data"] as Node).sort()).toEqual(
              action["verb"] === REFRESH_VERB ? [APPROVAL_ID_FIELD] : [APPROVAL_ID_FIELD, RENDERED_AT_FIELD, VERSION_FIELD].sort(),
            );
            expect((action["data"] as Node)[APPROVAL_ID_FIELD]).toBe("apr_7");
          }
          // Displayed text shows the masked value no more often than the same card does without it (fixed wording).
          const shown = displayed(card).join("\n");
          const baseline = displayed(control).join("\n");
          expect(occurrences(shown, secret)).toBeLessThanOrEqual(occurrences(baseline, secret));
          expect(occurrences(shown, secret.trim())).toBeLessThanOrEqual(occurrences(baseline, secret.trim()));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("a masked value 'app' leaves Approve, Deny and Refresh working and the text readable", () => {
    const card = renderApprovalCard(withSecret("app", "pending"), options);
    const json = JSON.stringify(card);
    expect(json).toContain(`"verb":"${APPROVE_VERB}"`);
    expect(json).toContain(`"${APPROVAL_ID_FIELD}":"apr_7"`);
    expect(json).not.toContain("[MASKED]rove");
    expect(firstScreenText(card)).toContain("1 of 2 approvals");
    expect(json).toContain("saw [MASKED]. also:[MASKED]");
  });
});

describe("status colours on Teams' light theme", () => {
  /**
   * Teams' light host config (foreground colours are the same in every container style; alpha is composited
   * over the container's background), as published with the Adaptive Cards designer's Teams light host.
   */
  const BACKGROUND: Record<string, string> = {
    default: "#FFFFFF",
    good: "#CCFFCC",
    attention: "#FFC5B2",
    warning: "#FFE2B2",
    accent: "#C7DEF9",
  };
  const FOREGROUND: Record<string, { default: string; subtle: string }> = {
    default: { default: "#FF252424", subtle: "#BF252424" },
    dark: { default: "#FF252424", subtle: "#BF252424" },
    light: { default: "#FFFFFFFF", subtle: "#FFF3F2F1" },
    accent: { default: "#FF6264A7", subtle: "#FF8B8CC7" },
    good: { default: "#FF92C353", subtle: "#E592C353" },
    warning: { default: "#FFF8D22A", subtle: "#E5F8D22A" },
    attention: { default: "#FFC4314B", subtle: "#E5C4314B" },
  };

  function rgb(hex: string): [number, number, number, number] {
    const h = hex.replace("#", "");
    const argb = h.length === 8 ? h : `FF${h}`;
    return [
      parseInt(argb.slice(2, 4), 16),
      parseInt(argb.slice(4, 6), 16),
      parseInt(argb.slice(6, 8), 16),
      parseInt(argb.slice(0, 2), 16) / 255,
    ];
  }

  /** WCAG 2 contrast ratio of `fg` (alpha composited) over `bg`. */
  function contrast(fg: string, bg: string): number {
    const [br, bgG, bb] = rgb(bg);
    const [fr, fgG, fb, a] = rgb(fg);
    const mix = [fr * a + br * (1 - a), fgG * a + bgG * (1 - a), fb * a + bb * (1 - a)];
    const lum = (c: number[]): number => {
      const [r, g, b] = c.map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const [l1, l2] = [lum(mix), lum([br, bgG, bb])].sort((x, y) => y - x);
    return (l1! + 0.05) / (l2! + 0.05);
  }

  it("computes contrast as WCAG does", () => {
    expect(contrast("#000000", "#FFFFFF")).toBeCloseTo(21, 5);
    expect(contrast("#F8D22A", "#FFFFFF")).toBeLessThan(1.6); // the old pending colour
    expect(contrast("#92C353", "#FFFFFF")).toBeLessThan(2.2); // the old approved colour
  });

  it.each([
    ["pending", pending],
    ["partly approved", partly],
    ["approved", decided("approved", [bob, carol], ["user:bob", "user:carol"])],
    ["denied", decided("denied", [marco], ["user:marco"])],
    ["expired", decided("expired", [], [])],
    ["cancelled", decided("cancelled", [], ["svc:ci"])],
    ["break-glass", { ...pending, breakGlass: { justification: "prod down, INC-42" }, risk: "critical" as const }],
  ])("every text on the %s card reaches 4.5:1", (_name, state) => {
    let checked = 0;
    walk(renderApprovalCard(state, options), (n, style) => {
      if (n["type"] !== "TextBlock") return;
      const color = typeof n["color"] === "string" ? (n["color"] as string).toLowerCase() : "default";
      const fg = FOREGROUND[color]![n["isSubtle"] === true ? "subtle" : "default"];
      const ratio = contrast(fg, BACKGROUND[style]!);
      if (ratio < 4.5)
        throw new Error(`"${n["text"]}" (${color}${n["isSubtle"] ? ", subtle" : ""} on ${style}) has contrast ${ratio.toFixed(2)}:1`);
      checked++;
    });
    expect(checked).toBeGreaterThan(5);
  });
});
