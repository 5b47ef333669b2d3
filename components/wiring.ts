/**
 * What one pillar must know of another, in one place: the UIs the access layer serves, the
 * data stores it fences and every other path into the platform's namespaces. Pillars never
 * import each other; `platform.ts` passes these in.
 */
import { DataStore, GATE_PORT, gateNames, Peer, UiRoute } from "./access/values";
import { GELF_PORT } from "./graylog/setup";
import { DATANODE_POD_LABEL, GRAYLOG_API_PORT, GRAYLOG_METRICS_PORT, GRAYLOG_POD_LABEL, GRAYLOG_SERVICE, MONGODB_EXPORTER_PORT, MONGODB_NAME } from "./graylog/values";
import { ES_EXPORTER_PORT } from "./logs/es-exporter";
import { ECK, ES_NAME, KIBANA_POD_LABELS } from "./logs/elasticsearch";
import { FLUENT_BIT } from "./logs/fluent-bit";
import { METRICS_PORT as FLUENT_BIT_METRICS_PORT } from "./logs/fluent-bit-config";
import { MONITORING_TLS_SECRETS } from "./metrics/tls";
import { ADMISSION_WEBHOOK_POD_LABELS, GRAFANA_POD_LABELS, MONITORING_RELEASE, PROMETHEUS_POD_LABELS } from "./metrics/values";
import { PlatformSettings } from "./settings";
import { CERT_MANAGER_WEBHOOK_POD_LABELS } from "./tls";
import { JAEGER_POD_LABELS, JAEGER_RELEASE } from "./traces/jaeger-values";
import { AGENT_METRICS_PORT, AGENT_PORTS, AGENT_SPANMETRICS_PORT, OTEL_AGENT } from "./traces/otel-agent";

/** The UIs of the enabled pillars, in a fixed order. Service names follow each chart's fullname. */
export function uiRoutes(s: PlatformSettings): UiRoute[] {
    const ns = s.namespaces;
    const route = (app: string, namespace: string, service: string, port: number, gated: boolean, https = false, caSecret?: string): UiRoute =>
        ({ app, namespace, service, port, https, gated, ...(caSecret ? { caSecret } : {}) });
    // With TLS on, Prometheus and Alertmanager serve the platform CA's certificates (metrics/tls.ts).
    const monitoringTls = [s.tls.enabled, s.tls.enabled ? MONITORING_TLS_SECRETS.trust : undefined] as const;
    return [
        ...(s.metrics.enabled
            ? [
                route("grafana", ns.monitoring, `${MONITORING_RELEASE}-grafana`, 80, false),
                route("prometheus", ns.monitoring, `${MONITORING_RELEASE}-prometheus`, 9090, true, ...monitoringTls),
                route("alertmanager", ns.monitoring, `${MONITORING_RELEASE}-alertmanager`, 9093, true, ...monitoringTls),
            ]
            : []),
        ...(s.logging.enabled ? [route("kibana", ns.logging, ECK.kibanaService, 5601, false, true)] : []),
        ...(s.tracing.enabled ? [route("jaeger", ns.tracing, JAEGER_RELEASE, 16686, true)] : []),
        ...(s.graylog.enabled ? [route("graylog", ns.graylog, GRAYLOG_SERVICE, 9000, false)] : []),
    ];
}

/**
 * The data stores of the enabled pillars and who may reach each. A peer with no namespace is
 * the store's own namespace, where its operator, replicas and in-namespace consumers (Kibana,
 * the setup Jobs, exporters) run.
 */
