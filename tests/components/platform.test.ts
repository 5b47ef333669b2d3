import * as assert from "assert";
import { runProgram } from "../../scripts/mock-program";

describe("Platform", () => {
    it("labels node-agent namespaces privileged and cert-manager restricted", async () => {
        const run = await runProgram("dev");
        const ns = (name: string) => run.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === name);
        assert.strictEqual(ns("monitoring")?.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(ns("logging")?.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(ns("cert-manager")?.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.strictEqual(ns("graylog"), undefined, "dev has Graylog off, so no namespace");
    });

    it("prod keeps its namespaces when the stack is destroyed", async () => {
        const run = await runProgram("prod");
        const namespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
        assert.ok(namespaces.length >= 5);
        assert.ok(namespaces.every((r) => r.retainOnDelete));
    });

    it("exports the namespaces of the stack", async () => {
        const run = await runProgram("staging");
        assert.deepStrictEqual(Object.keys(run.outputs.namespaces as object).sort(), ["cert-manager", "graylog", "logging", "monitoring", "tracing"]);
        assert.strictEqual(run.outputs.profile, "staging");
    });
});
