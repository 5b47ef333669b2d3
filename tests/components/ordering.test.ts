/**
 * The whole install order of a stack with every pillar on (prod), as the program declares it:
 * every `dependsOn` (and output dependency) between the program's resources, folded to the
 * component where a wait names a whole component. The engine creates a resource only after
 * everything it waits for is created *and awaited* (Deployments/StatefulSets/DaemonSets/Jobs
 * ready, custom resources per `pulumi.com/waitFor`), so these edges are the first `pulumi up` on
 * an empty cluster, step by step; README "Deploying for real" tells the same story.
 *
 * Each edge carries its reason. Removing a wait from the program, or adding one, fails this test.
 */
import * as assert from "assert";
import { admissionWebhookObjects } from "../../components/metrics/admission";
import { Edge, orderingEdges } from "../helpers/ordering";
import { stackRun } from "../helpers/program";

const WAITS: Record<string, string> = {};
function waits(from: string, to: readonly string[], why: string): void {
    for (const t of to) {
        WAITS[`${from} -> ${t}`] = why;
    }
}

const tlsReady = ["tls-ca", "tls-acme"];
// cert-manager first: its Release waits for its webhook (failurePolicy Fail) through startupapicheck.
waits("tls", ["ns-cert-manager"], "cert-manager's Release installs into its namespace");
waits("tls-cert-manager", ["certificaterequests.cert-manager.io", "certificates.cert-manager.io", "challenges.acme.cert-manager.io", "clusterissuers.cert-manager.io", "issuers.cert-manager.io", "orders.acme.cert-manager.io"],
    "the Release installs no CRDs: the program's own come first, so the provider knows their kinds when kube-prometheus-stack renders a Certificate (components/tls/crds.ts)");
waits("tls-selfsigned", ["tls-cert-manager"], "cert-manager's webhook rejects issuers until the Release (startupapicheck) is done");
waits("tls-acme", ["tls-cert-manager"], "the same webhook admits the ACME issuer");
waits("tls-root-ca", ["tls-selfsigned"], "the root CA is signed by the self-signed issuer, Ready first");
waits("tls-ca", ["tls-root-ca"], "the CA issuer reads the root CA's Secret, Ready first");
waits("quota-node-agents", ["ns-node-agents"], "the quota lives in the namespace");
waits("node-tuning", ["ns-node-agents", "quota-node-agents"], "it runs beside the node agents, node-critical");
// Every pillar: its namespace, the node agents' namespace and node-critical quota where it runs an
// agent (GKE), and Ready issuers.
const agents = ["ns-node-agents", "quota-node-agents"];
waits("logging", ["ns-logging", ...agents, ...tlsReady], "certificates for ECK's webhook and Elasticsearch; Fluent Bit is node-critical");
waits("logging", ["node-tuning"], "Elasticsearch refuses to start below vm.max_map_count 262144, which node tuning sets on every node");
waits("tls-webhook-pdb", ["tls-cert-manager"], "the webhook's PDB goes into the namespace the Release fills");
waits("graylog", ["ns-graylog", ...tlsReady], "its namespace; certificates from the platform issuers");
waits("graylog", ["node-tuning"], "the Data Node's OpenSearch refuses to start below vm.max_map_count 262144");
waits("tracing", ["ns-tracing", ...agents, ...tlsReady], "the OpenTelemetry agent is node-critical");
waits("metrics", ["ns-monitoring", ...agents, ...tlsReady], "the operator's webhook certificate; node-exporter is node-critical");
const esConsumer = ["logging-grafana-credentials", "logging-grafana-platform-trust", "logging-jaeger-credentials", "logging-jaeger-platform-trust"];
waits("metrics", [...esConsumer, "monitoring-crds"], "Grafana mounts its Elasticsearch credentials and CA; CRDs before the chart's custom resources");
waits("tracing", [...esConsumer, "logging-elasticsearch"], "Jaeger mounts its credentials and CA and writes spans to Elasticsearch, green first");
// Logging.
// No wait on ECK's Node-reader RBAC: prod leaves logging.elasticsearch.zoneAwareness off; with it
// on, the operator waits for it (tests/components/logs/index.test.ts, "zones").
waits("logging-elasticsearch", ["logging-eck-operator", "logging-es-http-cert", "logging-es-roles", "logging-es-user-exporter", "logging-es-user-fluentBit", "logging-es-user-grafana", "logging-es-user-jaeger", "logging-es-backup-credentials"],
    "ECK's CRDs and controller, the HTTP certificate, roles and file-realm users it mounts, and the keystore Secret (snapshot credentials, prod)");
waits("logging-kibana", ["logging-eck-operator", "logging-elasticsearch"], "Kibana is green only once Elasticsearch is");
waits("logging-setup-job", ["logging-elasticsearch", "logging-kibana", "logging-setup"], "it installs ILM, the template and the data view through both APIs");
waits("logging-fluent-bit-daemonset", ["logging-setup-job"], "no log is written before the template and ILM policy exist and are verified");
waits("logging-fluent-bit-daemonset", ["logging-elasticsearch", "logging-fluent-bit-config", "logging-fluent-bit-serviceaccount", "logging-fluent-bit-clusterrole", "logging-fluent-bit-clusterrolebinding"],
    "its output, configuration and API access");
