/**
 * The CSS custom properties the dashboard paints with. Every theme (built-in or installed) must
 * define each of these with a non-empty value; the dashboard may rely on them without fallbacks.
 * Values are plain CSS values (colours in any CSS syntax, `box-shadow` values).
 */
export const REQUIRED_TOKEN_DOCS = {
  // Backgrounds and surfaces, from the page down to the most raised layer.
  "--bg-base": "Page background behind everything.",
  "--bg-surface": "Cards, panels, the sidebar.",
  "--bg-surface-raised": "Menus, dialogs, popovers, toasts.",
  "--bg-sunken": "Inputs, the log viewer, code and key fields.",
  "--bg-hover": "Hovered rows, buttons and menu items.",
  "--bg-selected": "The selected row or the active navigation item.",
  "--bg-overlay": "Translucent backdrop behind a dialog.",
  // Borders.
  "--border-default": "Borders of cards, inputs and buttons.",
  "--border-muted": "Dividers and table rules.",
  "--border-strong": "Hovered or emphasised borders.",
  // Text.
  "--text-primary": "Body text and headings.",
  "--text-secondary": "Labels and secondary text.",
  "--text-muted": "Hints, placeholders, timestamps.",
  "--text-link": "Links.",
  // Accent (primary buttons, toggles, the selected tab).
  "--accent": "Primary buttons, switches, the active tab indicator.",
  "--accent-hover": "Primary buttons when hovered or pressed.",
  "--accent-muted": "Subtle accent background (chips, the selected item tint).",
  "--accent-contrast": "Text and icons drawn on --accent.",
  // Feedback (toasts, destructive buttons, inline messages).
  "--success": "Success toasts and messages.",
  "--warning": "Warning toasts and messages.",
  "--danger": "Errors and destructive buttons (Stop, Delete).",
  "--danger-contrast": "Text and icons drawn on --danger.",
  "--info": "Informational toasts and messages.",
  // Target and stream status (TargetState in the contracts; stopped = not running).
  "--status-live": "A target or the ingest is live.",
  "--status-connecting": "A target is connecting; the ingest is waiting for OBS.",
  "--status-reconnecting": "A target lost its connection and is retrying.",
  "--status-failed": "A target failed and gave up.",
  "--status-stopped": "A target or the stream is stopped.",
  // Focus.
  "--focus-ring": "Keyboard focus outline.",
  // Charts (bitrate, fps and dropped-frame graphs): series colours in order, then the frame.
  "--chart-1": "First chart series.",
  "--chart-2": "Second chart series.",
  "--chart-3": "Third chart series.",
  "--chart-4": "Fourth chart series.",
  "--chart-5": "Fifth chart series.",
  "--chart-6": "Sixth chart series (series beyond six reuse the list).",
  "--chart-grid": "Chart grid lines.",
  "--chart-axis": "Chart axis labels and ticks.",
  // Elevation.
  "--shadow": "box-shadow of raised surfaces.",
} as const;

/** A token every theme must define. */
export type RequiredToken = keyof typeof REQUIRED_TOKEN_DOCS;

/** The CSS custom properties every theme must define (see {@linkcode REQUIRED_TOKEN_DOCS}). */
export const REQUIRED_TOKENS: readonly RequiredToken[] = Object.freeze(
  Object.keys(REQUIRED_TOKEN_DOCS) as RequiredToken[],
);

/**
 * Tokens a theme may leave out, with the fallback the dashboard uses
 * (`var(--font-sans, <fallback>)`). Built-in themes define them all.
 */
export const OPTIONAL_TOKENS = {
  "--font-sans": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  "--font-mono": 'ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace',
  "--font-size-base": "14px",
  "--font-size-small": "12px",
  "--radius": "8px",
} as const;
