import { profilesServiceContract } from "./service_contract.ts";
import { startHarness } from "./testdata/harness.ts";

profilesServiceContract(
  "PostgreSQL with SPIRITSTREAM_SECRET_KEY",
  () =>
    startHarness("postgres", {
      keySource: { kind: "secret", value: crypto.randomUUID() + crypto.randomUUID() },
    }),
);
