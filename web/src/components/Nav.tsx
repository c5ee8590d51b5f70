import { href, type ScreenId } from "../state/route.ts";
import { isAdmin } from "../state/session.ts";

const ITEMS: { screen: ScreenId; label: string; admin?: boolean }[] = [
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
];

/** The screen list: a sidebar on wide screens, a drop-down panel on phones. */
export function Nav(props: { current: ScreenId; open: boolean }) {
  const current = props.current === "profile" ? "profiles" : props.current;
  return (
    <nav id="nav" class={props.open ? "nav open" : "nav"} aria-label="Screens">
      <ul>
        {ITEMS.filter((item) => !item.admin || isAdmin.value).map((item) => (
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