waits("logging-fluent-bit-daemonset", ["logging-fluentBit-credentials", "logging-fluentBit-platform-trust"], "its Elasticsearch user and CA, delivered to the node agents' namespace");
for (const obj of ["elasticsearch-exporter-deployment", "elasticsearch-exporter-service", "fluent-bit-metrics-service"]) {
    waits(`logging-${obj}`, ["logging-elasticsearch"], "monitoring of a running Elasticsearch");
}
for (const obj of ["elasticsearch-exporter-servicemonitor", "fluent-bit-servicemonitor"]) {
    waits(`logging-${obj}`, ["logging-elasticsearch", "monitoring-crds"], "the ServiceMonitor CRD");
}
// Graylog.
waits("graylog-mongodb", ["graylog-mongodb-operator", "graylog-mongodb-passwords"], "the MongoDBCommunity CRD and operator; the user passwords");
waits("graylog-graylog", ["graylog-mongodb", "graylog-secrets"], "Graylog refuses to start before MongoDB is Running; its existing Secret");
waits("graylog-setup-job", ["graylog-graylog", "graylog-setup", "graylog-root", "graylog-notifications"], "it creates the GELF input through Graylog's API with the admin credentials, and the notifications with the receivers' credentials (prod ships a Slack default receiver)");
waits("graylog-servicemonitor", ["graylog-graylog", "monitoring-crds"], "the ServiceMonitor CRD and the scraped Service");
waits("graylog-podmonitor-mongodb", ["graylog-mongodb", "monitoring-crds"], "the PodMonitor CRD and the scraped MongoDB members");
waits("graylog-mongodb-dump", ["graylog-mongodb", "graylog-backup-credentials"], "the first dump finds the replica set Running (with the backup user) and the object store's credentials (prod backs up)");
// Tracing.
waits("tracing-otel-agent-daemonset", ["tracing-jaeger", "tracing-otel-agent-config", "tracing-otel-agent-serviceaccount", "tracing-otel-agent-clusterrole", "tracing-otel-agent-clusterrolebinding"],
    "agents export to a running Jaeger");
waits("tracing-jaeger", ["tracing-prometheus-trust"], "with TLS, Jaeger verifies Prometheus with the CA in its trust Secret");
waits("tracing-otel-agent-service", ["monitoring-crds"], "declared with the agents' monitoring objects");
waits("tracing-otel-agent-servicemonitor", ["monitoring-crds"], "the ServiceMonitor CRD");
// Metrics.
waits("metrics-kps", ["metrics-grafana-admin", "metrics-alertmanager-config"], "Grafana and Alertmanager read Secrets the program makes");
waits("metrics-kps", ["metrics-certificate-kps-prometheus-tls", "metrics-certificate-kps-alertmanager-tls", "metrics-certificate-platform-trust-monitoring"],
    "Prometheus and Alertmanager serve their certificates, and the operator reads the CA before it writes Prometheus' configuration");
waits("metrics-platform-rules", ["metrics-kps"], "the admission webhook (failurePolicy Fail) answers only when the chart is done");
// Access last: Ingresses, gates and NetworkPolicies point at running backends.
waits("access", ["ns-cert-manager", "ns-node-agents", "ns-monitoring", "ns-logging", "ns-tracing", "ns-graylog", ...tlsReady, "logging", "graylog", "tracing", "metrics"],
    "UIs are exposed once their backends and certificate issuers are ready");
for (const app of ["prometheus", "alertmanager", "jaeger"]) {
    for (const obj of ["deployment", "service", "poddisruptionbudget"]) {
        waits(`access-gate-${app}-${obj}`, [`access-gate-${app}-secret`, `access-gate-${app}-config`], "the gate's password file and nginx configuration");
    }
}

describe("The install order (prod, every pillar on)", () => {
    it("is exactly the documented graph: every wait has a reason and no undocumented wait exists", async () => {
        const actual = orderingEdges((await stackRun("prod")).resources);
        const missing = Object.keys(WAITS).filter((e) => !actual.includes(e as Edge));
        const undocumented = actual.filter((e) => !(e in WAITS));
        assert.deepStrictEqual({ missing, undocumented }, { missing: [], undocumented: [] });
    });

    it("inside the kube-prometheus-stack chart, its rules wait for the admission webhook Deployment, its Service and both webhook configurations", async () => {
        const kps = (await stackRun("prod")).resources.find((r) => r.name === "observability-metrics-kps")!;
        assert.deepStrictEqual(kps.inputs.values.defaultRules.annotations["config.kubernetes.io/depends-on"].split(","), admissionWebhookObjects("monitoring"));
    });

    it("folds a wait on a whole component into one edge, and leaves data flow out", () => {
        const r = (name: string, parent?: string, dependsOn: string[] = [], type = "kubernetes:v1:ConfigMap") =>
            ({ urn: name, type, name, custom: true, parent, protect: false, retainOnDelete: false, deleteBeforeReplace: false, dependsOn, aliases: [], inputs: {}, secretPaths: [], transforms: [] });
        const edges = orderingEdges([
            r("stack", undefined, [], "pulumi:pulumi:Stack"),
            r("observability", "stack", [], "observability:index:Platform"),
            r("observability-p", "observability", [], "observability:x:P"),
            r("observability-p-a", "observability-p"),
            r("observability-p-pw", "observability-p", [], "random:index/randomPassword:RandomPassword"),
            r("observability-q", "observability", ["observability-p-a", "observability-p-pw"], "observability:x:Q"),
            r("observability-s", "observability", ["observability-p-pw"]),
        ]);
        assert.deepStrictEqual(edges, ["q -> p"]);
    });
});
