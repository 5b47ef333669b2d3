/**
 * The OpenTelemetry Collector as a node agent, as raw manifests: applications send OTLP (or
 * Jaeger/Zipkin) to their own node through host ports; the agent adds Kubernetes attributes,
 * samples, batches under a memory limit and forwards OTLP to Jaeger. Pure builders.
 */
import { IMAGES } from "../shared/images";
import { ResourceSettings } from "../settings/profiles";
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
                    labels: [{ tag_name: "app", key: "app.kubernetes.io/name", from: "pod" }],
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
                        args: ["--config=/conf/agent.yaml"],
                        env: [
                            { name: "MY_POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
                            { name: "K8S_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                            // Go's heap target, a little under the memory limiter's ceiling.
                            { name: "GOMEMLIMIT", value: `${Math.floor((parseQuantity(resources.limits.memory) / 2 ** 20) * 0.8)}MiB` },
                        ],
                        ports: [
                            ...AGENT_PORTS.map((p) => ({ name: p.name, containerPort: p.port, hostPort: p.port, protocol: p.protocol })),
                            { name: "http-metrics", containerPort: AGENT_METRICS_PORT, protocol: "TCP" },
                        ],
                        resources: resourcesOf(resources),
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        livenessProbe: { httpGet: { path: "/", port: 13133 } },
                        readinessProbe: { httpGet: { path: "/", port: 13133 } },
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
            spec: { clusterIP: "None", selector: { "app.kubernetes.io/name": OTEL_AGENT }, ports: [{ name: "http-metrics", port: AGENT_METRICS_PORT, targetPort: "http-metrics" }] },
        },
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: OTEL_AGENT, namespace, labels: LABELS },
            spec: { selector: { matchLabels: { "app.kubernetes.io/name": OTEL_AGENT } }, endpoints: [{ port: "http-metrics", interval: "30s" }] },
        },
    ];
}
