import * as assert from "assert";
import { nodeCriticalQuota } from "../../components/platform";
import { NODE_EXPORTER_DAEMONSET, nodeExporterMoveTransform } from "../../components/metrics/values";
import { stackRun } from "../helpers/program";

describe("Platform", () => {
    it("labels only the node agents' namespace privileged, and cert-manager restricted", async () => {
        const run = await stackRun("dev");
        const ns = (name: string) => run.resources.find((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === name);
        const privileged = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.labels["pod-security.kubernetes.io/enforce"] === "privileged");
        assert.deepStrictEqual(privileged.map((r) => r.inputs.metadata.name), ["node-agents"]);
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
        assert.deepStrictEqual(Object.keys(run.outputs.namespaces as object).sort(), ["cert-manager", "graylog", "logging", "monitoring", "node-agents", "tracing"]);
        assert.strictEqual(run.outputs.profile, "staging");
    });

    it("the node agents' namespace holds a quota for system-node-critical pods (GKE admits them only so), sized for every agent DaemonSet, and each pillar with an agent waits for it", async () => {
        const run = await stackRun("staging");
        const quotas = run.resources.filter((r) => r.type === "kubernetes:core/v1:ResourceQuota");
        assert.deepStrictEqual(quotas.map((q) => q.inputs.metadata.namespace), ["node-agents"]);
        // node-exporter, Fluent Bit, the OpenTelemetry agent and node tuning, 15,000 nodes each.
        assert.deepStrictEqual(quotas[0].inputs, nodeCriticalQuota("node-agents", 4));
        assert.strictEqual(quotas[0].inputs.spec.hard.pods, "60000");
        assert.deepStrictEqual(quotas[0].inputs.spec.scopeSelector.matchExpressions, [{ scopeName: "PriorityClass", operator: "In", values: ["system-node-critical"] }]);
        const pillar = (type: string) => run.resources.find((r) => r.type === type)!;
        for (const type of ["observability:metrics:Monitoring", "observability:logging:Logging", "observability:tracing:Tracing"]) {
            assert.ok(pillar(type).dependsOn.includes(quotas[0].urn), type);
        }
    });

    it("node tuning runs before the stores that need vm.max_map_count, so they need no privileged init container", async () => {
        const run = await stackRun("staging");
        const tuning = run.resources.find((r) => r.type === "kubernetes:apps/v1:DaemonSet" && r.inputs.metadata.name === "node-tuning")!;
        assert.strictEqual(tuning.inputs.metadata.namespace, "node-agents");
        const pillar = (type: string) => run.resources.find((r) => r.type === type)!;
        assert.ok(pillar("observability:logging:Logging").dependsOn.includes(tuning.urn));
        assert.ok(pillar("observability:graylog:Graylog").dependsOn.includes(tuning.urn));
    });

    describe("day two: the node agents move to their own namespace", () => {
        it("Fluent Bit's and the OpenTelemetry agent's DaemonSets are deleted before their replacements are created", async () => {
            const run = await stackRun("staging");
            for (const name of ["fluent-bit", "otel-agent"]) {
                const ds = run.resources.find((r) => r.inputs.kind === "DaemonSet" && r.inputs.metadata.name === name)!;
                assert.strictEqual(ds.inputs.metadata.namespace, "node-agents", name);
                assert.strictEqual(ds.deleteBeforeReplace, true, name);
            }
        });

        it("node-exporter's DaemonSet keeps its old name in the chart as an alias and is deleted first; nothing else of the chart is touched", () => {
            const move = nodeExporterMoveTransform("observability-metrics-kps", "monitoring");
            const ds = { type: "kubernetes:apps/v1:DaemonSet", name: "x", props: { metadata: { name: NODE_EXPORTER_DAEMONSET, namespace: "node-agents" } }, opts: { aliases: ["urn:kept"] } };
            const out = move(ds)!;
            assert.deepStrictEqual(out.opts.aliases, ["urn:kept", { name: "observability-metrics-kps:monitoring/kps-prometheus-node-exporter" }]);
            assert.strictEqual(out.opts.deleteBeforeReplace, true);
            assert.strictEqual(out.props, ds.props);
            assert.strictEqual(move({ ...ds, props: { metadata: { name: "kps-grafana" } } }), undefined);
            assert.strictEqual(move({ ...ds, type: "kubernetes:core/v1:Service" }), undefined);
        });
    });
});