export function dataStores(s: PlatformSettings): DataStore[] {
    const ns = s.namespaces;
    const stores: DataStore[] = [];
    if (s.logging.enabled) {
        stores.push({
            name: "elasticsearch-clients", namespace: ns.logging, pods: { "elasticsearch.k8s.elastic.co/cluster-name": ES_NAME }, peers: [
                {},
                // Fluent Bit, which runs with the other node agents.
                { namespace: ns.nodeAgents, pods: { "app.kubernetes.io/name": FLUENT_BIT }, ports: [9200] },
                ...(s.tracing.enabled && s.tracing.storage === "elasticsearch" ? [{ namespace: ns.tracing, ports: [9200] }] : []),
                ...(s.metrics.enabled ? [{ namespace: ns.monitoring, pods: { "app.kubernetes.io/name": "grafana" }, ports: [9200] }] : []),
            ],
        });
    }
    if (s.metrics.enabled) {
        // Grafana, the UI gates and the operator live beside Prometheus; Prometheus only queries out.
        // Jaeger's Monitor tab queries it for the agents' span metrics.
        stores.push({
            name: "prometheus-clients", namespace: ns.monitoring, pods: { "app.kubernetes.io/name": "prometheus" }, peers: [
                {},
                ...(s.tracing.enabled ? [{ namespace: ns.tracing, pods: JAEGER_POD_LABELS, ports: [9090] }] : []),
            ],
        });
    }
    if (s.graylog.enabled) {
        // Prometheus scrapes the members' exporter sidecars (components/graylog), on that port alone.
        stores.push({
            name: "mongodb-clients", namespace: ns.graylog, pods: { app: `${MONGODB_NAME}-svc` }, peers: [
                {},
                ...(s.metrics.enabled ? [{ namespace: ns.monitoring, pods: { "app.kubernetes.io/name": "prometheus" }, ports: [MONGODB_EXPORTER_PORT] }] : []),
            ],
        });
        stores.push({ name: "datanode-clients", namespace: ns.graylog, pods: DATANODE_POD_LABEL, peers: [{}] });
    }
    return stores;
}

/** Jaeger's ports (chart 4.x all-in-one): OTLP from the agents, the query API for Grafana, its own metrics for the annotated-pods scrape. */
const JAEGER_PORTS = { otlpGrpc: 4317, query: 16686, metrics: 8888 } as const;
/** Where both webhooks listen on their pods: the `https` container port cert-manager v1.19.1 and kube-prometheus-stack 88.5.3 render. */
const WEBHOOK_PORT = 10250;
/**
 * The pods cert-manager v1.19.1 starts for an HTTP-01 challenge, in the Certificate's namespace
 * (pkg/issuer/acme/http/pod.go: the `acme.cert-manager.io/http01-solver: "true"` label, `--listen-port`
 * acmeSolverListenPort 8089), which the ingress controller reaches through a temporary Ingress.
 */
const ACME_SOLVER = { pods: { "acme.cert-manager.io/http01-solver": "true" }, port: 8089 } as const;
/** The pods and port each ungated UI's Service sends to (the gated ones: their gate). Grafana's chart maps Service port 80 to container port 3000. */
const UI_BACKENDS: Record<string, { pods: Record<string, string>; port: number }> = {
    grafana: { pods: GRAFANA_POD_LABELS, port: 3000 },
    kibana: { pods: KIBANA_POD_LABELS, port: 5601 },
    graylog: { pods: GRAYLOG_POD_LABEL, port: GRAYLOG_API_PORT },
};

/**
 * Every path into the platform's namespaces, which deny all other ingress (`defaultDenyPolicy`):
 * the data stores above, and
 *   - each namespace of a pillar admits itself: operators reach the pods they manage (ECK, the Prometheus
 *     Operator's reloaders, the MongoDB operator), Kibana and the exporter reach Elasticsearch,
 *     Graylog its Data Node and MongoDB, the setup Jobs their APIs, the gates their UIs. Not the
 *     agents' and cert-manager's namespaces: their pods call the API server and other namespaces,
 *     never each other;
 *   - Prometheus scrapes every metrics port its ServiceMonitors, PodMonitors and annotated pods name;
 *   - Fluent Bit ships to Graylog's GELF input (and to Elasticsearch, `elasticsearch-clients`);
 *   - the agents export to Jaeger, Grafana queries Jaeger;
 *   - applications anywhere send to the agents' receivers: they call the node's hostPort, which
 *     the CNI's portmap translates to the pod, so the source may be a pod or a node address;
 *   - the API server calls the webhooks, and the ingress controller the UIs: neither address is a
 *     pod the render knows (the ingress controller's namespace is the cluster's, and it may run on
 *     the host network or be a cloud load balancer), so both are admitted from anywhere, on that
 *     port alone. The UIs so opened have a login of their own or a gate in front. With ACME,
 *     cert-manager's HTTP-01 solver pods in each UI's namespace are reached the same way.
 */
