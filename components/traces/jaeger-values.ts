/**
 * Values for the jaegertracing `jaeger` chart 4.11.1 (Jaeger 2.19). Chart 4.x differs from 3.x:
 * one `jaeger` Deployment configured by a full Jaeger v2 (OpenTelemetry Collector) config in
 * `userconfig`; storage settings live in that config, not in `storage.*` (kept only for the
 * index cleaner CronJob, which reads `storage.elasticsearch.url`).
 */
import * as crypto from "crypto";
import { TracingSettings } from "../settings/profiles";
import { READY_CONDITION } from "../shared/await";
import { resourcesOf, spreadAcrossNodes } from "../shared/workloads";
import { httpGet, liveness, ProbePlan, readiness, tcpSocket } from "../shared/probes";

/** Traces Jaeger's memory store keeps (dev); see jaegerConfig. */
export const JAEGER_MEMORY_MAX_TRACES = 20000;

export const JAEGER_RELEASE = "jaeger";
export const JAEGER_INDEX_PREFIX = "jaeger";
/** Pod labels of the chart's all-in-one Deployment (jaeger.selectorLabels + component), not the CronJob's. */
export const JAEGER_POD_LABELS = { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": JAEGER_RELEASE, "app.kubernetes.io/component": "all-in-one" };

export interface JaegerElasticsearch {
    readonly url: string;
    /** Secret with `username` and `password` for the jaeger user. */
    readonly credentialsSecret: string;
    /** Secret whose `ca.crt` verifies Elasticsearch. */
    readonly caSecret: string;
    readonly replicas: number;
}

/** Prometheus, which Jaeger's Monitor tab queries for the agents' span metrics. */
export interface JaegerPrometheus {
    /** Prometheus' query URL with its scheme, e.g. `http://kps-prometheus.monitoring.svc:9090`. */
    readonly url: string;
    /** A Secret in the tracing namespace whose `ca.crt` verifies an https `url`. */
    readonly caSecret?: string;
}

/** The Secret in the tracing namespace whose `ca.crt` verifies a Prometheus served over https. */
export const PROMETHEUS_TRUST_SECRET = "platform-trust-prometheus";

/**
 * A leaf certificate from the CA that signed Prometheus' serving certificate: cert-manager's CA
 * issuer writes that CA into the Secret's `ca.crt`, the only key Jaeger mounts. Awaited Ready, so
 * Jaeger never starts before it can verify Prometheus.
 */
export function prometheusTrustCertificate(namespace: string, issuer: string): Record<string, any> {
    return {
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: PROMETHEUS_TRUST_SECRET, namespace, annotations: { ...READY_CONDITION } },
        spec: {
            secretName: PROMETHEUS_TRUST_SECRET,
            dnsNames: [`${PROMETHEUS_TRUST_SECRET}.${namespace}.svc`],
            usages: ["digital signature", "client auth"],
            issuerRef: { name: issuer, kind: "ClusterIssuer", group: "cert-manager.io" },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        },
    };
}

/** The jaeger_storage metric backend the Monitor tab reads. */
export const JAEGER_METRICS_STORE = "metrics_store";
const PROMETHEUS_CA_DIR = "/prometheus-ca";

