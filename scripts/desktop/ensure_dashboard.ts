/** Builds the dashboard into `<root>/web/dist` unless it is there; throws if the build fails. */
export async function ensureDashboard(root: string): Promise<void> {
  try {
    await Deno.stat(`${root}/web/dist/index.html`);
    return;
  } catch {
    // not built yet
  }
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--cwd", `${root}/web`, "build"],
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!build.success) throw new Error("The dashboard build (deno task --cwd web build) failed");
}