export function ingressPaths(s: PlatformSettings): DataStore[] {
    const ns = s.namespaces;
    const prometheus: Peer = { namespace: ns.monitoring, pods: PROMETHEUS_POD_LABELS };
    const scrapes = (namespace: string, ports: number[]): DataStore => ({ name: "prometheus-scrapes", namespace, pods: {}, peers: [{ ...prometheus, ports }] });
    const own = (namespace: string): DataStore => ({ name: "same-namespace", namespace, pods: {}, peers: [{}] });
    const paths: DataStore[] = [];
    if (s.tls.enabled) {
        paths.push({ name: "cert-manager-webhook", namespace: ns.certManager, pods: CERT_MANAGER_WEBHOOK_POD_LABELS, peers: [{ anywhere: true, ports: [WEBHOOK_PORT] }] });
        if (s.metrics.enabled) {
            // cert-manager v1.19.1's pods serve metrics on 9402 and carry prometheus.io annotations
            // naming it (the annotated-pods job).
            paths.push(scrapes(ns.certManager, [9402]));
        }
    }
    if (s.metrics.enabled) {
        paths.push(own(ns.monitoring));
        paths.push({ name: "admission-webhook", namespace: ns.monitoring, pods: ADMISSION_WEBHOOK_POD_LABELS, peers: [{ anywhere: true, ports: [WEBHOOK_PORT] }] });
        // node-exporter is on the host network, out of any policy's reach.
        const agentPorts = [...(s.logging.enabled ? [FLUENT_BIT_METRICS_PORT] : []), ...(s.tracing.enabled ? [AGENT_METRICS_PORT, AGENT_SPANMETRICS_PORT] : [])];
        if (agentPorts.length) {
            paths.push(scrapes(ns.nodeAgents, agentPorts));
        }
    }
    if (s.logging.enabled) {
        paths.push(own(ns.logging));
        if (s.metrics.enabled) {
            paths.push(scrapes(ns.logging, [ES_EXPORTER_PORT]));
        }
    }
    if (s.tracing.enabled) {
        paths.push(own(ns.tracing));
        paths.push({ name: "otel-agent-receivers", namespace: ns.nodeAgents, pods: { "app.kubernetes.io/name": OTEL_AGENT }, peers: [{
            anywhere: true,
            ports: AGENT_PORTS.filter((p) => p.protocol === "TCP").map((p) => p.port),
            udpPorts: AGENT_PORTS.filter((p) => p.protocol === "UDP").map((p) => p.port),
        }] });
        paths.push({ name: "jaeger-clients", namespace: ns.tracing, pods: JAEGER_POD_LABELS, peers: [
            { namespace: ns.nodeAgents, pods: { "app.kubernetes.io/name": OTEL_AGENT }, ports: [JAEGER_PORTS.otlpGrpc] },
            ...(s.metrics.enabled ? [{ namespace: ns.monitoring, pods: GRAFANA_POD_LABELS, ports: [JAEGER_PORTS.query] }] : []),
        ] });
        if (s.metrics.enabled) {
            paths.push(scrapes(ns.tracing, [JAEGER_PORTS.metrics]));
        }
    }
    if (s.graylog.enabled) {
        paths.push(own(ns.graylog));
        paths.push({ name: "graylog-gelf", namespace: ns.graylog, pods: GRAYLOG_POD_LABEL, peers: [{ namespace: ns.nodeAgents, pods: { "app.kubernetes.io/name": FLUENT_BIT }, ports: [GELF_PORT] }] });
        if (s.metrics.enabled) {
            // MongoDB's exporter sidecars are admitted by `mongodb-clients`.
            paths.push(scrapes(ns.graylog, [GRAYLOG_METRICS_PORT]));
        }
    }
    if (s.domain) {
        for (const r of uiRoutes(s)) {
            const backend = r.gated ? { pods: { "app.kubernetes.io/name": gateNames(r.app).name }, port: GATE_PORT[s.access.uiAuth] } : UI_BACKENDS[r.app];
            paths.push({ name: `ui-${r.app}`, namespace: r.namespace, pods: backend.pods, peers: [{ anywhere: true, ports: [backend.port] }] });
        }
        if (s.tls.enabled && s.tls.acmeEmail) {
            for (const namespace of new Set(uiRoutes(s).map((r) => r.namespace))) {
                paths.push({ name: "acme-http01-solver", namespace, pods: ACME_SOLVER.pods, peers: [{ anywhere: true, ports: [ACME_SOLVER.port] }] });
            }
        }
    }
    return [...paths, ...dataStores(s)];
}
