import type { z } from "zod";
import type {
  CommandName,
  COMMANDS,
  EventName,
  EventPayload,
  ResultOf,
} from "@spiritstream/contracts";

export type { CommandName, EventName, EventPayload };

type Def<N extends CommandName> = (typeof COMMANDS)[N];

/** What a command accepts on the wire: fields with defaults or `nullish` may be left out. */
export type ArgsIn<N extends CommandName> = z.input<Def<N>["args"]>;

/** What a command answers with. */
export type Result<N extends CommandName> = ResultOf<Def<N>>;

/** The rest-parameter tuple of `invoke`: optional when every argument is optional. */
export type ArgsParam<N extends CommandName> = Record<never, never> extends ArgsIn<N>
  ? [args?: ArgsIn<N>]
  : [args: ArgsIn<N>];
