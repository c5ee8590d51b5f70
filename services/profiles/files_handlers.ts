import { AppError, type HostFolder } from "@spiritstream/contracts";
import { browseHostFolder, SYSTEM_BIN_DIRS } from "./data/browse_host_folder.ts";
import type { HandlerContext, HandlerOf } from "./handler_context.ts";

/** The host file picker behind `/api/files/*`. */
export interface FilesHandlers {
  browse_host_files: HandlerOf<"browse_host_files", HostFolder>;
  get_host_home_dir: HandlerOf<"get_host_home_dir", { path: string }>;
}

/** Creates the file picker handlers: data folder, home folder and program folders only. */
export function createFilesHandlers(h: HandlerContext): FilesHandlers {
  const roots = [
    h.dataDir,
    ...(h.homeDir ? [h.homeDir] : []),
    ...SYSTEM_BIN_DIRS[Deno.build.os === "windows" ? "windows" : "unix"]!,
  ];
  return {
    browse_host_files: (args) => browseHostFolder(args.path, { roots, home: h.homeDir }),
    get_host_home_dir() {
      if (!h.homeDir) throw new AppError("internal", "Cannot determine home directory");
      return Promise.resolve({ path: h.homeDir });
    },
  };
}
