/**
 * The OpenTelemetry Collector as a node agent, as raw manifests: applications send OTLP (or
 * Jaeger/Zipkin) to their own node through host ports; the agent adds Kubernetes attributes,
 * samples, batches under a memory limit and forwards OTLP to Jaeger, and computes span metrics
 * from every span (before sampling) for Prometheus. Pure builders.
 */
import { IMAGES } from "../shared/images";
import { ResourceSettings } from "../settings/profiles";
import { httpGet, liveness, readiness, tcpSocket } from "../shared/probes";
import { parseQuantity } from "../shared/quantity";
import { AGENT_NODE_AFFINITY, NODE_CRITICAL_PRIORITY, resourcesOf, TOLERATE_ALL_TAINTS } from "../shared/workloads";

export const OTEL_AGENT = "otel-agent";
const LABELS = { "app.kubernetes.io/name": OTEL_AGENT, "app.kubernetes.io/part-of": "observability-platform" };

/** Ports an application can reach on `status.hostIP`. */
export const AGENT_PORTS = [
    { name: "otlp-grpc", port: 4317, protocol: "TCP" },
    { name: "otlp-http", port: 4318, protocol: "TCP" },
    { name: "jaeger-grpc", port: 14250, protocol: "TCP" },
    { name: "jaeger-thrift", port: 14268, protocol: "TCP" },
    { name: "jaeger-compact", port: 6831, protocol: "UDP" },
    { name: "zipkin", port: 9411, protocol: "TCP" },
] as const;

export const AGENT_METRICS_PORT = 8888;
/** Where the agent exposes the span metrics it computes (spanmetrics connector -> Prometheus exporter). */
export const AGENT_SPANMETRICS_PORT = 8889;

/**
 * The spanmetrics connector's resource handling (spanmetricsconnector v0.148.0 factory.go): by
 * default each metric keeps the whole resource of the spans it counts, which the Prometheus
 * exporter turns into `job`/`instance` labels (service.name, service.instance.id) and a
 * `target_info` per process. With this gate the metrics carry no resource; the resource key is
 * narrowed (resource_metrics_key_attributes) to attributes that are also dimensions, so two
 * resources never yield the same series. The gate is alpha: an upgrade that drops it makes the
 * collector refuse to start, which tools/otelcol/validate.sh (it passes the DaemonSet's gates)
 * catches before a rollout.
 */
export const AGENT_FEATURE_GATES = ["connector.spanmetrics.excludeResourceMetrics"];

/**
 * The span metrics' names, as the Prometheus exporter translates them (prometheusexporter
 * v0.148.0, add_metric_suffixes default true: `.` -> `_`, counters get `_total`, the unit `ms`
 * becomes `_milliseconds`). Jaeger's Monitor tab reads exactly these (its Prometheus reader with
 * the default namespace `traces_span_metrics`, `normalize_calls` and `normalize_duration`).
 */
export const SPAN_METRICS = {
    calls: "traces_span_metrics_calls_total",
    durationBucket: "traces_span_metrics_duration_milliseconds_bucket",
} as const;

/** Span metric series one service may have on one agent before new ones count as overflow. */
export const SPANMETRICS_CARDINALITY_LIMIT = 1000;

/** Batches the agent queues while Jaeger is unreachable. */
export const AGENT_QUEUE_BATCHES = 150;

export interface OtelAgentInput {
    readonly samplingPercentage: number;
    /** Jaeger's OTLP gRPC endpoint, `host:port`. */
    readonly jaegerEndpoint: string;
}

/** k8s_attributes `pod_association`, most reliable first. */
export const POD_ASSOCIATION = [
    { sources: [{ from: "resource_attribute", name: "k8s.pod.uid" }] },
    { sources: [{ from: "resource_attribute", name: "k8s.pod.name" }, { from: "resource_attribute", name: "k8s.namespace.name" }] },
    { sources: [{ from: "resource_attribute", name: "k8s.pod.ip" }] },
    { sources: [{ from: "connection" }] },
];

