import * as assert from "assert";
import { ProgramRun, RecordedResource } from "../../scripts/mock-program";
import { chartChildren } from "../helpers/chart-children";
import { stackRun } from "../helpers/program";

/**
 * The README's "Destroying a stack" table, from a mocked run: what `pulumi destroy` deletes and
 * what it keeps (`protect`, `retainOnDelete`, and what the charts' transforms give their children),
 * and what `--exclude-protected` keeps besides the protected resources: everything they depend on,
 * as the engine computes it (pulumi pkg/cmd/pulumi/operations/destroy.go `getProtectedExcludes`,
 * pkg/resource/graph `TransitiveDependenciesOf`: dependsOn, parents, providers).
 */
const kind = (r: RecordedResource) => r.inputs?.kind as string | undefined;

function keptByExcludeProtected(run: ProgramRun): Set<RecordedResource> {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const kept = new Set<RecordedResource>();
    const mark = (urn?: string) => {
        const r = urn ? byUrn.get(urn) : undefined;
        if (!r || kept.has(r)) return;
        kept.add(r);
        r.dependsOn.forEach(mark);
        mark(r.parent);
        mark(r.provider?.split("::").slice(0, -1).join("::"));
    };
    run.resources.filter((r) => r.protect).forEach((r) => mark(r.urn));
    return kept;
}

describe("destroy (issue 25, items 13, 17, 20)", function () {
    this.timeout(300_000);

    for (const stack of ["dev", "staging"]) {
        it(`${stack}: a destroy deletes the namespaces and the stores, and protects nothing`, async () => {
            const run = await stackRun(stack);
            for (const r of run.resources.filter((x) => ["Namespace", "Elasticsearch", "MongoDBCommunity"].includes(kind(x) ?? ""))) {
                assert.strictEqual(r.protect || r.retainOnDelete, false, `${stack}: ${kind(r)} ${r.inputs.metadata.name}`);
            }
        });
    }

    it("every profile keeps the shared CRDs: the Prometheus Operator's and the MongoDB operator's by transform, ECK's by its keep policy", async () => {
        for (const stack of ["dev", "prod"]) {
            const run = await stackRun(stack);
            for (const chart of ["prometheus-operator-crds", "eck-operator", ...(stack === "prod" ? ["mongodb-kubernetes"] : [])]) {
                const crds = (await chartChildren(run, chart)).filter((c) => c.object.kind === "CustomResourceDefinition");
                assert.ok(crds.length > 0, `${stack}: ${chart} has CRDs`);
                for (const c of crds) {
                    const kept = c.opts.retainOnDelete === true || c.object.metadata?.annotations?.["helm.sh/resource-policy"] === "keep";
                    assert.ok(kept, `${stack}: ${c.object.metadata.name} is kept`);
                }
            }
        }
    });

    it("prod protects and keeps the stores, their secrets and their volumes, and keeps the namespaces", async () => {
        const run = await stackRun("prod");
        for (const k of ["Elasticsearch", "MongoDBCommunity"]) {
            const r = run.resources.find((x) => kind(x) === k)!;
            assert.ok(r.protect && r.retainOnDelete, k);
        }
        for (const name of ["graylog-secrets", "graylog-mongodb-passwords", "es-user-fluent-bit"]) {
            const r = run.resources.find((x) => kind(x) === "Secret" && x.inputs.metadata.name === name)!;
            assert.ok(r.protect && r.retainOnDelete, name);
        }
        const namespaces = run.resources.filter((x) => kind(x) === "Namespace");
        assert.ok(namespaces.length >= 5 && namespaces.every((n) => n.retainOnDelete), "every namespace retained");
        const es = run.resources.find((x) => kind(x) === "Elasticsearch")!;
        assert.strictEqual(es.inputs.spec.volumeClaimDeletePolicy, "DeleteOnScaledownOnly", "ECK keeps the PVCs with the cluster");
        const kps = await chartChildren(run, "kube-prometheus-stack");
        const stores = kps.filter((c) => ["Prometheus", "Alertmanager", "PersistentVolumeClaim"].includes(c.object.kind));
        assert.ok(stores.some((c) => c.object.kind === "PersistentVolumeClaim"), "Grafana's PVC");
        for (const c of stores) {
            assert.ok(c.opts.protect && c.opts.retainOnDelete, `${c.object.kind} ${c.object.metadata.name}`);
        }
    });

    it("prod's --exclude-protected also keeps what the stores depend on: the operators, cert-manager, the issuers, the namespaces, node tuning, and deletes the other agents and Kibana", async () => {
        const run = await stackRun("prod");
        const kept = keptByExcludeProtected(run);
        const has = (pred: (r: RecordedResource) => boolean) => [...kept].some(pred);
        assert.ok(has((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "eck-operator"), "ECK operator chart");
        assert.ok(has((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "mongodb-kubernetes"), "MongoDB operator chart");
        assert.ok(has((r) => kind(r) === "ClusterIssuer"), "ClusterIssuers");
        assert.ok(has((r) => r.type.startsWith("kubernetes-cert-manager:")), "cert-manager");
        for (const name of ["logging", "graylog"]) {
            assert.ok(has((r) => kind(r) === "Namespace" && r.inputs.metadata.name === name), name);
        }
        for (const gone of ["Kibana", "Ingress", "Job"]) {
            assert.ok(!has((r) => kind(r) === gone), `${gone} deleted`);
        }
        // Elasticsearch and the Data Node need vm.max_map_count, which only node tuning sets.
        assert.deepStrictEqual([...kept].filter((r) => kind(r) === "DaemonSet").map((r) => r.inputs.metadata.name), ["node-tuning"]);
    });
});
