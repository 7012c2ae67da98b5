import * as oidc from "openid-client";
it("loads", () => { expect(typeof oidc.discovery).toBe("function"); });
