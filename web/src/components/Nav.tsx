import { href, type ScreenId } from "../state/route.ts";
import { isAdmin, isHostOperator, whoami } from "../state/session.ts";

const ITEMS: { screen: ScreenId; label: string; admin?: boolean; host?: boolean }[] = [
  { screen: "dashboard", label: "Dashboard" },
  { screen: "stream", label: "Stream control" },
  { screen: "profiles", label: "Profiles" },
  { screen: "encoders", label: "Encoders" },
  { screen: "history", label: "History" },
  { screen: "recordings", label: "Recordings" },
  { screen: "logs", label: "Logs" },
  { screen: "integrations", label: "Integrations" },
  { screen: "chat", label: "Chat" },
  { screen: "settings", label: "Settings" },
  { screen: "users", label: "Users & tokens", admin: true },
  { screen: "tenants", label: "Tenants", host: true },
];

/** Tenants are the host operator's, on hosts with accounts (an open host has none). */
function shown(item: { admin?: boolean; host?: boolean }): boolean {
  if (item.host) return isHostOperator.value && (whoami.value?.role ?? null) !== null;
  return !item.admin || isAdmin.value;
}

/** The screen list: a sidebar on wide screens, a drop-down panel on phones. */
export function Nav(props: { current: ScreenId; open: boolean }) {
  const current = props.current === "profile" ? "profiles" : props.current;
  return (
    <nav id="nav" class={props.open ? "nav open" : "nav"} aria-label="Screens">
      <ul>
        {ITEMS.filter(shown).map((item) => (
          <li key={item.screen}>
            <a href={href(item.screen)} aria-current={item.screen === current ? "page" : undefined}>
              {item.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
