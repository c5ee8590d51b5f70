import { profilesServiceContract } from "./service_contract.ts";
import { startHarness } from "./testdata/harness.ts";

profilesServiceContract("SQLite with a machine key file", () => startHarness("sqlite"));
