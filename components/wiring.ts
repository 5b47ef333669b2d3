/**
 * What one pillar must know of another, in one place: the UIs the access layer serves and the
 * data stores it fences. Pillars never import each other; `platform.ts` passes these in.
 */
import { DataStore, UiRoute } from "./access/values";
import { DATANODE_POD_LABEL, GRAYLOG_SERVICE, MONGODB_EXPORTER_PORT, MONGODB_NAME } from "./graylog/values";
import { ECK, ES_NAME } from "./logs/elasticsearch";
import { FLUENT_BIT } from "./logs/fluent-bit";
import { MONITORING_TLS_SECRETS } from "./metrics/tls";
import { MONITORING_RELEASE } from "./metrics/values";
import { PlatformSettings } from "./settings";
import { JAEGER_POD_LABELS, JAEGER_RELEASE } from "./traces/jaeger-values";

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