export function jaegerConfig(es?: JaegerElasticsearch, prometheus?: JaegerPrometheus): Record<string, unknown> {
    const dailyIndex = { date_layout: "2006-01-02", rollover_frequency: "day", shards: 1, replicas: es?.replicas ?? 0 };
    const backend = es
        ? {
            elasticsearch: {
                server_urls: [es.url],
                auth: { basic: { username: "${env:ES_USERNAME}", password: "${env:ES_PASSWORD}" } },
                tls: { ca_file: "/es-ca/ca.crt" },
                indices: { index_prefix: JAEGER_INDEX_PREFIX, spans: dailyIndex, services: dailyIndex, dependencies: dailyIndex, sampling: dailyIndex },
            },
        }
        // The memory store drops traces only past max_traces, so it must fill below Jaeger's memory
        // limiter: measured with the real binary (scripts/bench-agent.sh), 75k small traces already
        // filled a 512Mi container and Jaeger then refused every span for good.
        : { memory: { max_traces: JAEGER_MEMORY_MAX_TRACES } };
    return {
        service: {
            extensions: ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            pipelines: { traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: ["jaeger_storage_exporter"] } },
            telemetry: {
                resource: { "service.name": "jaeger" },
                metrics: { level: "detailed", readers: [{ pull: { exporter: { prometheus: { host: "0.0.0.0", port: 8888 } } } }] },
                logs: { level: "info" },
            },
        },
        extensions: {
            healthcheckv2: { use_v2: true, http: { endpoint: "0.0.0.0:13133" } },
            jaeger_query: {
                storage: { traces: "primary_store", ...(prometheus ? { metrics: JAEGER_METRICS_STORE } : {}) },
                http: { endpoint: "0.0.0.0:16686" },
                grpc: { endpoint: "0.0.0.0:16685" },
            },
            jaeger_storage: {
                backends: { primary_store: backend },
                ...(prometheus
                    ? {
                        // Jaeger 2.19 internal/storage/metricstore/prometheus/metricstore/reader.go
                        // queries `<metric_namespace>_calls` and `_duration_<unit>_bucket`, with
                        // `_total` / `_milliseconds` added by normalize_calls / normalize_duration:
                        // the names the agents' Prometheus exporter gives the spanmetrics
                        // connector's metrics (otel-agent.ts SPAN_METRICS). It sums over the
                        // agents' series (`sum(rate(...)) by (service_name, ...)`).
                        metric_backends: {
                            [JAEGER_METRICS_STORE]: {
                                prometheus: {
                                    endpoint: prometheus.url,
                                    metric_namespace: "traces_span_metrics",
                                    latency_unit: "ms",
                                    normalize_calls: true,
                                    normalize_duration: true,
                                    ...(prometheus.caSecret ? { tls: { ca_file: `${PROMETHEUS_CA_DIR}/ca.crt` } } : {}),
                                },
                            },
                        },
                    }
                    : {}),
            },
        },
        receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" }, http: { endpoint: "0.0.0.0:4318" } } } },
        processors: {
            memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
            batch: {},
        },
        exporters: { jaeger_storage_exporter: { trace_storage: "primary_store" } },
    };
}

