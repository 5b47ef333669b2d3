import * as assert from "assert";
import { nodeCriticalQuota } from "../../components/platform";
import { stackRun } from "../helpers/program";

describe("Platform", () => {
    it("labels node-agent namespaces privileged and cert-manager restricted", async () => {
        const run = await stackRun("dev");
        const ns = (name: string) => run.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === name);
        assert.strictEqual(ns("monitoring")?.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(ns("logging")?.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
        assert.strictEqual(ns("cert-manager")?.inputs.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
        assert.strictEqual(ns("graylog"), undefined, "dev has Graylog off, so no namespace");
    });

    it("prod keeps its namespaces when the stack is destroyed", async () => {
        const run = await stackRun("prod");
        const namespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
        assert.ok(namespaces.length >= 5);
        assert.ok(namespaces.every((r) => r.retainOnDelete));
    });

    it("exports the namespaces of the stack", async () => {
        const run = await stackRun("staging");
        assert.deepStrictEqual(Object.keys(run.outputs.namespaces as object).sort(), ["cert-manager", "graylog", "logging", "monitoring", "tracing"]);
        assert.strictEqual(run.outputs.profile, "staging");
    });

    it("every namespace with a node agent holds a quota for system-node-critical pods (GKE admits them only so), and its pillar waits for it", async () => {
        const run = await stackRun("staging");
        const quotas = run.resources.filter((r) => r.type === "kubernetes:core/v1:ResourceQuota");
        assert.deepStrictEqual(quotas.map((q) => q.inputs.metadata.namespace).sort(), ["logging", "monitoring", "tracing"]);
        for (const q of quotas) {
            assert.deepStrictEqual(q.inputs, nodeCriticalQuota(q.inputs.metadata.namespace));
            assert.deepStrictEqual(q.inputs.spec.scopeSelector.matchExpressions, [{ scopeName: "PriorityClass", operator: "In", values: ["system-node-critical"] }]);
        }
        const pillar = (type: string) => run.resources.find((r) => r.type === type)!;
        const quota = (ns: string) => quotas.find((q) => q.inputs.metadata.namespace === ns)!.urn;
        assert.ok(pillar("observability:metrics:Monitoring").dependsOn.includes(quota("monitoring")));
        assert.ok(pillar("observability:logging:Logging").dependsOn.includes(quota("logging")));
        assert.ok(pillar("observability:tracing:Tracing").dependsOn.includes(quota("tracing")));
    });
});
