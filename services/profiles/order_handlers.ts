import type { OrderIndexMap } from "@spiritstream/contracts";
import type { HandlerContext, HandlerOf } from "./handler_context.ts";

/** The display-order commands. */
export interface OrderHandlers {
  set_profile_order: HandlerOf<"set_profile_order", null>;
  get_order_index_map: HandlerOf<"get_order_index_map", OrderIndexMap>;
  ensure_order_indexes: HandlerOf<"ensure_order_indexes", OrderIndexMap>;
}

/** Creates the display-order command handlers. */
export function createOrderHandlers(h: HandlerContext): OrderHandlers {
  const { order } = h;
  return {
    async set_profile_order(args, meta) {
      await order.set(meta.tenantId, args.orderedNames);
      return null;
    },
    get_order_index_map: (_args, meta) => order.map(meta.tenantId),
    ensure_order_indexes: (_args, meta) => order.ensure(meta.tenantId),
  };
}