/** The collector configuration; the memory limiter sits at 80% of the container's memory limit. */
export function otelAgentConfig(input: OtelAgentInput): Record<string, any> {
    const endpoint = (port: number) => `\${env:MY_POD_IP}:${port}`;
    return {
        receivers: {
            otlp: { protocols: { grpc: { endpoint: endpoint(4317) }, http: { endpoint: endpoint(4318) } } },
            jaeger: {
                protocols: {
                    grpc: { endpoint: endpoint(14250) },
                    thrift_http: { endpoint: endpoint(14268) },
                    thrift_compact: { endpoint: endpoint(6831) },
                },
            },
            zipkin: { endpoint: endpoint(9411) },
        },
        processors: {
            // First in the pipeline, so pressure is refused at the edge instead of crashing the agent.
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            // Named by the type 0.148.0 registers (k8sattributesprocessor metadata.yaml: type
            // k8s_attributes; `k8sattributes` is a deprecated alias the collector warns about).
            k8s_attributes: {
                auth_type: "serviceAccount",
                // Only pods on this node: the agent watches a fraction of the cluster.
                filter: { node_from_env_var: "K8S_NODE_NAME" },
                passthrough: false,
                // What the application says about itself first (the Downward API snippet in the
                // README puts these into OTEL_RESOURCE_ATTRIBUTES), the connection's source IP
                // last: under a CNI that SNATs host-port traffic that IP is the node's, not the
                // pod's. Rules are tried in order; a rule matches only when all its sources do
                // (k8sattributesprocessor v0.148.0 README, internal/kube/client.go).
                pod_association: POD_ASSOCIATION,
                extract: {
                    metadata: [
                        "k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.node.name",
                        "k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name", "k8s.container.name",
                    ],
                    // A canary's spans are told apart by its pod's version label. Rules apply in
                    // order and a later one overwrites the same tag (internal/kube/client.go), so
                    // the recommended label wins over Istio's `version`; a service.version the SDK
                    // already set is kept (processor.go setResourceAttribute only fills blanks).
                    labels: [
                        { tag_name: "app", key: "app.kubernetes.io/name", from: "pod" },
                        { tag_name: "service.version", key: "version", from: "pod" },
                        { tag_name: "service.version", key: "app.kubernetes.io/version", from: "pod" },
                    ],
                },
            },
            probabilistic_sampler: { sampling_percentage: input.samplingPercentage, mode: "hash_seed", hash_seed: 22 },
            batch: { send_batch_size: 1024, send_batch_max_size: 2048, timeout: "5s" },
        },
        exporters: {
            // otlpexporter v0.148.0 registers otlp_grpc; `otlp` is its deprecated alias.
            otlp_grpc: {
                endpoint: input.jaegerEndpoint,
                tls: { insecure: true },
                // The queue counts batches (about send_batch_size spans of ~1 KiB each), so it is
                // sized to fit under the memory limiter; measured with the backend down, 169
                // batches already reached the 256Mi container's ceiling.
                sending_queue: { enabled: true, queue_size: AGENT_QUEUE_BATCHES },
                retry_on_failure: { enabled: true, initial_interval: "5s", max_interval: "30s", max_elapsed_time: "300s" },
            },
            // The span metrics for Prometheus (and through it Jaeger's Monitor tab), pulled on their own port.
            prometheus: { endpoint: endpoint(AGENT_SPANMETRICS_PORT), metric_expiration: "5m" },
        },
        connectors: {
            // Request, error and duration (RED) metrics per service and operation, computed
            // here before sampling, so they count every span, not the sampled share. Each span
            // is counted on its own, so per-node agents sum to the cluster's figures. (The
            // servicegraph connector would not: it pairs a client span with its server span
            // only inside one collector, and the two usually reach different nodes' agents.)
            spanmetrics: {
                namespace: "traces.span.metrics",
                // Explicit, as Jaeger's reader expects milliseconds (latency_unit ms) and a
                // feature gate of the connector switches the default to seconds.
                histogram: { unit: "ms" },
                dimensions: [{ name: "service.namespace" }, { name: "k8s.namespace.name" }],
                // On client spans, the host called: an edge list of who calls what.
                calls_dimensions: [{ name: "server.address" }],
                resource_metrics_key_attributes: ["service.name", "service.namespace", "k8s.namespace.name"],
                // A span name carrying IDs must not grow series without bound: past this many
                // per service, new combinations count under otel.metric.overflow="true".
                aggregation_cardinality_limit: SPANMETRICS_CARDINALITY_LIMIT,
                metrics_flush_interval: "15s",
                metrics_expiration: "5m",
            },
        },
        extensions: { health_check: { endpoint: `\${env:MY_POD_IP}:13133` } },
        service: {
            extensions: ["health_check"],
            pipelines: {
                traces: {
                    receivers: ["otlp", "jaeger", "zipkin"],
                    processors: ["memory_limiter", "k8s_attributes", "probabilistic_sampler", "batch"],
                    exporters: ["otlp_grpc"],
                },
                // The same receivers fan out to both pipelines; the memory limiter is one
                // instance shared by both (memorylimiterprocessor factory), so pressure refuses
                // a span for both or neither. No k8s_attributes here: the dimensions come from
                // the SDK's resource, and a second k8s_attributes would be a second pod cache.
                "traces/spanmetrics": {
                    receivers: ["otlp", "jaeger", "zipkin"],
                    processors: ["memory_limiter"],
                    exporters: ["spanmetrics"],
                },
                "metrics/spanmetrics": { receivers: ["spanmetrics"], exporters: ["prometheus"] },
            },
            telemetry: {
                metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: AGENT_METRICS_PORT } } } }] },
                logs: { level: "info" },
            },
        },
    };
}

