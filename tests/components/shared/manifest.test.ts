import * as assert from "assert";
import { stackRun } from "../../helpers/program";

describe("Raw manifests", () => {
    it("every raw object carries a type token the provider accepts: a group and a version, core/v1 for the core group", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await stackRun(stack);
            const raw = run.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.apiVersion === "string" && typeof r.inputs.kind === "string");
            assert.ok(raw.some((r) => r.inputs.apiVersion === "v1" && r.inputs.kind === "ServiceAccount"), "the fixture has a core object");
            for (const r of raw) {
                const module = r.type.split(":")[1];
                assert.strictEqual(module.split("/").length, 2, `${r.name}: ${r.type}`);
                assert.strictEqual(module, r.inputs.apiVersion.includes("/") ? r.inputs.apiVersion : `core/${r.inputs.apiVersion}`, `${r.name}: ${r.type}`);
            }
        }
    });
});
