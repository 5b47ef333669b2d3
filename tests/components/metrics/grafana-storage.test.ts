/**
 * Issue 25, item 2: Grafana's database (SQLite under /var/lib/grafana) lives on a PVC, not the
 * chart's emptyDir, so users, tokens, UI-made dashboards and Grafana-managed alerts survive a
 * restart, a drain or a values change.
 */
import * as assert from "assert";
import { settingsFor, valuesFor } from "./fixtures";
import { grafanaProblems } from "../../../components/settings";
import { chartChildren } from "../../helpers/chart-children";
import { stackRun } from "../../helpers/program";
import { renderedStack, STACKS } from "../../scripts/full-render";

const KPS = "charts/observability-metrics-kps/manifests.yaml";

describe("Grafana's database", function () {
    this.timeout(600_000);

    for (const profile of STACKS) {
        it(`${profile}: the values put Grafana on a ReadWriteOnce PVC of the profile's size, with no chart lookup and no root chown`, () => {
            const g = valuesFor(profile).grafana;
            const size = settingsFor(profile).metrics.grafana.storageSize;
            assert.deepStrictEqual(g.persistence, { enabled: true, type: "pvc", accessModes: ["ReadWriteOnce"], size, lookupVolumeName: false });
            assert.deepStrictEqual(g.deploymentStrategy, { type: "Recreate" });
            assert.deepStrictEqual(g.initChownData, { enabled: false });
        });

        it(`${profile}: the rendered Grafana Deployment mounts PVC kps-grafana of the profile's size and is replaced with Recreate`, async () => {
            const { objects } = await renderedStack(profile);
            const kps = objects.filter((o) => o.file === KPS).map((o) => o.object);
            const size = settingsFor(profile).metrics.grafana.storageSize;
            const pvcs = kps.filter((o) => o.kind === "PersistentVolumeClaim");
            assert.deepStrictEqual(pvcs.map((p) => p.metadata.name), ["kps-grafana"]);
            assert.deepStrictEqual(pvcs[0].spec.resources.requests, { storage: size });
            assert.deepStrictEqual(pvcs[0].spec.accessModes, ["ReadWriteOnce"]);
            assert.strictEqual(pvcs[0].spec.volumeName, undefined, "no volumeName, which would change once the claim is bound");
            const deployment = kps.find((o) => o.kind === "Deployment" && o.metadata.name === "kps-grafana")!;
            assert.ok(deployment, "Grafana stays a Deployment");
            assert.deepStrictEqual(deployment.spec.strategy, { type: "Recreate" });
            const storage = deployment.spec.template.spec.volumes.find((v: any) => v.name === "storage");
            assert.deepStrictEqual(storage, { name: "storage", persistentVolumeClaim: { claimName: "kps-grafana" } });
            assert.ok(!(deployment.spec.template.spec.initContainers ?? []).some((c: any) => c.securityContext?.runAsUser === 0), "no init container runs as root");
        });

        it(`${profile}: Grafana has exactly one PodDisruptionBudget, the chart's drain-safe one`, async () => {
            const { objects } = await renderedStack(profile);
            const pdbs = objects.map((o) => o.object).filter((o) => o.kind === "PodDisruptionBudget" && o.metadata.namespace === "monitoring"
                && o.spec.selector?.matchLabels?.["app.kubernetes.io/name"] === "grafana");
            assert.deepStrictEqual(pdbs.map((p) => p.metadata.name), ["kps-grafana"]);
            assert.strictEqual(pdbs[0].spec.maxUnavailable, 1);
            assert.strictEqual(pdbs[0].spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
        });
    }

    it("prod protects and retains Grafana's PVC; dev and staging neither protect nor retain it", async () => {
        for (const profile of STACKS) {
            const children = await chartChildren(await stackRun(profile), "kube-prometheus-stack");
            const pvc = children.find((c) => c.object.kind === "PersistentVolumeClaim" && c.object.metadata.name === "kps-grafana");
            assert.ok(pvc, `${profile}: the chart makes PVC kps-grafana`);
            const kept = profile === "prod";
            assert.strictEqual(pvc.opts.protect === true, kept, `${profile}: protect`);
            assert.strictEqual(pvc.opts.retainOnDelete === true, kept, `${profile}: retainOnDelete`);
        }
    });

    describe("replicas", () => {
        it("refuses two Grafana replicas without a shared database, naming the key and what is allowed", () => {
            const m = settingsFor("prod").metrics;
            const problems = grafanaProblems({ ...m, grafana: { ...m.grafana, replicas: 2 } }, "observability-platform:");
            assert.strictEqual(problems.length, 1);
            assert.match(problems[0], /^observability-platform:metrics\.grafana\.replicas: got 2; allowed: 1 \(.*no shared database/);
        });

        it("accepts one replica, and any count when metrics are off (no Grafana)", () => {
            const m = settingsFor("dev").metrics;
            assert.deepStrictEqual(grafanaProblems(m), []);
            assert.deepStrictEqual(grafanaProblems({ ...m, enabled: false, grafana: { ...m.grafana, replicas: 3 } }), []);
        });
    });
});
