/**
 * Test helper: the approval API as a caller, a reviewer or an executor uses it, over supertest against one
 * app, each call with the bearer key of the identity it acts as.
 */

import type { RequestListener } from "node:http";
import request from "supertest";
import type { Response } from "supertest";

/** The calls of the approval workflow, against `app`. */
export function approvalClient(app: RequestListener) {
  const as = (auth: string) => ({
    get: (path: string) => request(app).get(path).set("Authorization", auth),
    post: (path: string, body?: unknown) => {
      const r = request(app).post(path).set("Authorization", auth);
      return body === undefined ? r : r.send(body as object);
    },
  });
  return {
    decide: (auth: string, body: unknown): Promise<Response> => as(auth).post("/v1/decide", body),
    read: (auth: string, id: string, query = ""): Promise<Response> => as(auth).get(`/v1/approvals/${id}${query}`),
    verdict: (auth: string, id: string, body: unknown): Promise<Response> => as(auth).post(`/v1/approvals/${id}/verdicts`, body),
    cancel: (auth: string, id: string, body?: unknown): Promise<Response> => as(auth).post(`/v1/approvals/${id}/cancel`, body),
    inbox: (auth: string, query = "?status=pending"): Promise<Response> => as(auth).get(`/v1/approvals${query}`),
    redeem: (auth: string, body: unknown): Promise<Response> => as(auth).post("/v1/grants/redeem", body),
  };
}

/** The decision's approval id, failing the test with the answer when there is none. */
export function approvalIdOf(res: Response): string {
  const id = (res.body as { approval?: { id?: unknown } }).approval?.id;
  if (res.status !== 200 || typeof id !== "string") throw new Error(`no approval in ${res.status} ${JSON.stringify(res.body)}`);
  return id;
}
