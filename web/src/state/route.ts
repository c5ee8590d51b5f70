import { signal } from "@preact/signals";

/** Every screen of the dashboard. */
export type ScreenId =
  | "dashboard"
  | "stream"
  | "profiles"
  | "profile"
  | "encoders"
  | "logs"
  | "integrations"
  | "chat"
  | "history"
  | "recordings"
  | "settings"
  | "users"
  | "tenants"
  | "invite";

/** The current screen and its parameter (the profile name for the editor). */
export interface Route {
  screen: ScreenId;
  param: string | null;
}

const SCREENS: ScreenId[] = [
  "dashboard",
  "stream",
  "profiles",
  "profile",
  "encoders",
  "logs",
  "integrations",
  "chat",
  "history",
  "recordings",
  "settings",
  "users",
  "tenants",
  "invite",
];

/** Reads `#/<screen>/<param>`; anything else is the dashboard. */
export function parseHash(hash: string): Route {
  const [screen = "", param] = hash.replace(/^#\/?/, "").split("/");
  const known = SCREENS.find((s) => s === screen);
  return known ? { screen: known, param: param ? decodeURIComponent(param) : null } : {
    screen: "dashboard",
    param: null,
  };
}

/** The link to a screen. */
export function href(screen: ScreenId, param?: string): string {
  return param === undefined ? `#/${screen}` : `#/${screen}/${encodeURIComponent(param)}`;
}

/** The current route, following the location hash. */
export const route = signal<Route>(parseHash(location.hash));

/** Starts following hash changes. */
export function startRouter(): void {
  addEventListener("hashchange", () => (route.value = parseHash(location.hash)));
}

/** Goes to a screen. */
export function navigate(screen: ScreenId, param?: string): void {
  location.hash = href(screen, param);
}
