/**
 * Probes on every long-running container of every stack's full render (issue 28, item 4): raw
 * manifests and chart objects alike, after the program's transforms. Operator-made pods
 * (Elasticsearch, Kibana, Prometheus, Alertmanager, MongoDB members) take their probes from their
 * operator and are not rendered here; the program's own sidecar in them (mongodb-exporter) is.
 */
import * as assert from "assert";
import { LIVENESS_TIMING, liveness, probesTransform, readiness, httpGet, tcpSocket } from "../../components/shared/probes";
import { renderedStack, STACKS } from "../scripts/full-render";

const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet"]);

/**
 * Containers the program cannot give both probes, `<Kind>/<namespace>/<name>/<container>` ->
 * why. Nothing else may lack one, and nothing listed here may gain one unnoticed.
 */
const WITHOUT_READINESS: Readonly<Record<string, string>> = {
    "Deployment/cert-manager/cert-manager/cert-manager-controller":
        "cert-manager v1.19.1 serves only /livez (cmd/controller/app/options.go) and its chart templates no readinessProbe; a helm.v3.Release takes no transform",
    "Deployment/cert-manager/cert-manager-cainjector/cert-manager-cainjector":
        "cert-manager v1.19.1's cainjector serves no health endpoint and its chart templates no probe",
    "StatefulSet/logging/elastic-operator/manager":
        "ECK 3.5.0 registers no health endpoint (cmd/manager/main.go); the metrics port is off and the webhook is off",
    "Deployment/graylog/mongodb-kubernetes-operator/mongodb-kubernetes-operator":
        "mongodb-kubernetes 1.9.1 binds a health probe address only in local mode and registers no check (main.go)",
    "DaemonSet/node-agents/node-tuning/sleep":
        "a sleep loop that serves nothing and that nothing routes to: node tuning's work is its init container's, done before it starts",
};
const WITHOUT_LIVENESS: Readonly<Record<string, string>> = {
    ...Object.fromEntries(Object.entries(WITHOUT_READINESS).filter(([k]) => !k.endsWith("cert-manager-controller"))),
};
/** Both probes the same handler: the only unauthenticated signal the server has. */
const SAME_HANDLER: Readonly<Record<string, string>> = {
    "StatefulSet/graylog/graylog-datanode/graylog-datanode":
        "the Data Node's REST API answers only authenticated callers; OpenSearch's port would hold the ordered StatefulSet back (components/graylog/values.ts)",
};

const handler = (probe: Record<string, any>) => JSON.stringify(probe.httpGet ?? probe.tcpSocket ?? probe.exec ?? probe.grpc);

describe("Probes", () => {
    for (const stack of STACKS) {
        describe(`in the ${stack} render`, () => {
            let containers: Array<{ key: string; c: Record<string, any> }>;
            before(async () => {
                const rendered = await renderedStack(stack);
                containers = rendered.objects
                    .map((o) => o.object)
                    .filter((o) => LONG_RUNNING.has(o.kind) || o.kind === "MongoDBCommunity")
                    .flatMap((o) => {
                        const spec = o.kind === "MongoDBCommunity" ? o.spec.statefulSet?.spec?.template?.spec : o.spec.template.spec;
                        // MongoDBCommunity: only the containers the program adds; mongod and the agent are the operator's.
                        const own = (spec?.containers ?? []).filter((c: any) => o.kind !== "MongoDBCommunity" || c.image !== undefined);
                        return own.map((c: any) => ({ key: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}/${c.name}`, c }));
                    });
            });

            it("every long-running container has a readiness probe, except the listed ones", () => {
                assert.deepStrictEqual(containers.filter(({ key, c }) => !c.readinessProbe && !(key in WITHOUT_READINESS)).map((x) => x.key), []);
            });

            it("every long-running container has a liveness probe, except the listed ones", () => {
                assert.deepStrictEqual(containers.filter(({ key, c }) => !c.livenessProbe && !(key in WITHOUT_LIVENESS)).map((x) => x.key), []);
            });

            it("liveness and readiness differ in what they check, except the listed ones", () => {
                const same = containers.filter(({ key, c }) => c.readinessProbe && c.livenessProbe && handler(c.readinessProbe) === handler(c.livenessProbe) && !(key in SAME_HANDLER));
                assert.deepStrictEqual(same.map((x) => x.key), []);
            });

            it("no listed exception has quietly gained the probe it lacked", () => {
                const gained = containers.filter(({ key, c }) => (key in WITHOUT_READINESS && c.readinessProbe) || (key in WITHOUT_LIVENESS && c.livenessProbe));
                assert.deepStrictEqual(gained.map((x) => x.key), []);
            });

            it("every liveness probe the program sets allows at least two minutes of failures before a restart", () => {
                const chartDefaults = new Set([
                    // Upstream's own settings, kept: kube-state-metrics /livez, cert-manager's /livez.
                    "Deployment/monitoring/kps-kube-state-metrics/kube-state-metrics",
                    "Deployment/cert-manager/cert-manager/cert-manager-controller",
                    "Deployment/cert-manager/cert-manager-webhook/cert-manager-webhook",
                ]);
                const hasty = containers.filter(({ key, c }) => c.livenessProbe && !chartDefaults.has(key)
                    && (c.livenessProbe.periodSeconds ?? 10) * (c.livenessProbe.failureThreshold ?? 3) < 120);
                assert.deepStrictEqual(hasty.map((x) => x.key), []);
            });
        });
    }

    describe("the shared probe kit", () => {
        it("liveness restarts only after two minutes of failures; readiness leaves the Service after thirty seconds", () => {
            assert.strictEqual(LIVENESS_TIMING.periodSeconds * LIVENESS_TIMING.failureThreshold, 120);
            assert.deepStrictEqual(liveness(tcpSocket(80), 60), { tcpSocket: { port: 80 }, initialDelaySeconds: 60, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6, successThreshold: 1 });
            assert.deepStrictEqual(readiness(httpGet("/ready", 4180)), { httpGet: { path: "/ready", port: 4180 }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 });
        });

        const deployment = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "a" }, spec: { template: { spec: { containers: [{ name: "x" }, { name: "y" }] } } } };
        const probes = { readinessProbe: readiness(httpGet("/", 1)), livenessProbe: liveness(tcpSocket(1)) };

        it("the transform sets the planned probes on the named container only", () => {
            const out = probesTransform({ "Deployment/a": { x: probes } })({ type: "kubernetes:apps/v1:Deployment", props: deployment, opts: {} })!;
            assert.deepStrictEqual(out.props.spec.template.spec.containers, [{ name: "x", ...probes }, { name: "y" }]);
            assert.deepStrictEqual(deployment.spec.template.spec.containers[0], { name: "x" }, "the input is not changed");
        });

        it("the transform leaves other workloads and kinds alone", () => {
            const transform = probesTransform({ "Deployment/a": { x: probes } });
            assert.strictEqual(transform({ type: "kubernetes:apps/v1:Deployment", props: { ...deployment, metadata: { name: "b" } }, opts: {} }), undefined);
            assert.strictEqual(transform({ type: "kubernetes:apps/v1:StatefulSet", props: deployment, opts: {} }), undefined);
        });

        it("the transform refuses a planned container the chart no longer renders", () => {
            assert.throws(() => probesTransform({ "Deployment/a": { z: probes } })({ type: "kubernetes:apps/v1:Deployment", props: deployment, opts: {} }),
                /Deployment\/a has no container z to set probes on/);
        });
    });
});
