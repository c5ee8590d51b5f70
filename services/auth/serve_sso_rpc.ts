import type { z } from "zod";
import {
  AppError,
  authSubject,
  describeZodError,
  SsoCallbackRequest,
  SsoDiscoverRequest,
  SsoStartRequest,
} from "@spiritstream/contracts";
import type { Bus, Subscription } from "@spiritstream/bus";
import type { AuthContext } from "./auth_context.ts";
import { SsoSignIn } from "./sso_sign_in.ts";

/** Serves `ss.auth.sso_*` (queue group "auth"): the gateway's `/auth/sso/*` routes. */
export function serveSsoRpc(bus: Bus, ctx: AuthContext): Subscription[] {
  const sso = new SsoSignIn(ctx);
  const usersOnly = (work: () => Promise<unknown>) =>
    ctx.mode === "users" ? work() : Promise.resolve(null);
  return [
    bus.serve(
      authSubject("sso_discover"),
      (data) => usersOnly(() => sso.discover(parse(SsoDiscoverRequest, data))),
      { queue: "auth" },
    ),
    bus.serve(authSubject("sso_start"), (data) => {
      const request = parse(SsoStartRequest, data);
      if (ctx.mode !== "users") {
        return Promise.resolve({
          ok: false,
          error: "Single sign-on needs SPIRITSTREAM_AUTH_MODE=users",
        });
      }
      return sso.start(request);
    }, { queue: "auth" }),
    bus.serve(authSubject("sso_callback"), (data) => {
      const request = parse(SsoCallbackRequest, data);
      if (ctx.mode !== "users") {
        return Promise.resolve({
          ok: false,
          error: "Single sign-on needs SPIRITSTREAM_AUTH_MODE=users",
          invalid: true,
          locked: false,
          retryAfterMs: 0,
        });
      }
      return sso.callback(request);
    }, { queue: "auth" }),
  ];
}

function parse<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
  return parsed.data;
}
