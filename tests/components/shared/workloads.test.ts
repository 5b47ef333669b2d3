import * as assert from "assert";
import { setupJob } from "../../../components/shared/workloads";
import { stackRun } from "../../helpers/program";

const PROFILES = ["dev", "staging", "prod"] as const;

describe("setup Jobs", () => {
    it("the Job builder asks the provider to replace a Job that is not complete, so a failed one runs again on the next up", () => {
        const job = setupJob({ name: "x-setup", namespace: "x", configMap: "x-setup", env: [] });
        assert.strictEqual(job.metadata.annotations?.["pulumi.com/replaceUnready"], "true");
        assert.strictEqual(job.metadata.name, "x-setup");
    });

    for (const profile of PROFILES) {
        it(`${profile}: every setup Job the program declares carries pulumi.com/replaceUnready "true"`, async () => {
            const run = await stackRun(profile);
            const jobs = run.resources.filter((r) => r.inputs.kind === "Job");
            const expected = profile === "dev" ? ["logging-setup"] : ["graylog-setup", "logging-setup"];
            assert.deepStrictEqual(jobs.map((j) => j.inputs.metadata.name.replace(/-[0-9a-f]{10}$/, "")).sort(), expected);
            for (const job of jobs) {
                assert.strictEqual(job.inputs.metadata.annotations?.["pulumi.com/replaceUnready"], "true", job.inputs.metadata.name);
            }
        });
    }
});