export function otelAgentRbac(namespace: string): Record<string, any>[] {
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: OTEL_AGENT, namespace, labels: LABELS } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: OTEL_AGENT, labels: LABELS },
            // What k8s_attributes reads to name a span's pod, workload and namespace.
            rules: [
                { apiGroups: [""], resources: ["pods", "namespaces", "nodes"], verbs: ["get", "list", "watch"] },
                { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: OTEL_AGENT, labels: LABELS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: OTEL_AGENT },
            subjects: [{ kind: "ServiceAccount", name: OTEL_AGENT, namespace }],
        },
    ];
}

export function otelAgentDaemonSet(namespace: string, resources: ResourceSettings, configMap: string, configChecksum: string): Record<string, any> {
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: OTEL_AGENT, namespace, labels: LABELS },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": OTEL_AGENT } },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            template: {
                metadata: { labels: LABELS, annotations: { "observability-platform/config-checksum": configChecksum } },
                spec: {
                    serviceAccountName: OTEL_AGENT,
                    priorityClassName: NODE_CRITICAL_PRIORITY,
                    tolerations: TOLERATE_ALL_TAINTS,
                    affinity: AGENT_NODE_AFFINITY,
                    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [{
                        name: "otel-collector",
                        image: IMAGES.otelCollector,
                        args: ["--config=/conf/agent.yaml", `--feature-gates=${AGENT_FEATURE_GATES.join(",")}`],
                        env: [
                            { name: "MY_POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                            { name: "K8S_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                            // Go's heap target, a little under the memory limiter's ceiling.
                            { name: "GOMEMLIMIT", value: `${Math.floor((parseQuantity(resources.limits.memory) / 2 ** 20) * 0.8)}MiB` },
                        ],
                        ports: [
                            ...AGENT_PORTS.map((p) => ({ name: p.name, containerPort: p.port, hostPort: p.port, protocol: p.protocol })),
                            { name: "http-metrics", containerPort: AGENT_METRICS_PORT, protocol: "TCP" },
                            { name: "http-spans", containerPort: AGENT_SPANMETRICS_PORT, protocol: "TCP" },
                        ],
                        resources: resourcesOf(resources),
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        // The health_check extension's `/` on 13133 (otel-agent config) reports the
                        // collector's status; liveness only asks that its listener accepts, so no
                        // pipeline or exporter state can restart the agent.
                        readinessProbe: readiness(httpGet("/", 13133)),
                        livenessProbe: liveness(tcpSocket(13133)),
                        volumeMounts: [{ name: "config", mountPath: "/conf", readOnly: true }],
                    }],
                    volumes: [{ name: "config", configMap: { name: configMap } }],
                },
            },
        },
    };
}

export function otelAgentMonitoring(namespace: string): Record<string, any>[] {
    return [
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: `${OTEL_AGENT}-metrics`, namespace, labels: LABELS },
            spec: { clusterIP: "None", selector: { "app.kubernetes.io/name": OTEL_AGENT }, ports: [
                { name: "http-metrics", port: AGENT_METRICS_PORT, targetPort: "http-metrics" },
                { name: "http-spans", port: AGENT_SPANMETRICS_PORT, targetPort: "http-spans" },
            ] },
        },
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: OTEL_AGENT, namespace, labels: LABELS },
            spec: { selector: { matchLabels: { "app.kubernetes.io/name": OTEL_AGENT } }, endpoints: [{ port: "http-metrics", interval: "30s" }, { port: "http-spans", interval: "30s" }] },
        },
    ];
}