export function jaegerValues(tracing: TracingSettings, zoneAware: boolean, es?: JaegerElasticsearch, prometheus?: JaegerPrometheus): Record<string, unknown> {
    const credentials = es
        ? [
            { name: "ES_USERNAME", valueFrom: { secretKeyRef: { name: es.credentialsSecret, key: "username" } } },
            { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: es.credentialsSecret, key: "password" } } },
        ]
        : [];
    const volumes = [
        ...(es ? [{ name: "es-ca", secret: es.caSecret, mountPath: "/es-ca" }] : []),
        ...(prometheus?.caSecret ? [{ name: "prometheus-ca", secret: prometheus.caSecret, mountPath: PROMETHEUS_CA_DIR }] : []),
    ];
    return {
        fullnameOverride: JAEGER_RELEASE,
        userconfig: jaegerConfig(es, prometheus),
        jaeger: {
            replicas: tracing.replicas,
            // Recreate (the chart's default) would drop every span during a rollout.
            ...(es ? { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } } : {}),
            resources: resourcesOf(tracing.resources),
            // templates/jaeger/jaeger-deploy.yaml reads `topologySpreadConstraints`; the chart's
            // values.yaml ships the misspelt `topologySpreadContraints`, which nothing reads.
            ...(tracing.replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(JAEGER_POD_LABELS, zoneAware) } : {}),
            extraEnv: credentials,
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            podSecurityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            // Jaeger reads its storage and Prometheus, never the Kubernetes API (the chart's
            // ServiceAccount carries this, templates/jaeger/serviceaccount.yaml).
            serviceAccount: { automountServiceAccountToken: false },
            ...(volumes.length
                ? {
                    extraVolumes: volumes.map((v) => ({ name: v.name, secret: { secretName: v.secret, items: [{ key: "ca.crt", path: "ca.crt" }] } })),
                    extraVolumeMounts: volumes.map((v) => ({ name: v.name, mountPath: v.mountPath, readOnly: true })),
                }
                : {}),
        },
        storage: es ? { type: "elasticsearch", elasticsearch: { url: es.url } } : { type: "memory" },
        // Daily indices, and a CronJob (not a Helm hook) deletes those past the retention.
        esIndexCleaner: es
            ? {
                enabled: true,
                numberOfDays: tracing.retentionDays,
                schedule: "55 23 * * *",
                // Its Jobs belong to the CronJob, not to Pulumi, so a TTL deletes nothing the
                // program would make again; a day keeps the last run's pod for `kubectl logs`.
                ttlSecondsAfterFinished: 86400,
                extraEnv: [
                    ...credentials,
                    { name: "INDEX_PREFIX", value: JAEGER_INDEX_PREFIX },
                    { name: "ES_TLS_ENABLED", value: "true" },
                    { name: "ES_TLS_CA", value: "/es-ca/ca.crt" },
                ],
                extraSecretMounts: [{ name: "es-ca", mountPath: "/es-ca", subPath: "", readOnly: true, secretName: es.caSecret }],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
                // The chart runs it as 1000 and sets nothing else; it only calls Elasticsearch
                // and writes no file (its ServiceAccount already mounts no token).
                podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
                securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
            }
            : { enabled: false },
        esRollover: { enabled: false },
        esLookback: { enabled: false },
        spark: { enabled: false },
    };
}

type TransformArgs = { type: string; props: Record<string, any>; opts: Record<string, any> };

/**
 * Probes for the Jaeger container, which chart 4.11.1 fixes to `/status` on 13133 for both
 * (templates/jaeger/jaeger-deploy.yaml). `/status` is the healthcheckv2 extension's aggregate of
 * the collector's component statuses (use_v2, above), which a storage or exporter error can turn
 * unhealthy: readiness only. Liveness asks only that the extension's listener accepts.
 */
export function jaegerProbePlan(): ProbePlan {
    return {
        [`Deployment/${JAEGER_RELEASE}`]: {
            jaeger: { readinessProbe: readiness(httpGet("/status", 13133)), livenessProbe: liveness(tcpSocket(13133), 5) },
        },
    };
}

/** JSON with object keys sorted: the same config hashes the same whatever order its keys were built in. */
const canonical = (value: unknown): string =>
    Array.isArray(value) ? `[${value.map(canonical).join(",")}]`
        : value !== null && typeof value === "object"
            ? `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`
            : JSON.stringify(value ?? null);

/** The `checksum/config` the Jaeger pods carry: a hash of the `userconfig` the chart renders into its `user-config` ConfigMap. */
export function jaegerConfigChecksum(values: Record<string, unknown>): string {
    return crypto.createHash("sha256").update(canonical(values.userconfig)).digest("hex");
}

/**
 * Jaeger chart 4.11.1's all-in-one Deployment (templates/jaeger/jaeger-deploy.yaml) mounts the
 * `user-config` ConfigMap through a `subPath`, which a running pod never sees change, and its pod
 * template has fixed annotations and no checksum of it: a changed storage or index setting would
 * update the ConfigMap (in place, with `kubernetes:enableConfigMapMutable`) and leave every pod on
 * the old configuration. The Deployment's pod template gets `checksum/config`, so it rolls.
 */
export function jaegerChartTransform(checksum: string) {
    return (args: TransformArgs) => {
        if (args.type !== "kubernetes:apps/v1:Deployment" || args.props?.metadata?.name !== JAEGER_RELEASE || !args.props?.spec?.template) {
            return undefined;
        }
        const props = structuredClone(args.props);
        const template = props.spec.template;
        template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, "checksum/config": checksum } };
        return { props, opts: args.opts };
    };
}
