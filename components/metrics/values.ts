/**
 * kube-prometheus-stack values, built per profile by a pure function. Every key below exists
 * in chart 88.5.3 (prometheus-node-exporter 4.56.1, kube-state-metrics 8.4.0, grafana 12.11.1);
 * the comments cite the non-obvious ones.
 */
import { MetricsSettings, ResourceSettings } from "../settings/profiles";
import {
    AGENT_NODE_AFFINITY, DRAIN_SAFE_PDB, DRAIN_SAFE_PDB_VALUES, NODE_CRITICAL_PRIORITY, preferSpreadAcrossNodes, resourcesOf, spreadAcrossNodes, TOLERATE_ALL_TAINTS,
} from "../shared/workloads";
import { httpGet, liveness, ProbePlan, readiness, tcpSocket } from "../shared/probes";
import { MONITORING_RELEASE } from "./release";
import { CA_KEY, clientTlsConfig, MONITORING_TLS_SECRETS, monitoringUrl, webTlsConfig } from "./tls";

export { MONITORING_RELEASE } from "./release";

/** Datasource UIDs, fixed so cross-links (trace -> logs -> metrics) survive reinstalls. */
export const DATASOURCE_UIDS = { prometheus: "prometheus", alertmanager: "alertmanager", logs: "logs", traces: "jaeger" } as const;

export interface LogsDataSource {
    /** Elasticsearch HTTPS endpoint. */
    readonly url: string;
    readonly username: string;
    /** Secret in the monitoring namespace holding the password under `password`. */
    readonly passwordSecret: string;
    /** Secret in the monitoring namespace whose `ca.crt` signs the Elasticsearch certificate. */
    readonly caSecret: string;
    readonly indexPattern: string;
}

export interface TracesDataSource {
    /** Jaeger query HTTP endpoint. */
    readonly url: string;
}

export interface MonitoringValuesInput {
    /** The chart's namespace, where the Prometheus and Alertmanager resources live. */
    readonly namespace: string;
    /** node-exporter's namespace: the node agents', the only privileged one. */
    readonly agentNamespace: string;
    readonly metrics: MetricsSettings;
    /** Spread replicas over zones as well as nodes (prod). */
    readonly zoneAware: boolean;
    readonly storageClassName?: string;
    readonly protectData: boolean;
    /** cert-manager is installed and issues the admission webhook's certificate. */
    readonly certManager: boolean;
    /**
     * Prometheus and Alertmanager serve HTTPS with the certificates of `monitoringCertificates`
     * (./tls.ts), and every client in this chart verifies them. Default false (plain HTTP).
     */
    readonly tls?: boolean;
    /** Secret holding `alertmanager.yaml`, created by the program. */
    readonly alertmanagerConfigSecret: string;
    /** Secret holding `admin-user` and `admin-password`, created by the program. */
    readonly grafanaAdminSecret: string;
    readonly logs?: LogsDataSource;
    readonly traces?: TracesDataSource;
    /** Public https URLs of the UIs, when they have an ingress: links in alerts and redirects. */
    readonly externalUrls?: { readonly grafana?: string; readonly prometheus?: string; readonly alertmanager?: string };
}

function volumeClaim(size: string, storageClassName?: string) {
    return {
        spec: {
            accessModes: ["ReadWriteOnce"],
            ...(storageClassName ? { storageClassName } : {}),
            resources: { requests: { storage: size } },
        },
    };
}

/**
 * kube-prometheus-stack default rules that watch a condition one of the platform's own rules
 * (alert-rules.ts) already watches, so each condition fires once, under one name. The chart
 * wraps every default rule in `if not .Values.defaultRules.disabled.<alert>` (88.5.3,
 * templates/prometheus/rules-1.14); KubePersistentVolumeFillingUp's key covers both severities.
 */
export const REPLACED_DEFAULT_RULES = [
    "NodeMemoryHighUtilization", "NodeCPUHighUsage", "NodeFilesystemAlmostOutOfSpace", "KubeNodePressure",
    "KubePodCrashLooping", "KubeDaemonSetMisScheduled", "KubePersistentVolumeFillingUp", "KubePdbNotEnoughHealthyPods",
] as const;

/** Pods annotated `prometheus.io/scrape: "true"` in any namespace, honouring port and path annotations. */
export const ANNOTATED_PODS_SCRAPE_CONFIG = {
    job_name: "annotated-pods",
    kubernetes_sd_configs: [{ role: "pod" }],
    relabel_configs: [
        { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
        { source_labels: ["__meta_kubernetes_pod_phase"], action: "drop", regex: "Pending|Succeeded|Failed|Completed" },
        { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scheme"], action: "replace", regex: "(https?)", target_label: "__scheme__" },
        { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"], action: "replace", regex: "(.+)", target_label: "__metrics_path__" },
        {
            source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
            action: "replace",
            regex: "(.+?)(?::\\d+)?;(\\d+)",
            replacement: "$1:$2",
            target_label: "__address__",
        },
        { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
        { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
        { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        { source_labels: ["__meta_kubernetes_pod_container_name"], target_label: "container" },
    ],
};

/** Where Grafana reads the platform CA: only `ca.crt` of the trust Secret is mounted. */
export const GRAFANA_CA_FILE = "/etc/grafana/platform-ca/ca.crt";

/**
 * Prometheus and Alertmanager, written here rather than by the chart's sidecar values: kps
 * 88.5.3 (templates/grafana/configmaps-datasources.yaml) templates no `secureJsonData` for either
 * and no `jsonData` for Alertmanager, so neither could verify a CA. The other fields are the
 * chart's defaults for the two (values.yaml `sidecar.datasources`).
 */
function monitoringDataSources(input: MonitoringValuesInput): Record<string, unknown>[] {
    // Grafana expands $__file{} when it reads provisioning files.
    const tlsJson = input.tls ? { tlsAuthWithCACert: true } : {};
    const secure = input.tls ? { secureJsonData: { tlsCACert: `$__file{${GRAFANA_CA_FILE}}` } } : {};
    return [
        {
            name: "Prometheus",
            uid: DATASOURCE_UIDS.prometheus,
            type: "prometheus",
            access: "proxy",
            isDefault: true,
            url: monitoringUrl("prometheus", input.namespace, input.tls ?? false),
            jsonData: {
                httpMethod: "POST",
                timeInterval: "30s",
                ...tlsJson,
                ...(input.traces ? { exemplarTraceIdDestinations: [{ datasourceUid: DATASOURCE_UIDS.traces, name: "trace_id" }] } : {}),
            },
            ...secure,
        },
        {
            name: "Alertmanager",
            uid: DATASOURCE_UIDS.alertmanager,
            type: "alertmanager",
            access: "proxy",
            url: monitoringUrl("alertmanager", input.namespace, input.tls ?? false),
            jsonData: { handleGrafanaManagedAlerts: false, implementation: "prometheus", ...tlsJson },
            ...secure,
        },
    ];
}

function dataSources(input: MonitoringValuesInput): Record<string, unknown>[] {
    const sources: Record<string, unknown>[] = monitoringDataSources(input);
    if (input.logs) {
        sources.push({
            name: "Logs",
            uid: DATASOURCE_UIDS.logs,
            type: "elasticsearch",
            access: "proxy",
            url: input.logs.url,
            basicAuth: true,
            basicAuthUser: input.logs.username,
            jsonData: {
                index: input.logs.indexPattern,
                timeField: "@timestamp",
                logMessageField: "log",
                logLevelField: "level",
                tlsAuthWithCACert: true,
                dataLinks: input.traces
                    ? [{ field: "trace_id", datasourceUid: DATASOURCE_UIDS.traces, url: "${__value.raw}" }]
                    : [],
            },
            // Grafana expands $__env{} and $__file{} when it reads provisioning files, so the
            // password and CA stay in Secrets mounted below.
            secureJsonData: {
                basicAuthPassword: "$__env{GF_LOGS_PASSWORD}",
                tlsCACert: "$__file{/etc/grafana/logs-ca/ca.crt}",
            },
        });
    }
    if (input.traces) {
        sources.push({
            name: "Traces",
            uid: DATASOURCE_UIDS.traces,
            type: "jaeger",
            access: "proxy",
            url: input.traces.url,
            jsonData: {
                ...(input.logs
                    ? { tracesToLogsV2: { datasourceUid: DATASOURCE_UIDS.logs, spanStartTimeShift: "-5m", spanEndTimeShift: "5m", filterByTraceID: true, customQuery: false } }
                    : {}),
                tracesToMetrics: { datasourceUid: DATASOURCE_UIDS.prometheus, spanStartTimeShift: "-5m", spanEndTimeShift: "5m" },
                nodeGraph: { enabled: true },
            },
        });
    }
    return sources;
}

/**
 * Pod labels the Prometheus Operator v0.93 puts on each instance's pods (pkg/prometheus/server
 * makeSelectorLabels, pkg/alertmanager statefulset.go); the chart names the resources
 * `<fullname>-prometheus` and `<fullname>-alertmanager`.
 */
export const PROMETHEUS_POD_LABELS = { "app.kubernetes.io/name": "prometheus", prometheus: `${MONITORING_RELEASE}-prometheus` };
export const ALERTMANAGER_POD_LABELS = { "app.kubernetes.io/name": "alertmanager", alertmanager: `${MONITORING_RELEASE}-alertmanager` };
/** grafana 12.11.1 grafana.selectorLabels: chart name and release name. */
export const GRAFANA_POD_LABELS = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": MONITORING_RELEASE };

/**
 * The operator's config-reloader sidecar and init container in every Prometheus and
 * Alertmanager pod. kps 88.5.3 passes `--config-reloader-{cpu,memory}-{request,limit}` from
 * this value and `0` ("leave unset", pkg/operator/config.go) when it is empty, which would
 * leave both containers without requests (templates/prometheus-operator/deployment.yaml).
 */
export const CONFIG_RELOADER_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

/**
 * Grafana's k8s-sidecar containers (dashboards, datasources) share one value in grafana 12.11.1
 * (`sidecar.resources`); the dashboards sidecar watches ConfigMaps in every namespace.
 */
export const GRAFANA_SIDECAR_RESOURCES = { requests: { cpu: "10m", memory: "96Mi" }, limits: { cpu: "200m", memory: "256Mi" } };

/**
 * The ports the two k8s-sidecar containers serve `/healthz` on. k8s-sidecar 2.10.1 binds
 * HEALTH_PORT (default 8080, src/healthz.py); grafana 12.11.1 sets it only on its init and alerts
 * variants, so both long-running sidecars would bind 8080 in one pod and the second would run
 * without its health server. These are the chart's own numbers for the two (_helpers.tpl).
 */
export const GRAFANA_SIDECAR_HEALTH_PORTS = { dashboards: 8084, datasources: 8082 } as const;

/** The admission webhook Deployment's pod labels (kps 88.5.3 admission-webhooks/deployment/deployment.yaml). */
export const ADMISSION_WEBHOOK_POD_LABELS = { app: "kube-prometheus-stack-operator-webhook", release: MONITORING_RELEASE };

/** The admission webhook server: small, it only parses the rules it admits. */
export const ADMISSION_WEBHOOK_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/**
 * Probes for chart containers whose chart fixes the handler or shares one probe value between
 * containers (probesTransform). Each source read at the pinned version:
 * - operator and admission webhook (prometheus-operator v0.93 cmd/operator/main.go,
 *   cmd/admission-webhook/main.go): `/healthz` answers 200 unconditionally; the chart templates
 *   it for both probes, so liveness becomes a TCP connect to the same listener;
 * - node-exporter 1.12.1 (node_exporter.go): `/` is the landing page, `/metrics` runs every
 *   collector (a hung NFS mount would fail it): readiness `/`, liveness TCP;
 * - k8s-sidecar 2.10.1 (src/healthz.py, README "Health Endpoint"): `/healthz` is 503 until the
 *   first sync and whenever the API server was out of reach for 60 s, a dependency: readiness
 *   only, liveness TCP.
 */
export function monitoringProbePlan(admissionWebhook: boolean): ProbePlan {
    const sidecar = (port: number) => ({ readinessProbe: readiness(httpGet("/healthz", port)), livenessProbe: liveness(tcpSocket(port)) });
    return {
        [`Deployment/${MONITORING_RELEASE}-operator`]: {
            "kube-prometheus-stack": { readinessProbe: readiness(httpGet("/healthz", "https", "HTTPS")), livenessProbe: liveness(tcpSocket("https")) },
        },
        ...(admissionWebhook
            ? {
                [`Deployment/${MONITORING_RELEASE}-operator-webhook`]: {
                    "prometheus-operator-admission-webhook": { readinessProbe: readiness(httpGet("/healthz", "https", "HTTPS")), livenessProbe: liveness(tcpSocket("https")) },
                },
            }
            : {}),
        [`DaemonSet/${MONITORING_RELEASE}-prometheus-node-exporter`]: {
            "node-exporter": { readinessProbe: readiness(httpGet("/", "http-metrics")), livenessProbe: liveness(tcpSocket("http-metrics")) },
        },
        [`Deployment/${MONITORING_RELEASE}-grafana`]: {
            "grafana-sc-dashboard": sidecar(GRAFANA_SIDECAR_HEALTH_PORTS.dashboards),
            "grafana-sc-datasources": sidecar(GRAFANA_SIDECAR_HEALTH_PORTS.datasources),
        },
    };
}

function grafanaValues(input: MonitoringValuesInput, r: ResourceSettings): Record<string, unknown> {
    const logs = input.logs;
    const replicas = input.metrics.grafana.replicas;
    return {
        replicas,
        resources: resourcesOf(r),
        // Users, API tokens, UI-made dashboards, Grafana-managed alerts and contact points live in
        // SQLite under /var/lib/grafana: on a PVC, not the chart's emptyDir. `type: pvc` keeps the
        // Deployment (templates/deployment.yaml) and has the chart make PVC `kps-grafana`
        // (templates/pvc.yaml), which prod's protect transform protects and retains like the other
        // stores; a stack made again adopts it (kubernetes:upsertExistingObjects).
        persistence: {
            enabled: true,
            type: "pvc",
            accessModes: ["ReadWriteOnce"],
            size: input.metrics.grafana.storageSize,
            ...(input.storageClassName ? { storageClassName: input.storageClassName } : {}),
            // v4 Chart renders like `helm template --dry-run=server`, so the chart's `lookup` would
            // add the bound PV's name to spec.volumeName from the second up on: a change to an
            // immutable field, which replaces the PVC.
            lookupVolumeName: false,
        },
        // The pod runs as 472 with fsGroup 472, which makes the volume writable; the chart's
        // chown init container would run as root with CHOWN and DAC_OVERRIDE.
        initChownData: { enabled: false },
        // The chart's pod securityContext (non-root 472) with the RuntimeDefault seccomp profile its
        // containers already ask for one by one. The token stays: the sidecars watch ConfigMaps.
        securityContext: { runAsNonRoot: true, runAsUser: 472, runAsGroup: 472, fsGroup: 472, seccompProfile: { type: "RuntimeDefault" } },
        // A ReadWriteOnce volume cannot be attached to the old and the new pod of a rolling update.
        deploymentStrategy: { type: "Recreate" },
        // A Deployment that mounts a PVC is stateful: the chart's PDB (templates/poddisruptionbudget.yaml
        // copies maxUnavailable and unhealthyPodEvictionPolicy) is the only one over these pods,
        // with any number of replicas. More than one replica also spreads (settings refuse that
        // today: there is no shared database).
        podDisruptionBudget: { ...DRAIN_SAFE_PDB },
        ...(replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(GRAFANA_POD_LABELS, input.zoneAware) } : {}),
        // Grafana's pkg/api/http_server.go: `/api/health` answers 503 when the database does not,
        // `/healthz` whenever the web server runs (its own comment: "always return 200 - Ok if
        // Grafana's web server is running"). The first start runs the database migrations
        // before the server listens, hence the chart's 60 s initial delay on liveness.
        readinessProbe: readiness(httpGet("/api/health", "grafana")),
        livenessProbe: liveness(httpGet("/healthz", "grafana"), 60),
        // A Secret made by the program, so no password is generated by the chart.
        admin: { existingSecret: input.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
        // The chart's test pod is a Helm hook, which v4 Chart never runs.
        testFramework: { enabled: false },
        sidecar: {
            resources: GRAFANA_SIDECAR_RESOURCES,
            dashboards: {
                enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL",
                env: { HEALTH_PORT: String(GRAFANA_SIDECAR_HEALTH_PORTS.dashboards) },
            },
            // The chart's ConfigMap still carries the datasources, all from additionalDataSources.
            datasources: {
                enabled: true, defaultDatasourceEnabled: false, alertmanager: { enabled: false },
                env: { HEALTH_PORT: String(GRAFANA_SIDECAR_HEALTH_PORTS.datasources) },
            },
        },
        additionalDataSources: dataSources(input),
        // Grafana builds login redirects and links from root_url (grafana.ini [server]).
        ...(input.externalUrls?.grafana ? { "grafana.ini": { server: { root_url: input.externalUrls.grafana } } } : {}),
        ...(logs ? { envValueFrom: { GF_LOGS_PASSWORD: { secretKeyRef: { name: logs.passwordSecret, key: "password" } } } } : {}),
        ...(logs || input.tls
            ? {
                extraSecretMounts: [
                    ...(logs ? [{ name: "logs-ca", secretName: logs.caSecret, mountPath: "/etc/grafana/logs-ca", readOnly: true, items: [{ key: CA_KEY, path: CA_KEY }] }] : []),
                    ...(input.tls
                        // Only the CA certificate: neither the trust Secret's key nor anything else.
                        ? [{
                            name: "platform-ca",
                            secretName: MONITORING_TLS_SECRETS.trust,
                            mountPath: GRAFANA_CA_FILE.slice(0, GRAFANA_CA_FILE.lastIndexOf("/")),
                            readOnly: true,
                            items: [{ key: CA_KEY, path: CA_KEY }],
                        }]
                        : []),
                ],
            }
            : {}),
    };
}

/** The node-exporter DaemonSet's name (kps fullnameOverride + `-prometheus-node-exporter`). */
export const NODE_EXPORTER_DAEMONSET = `${MONITORING_RELEASE}-prometheus-node-exporter`;

type TransformArgs = { type: string; name: string; props: Record<string, any>; opts: Record<string, any> };

/**
 * node-exporter came from the chart's namespace to the node agents' on day two. A v4 Chart names
 * its children `<chart>:<namespace>/<name>` (pulumi-kubernetes provider/pkg/provider/yaml/v2
 * yaml.go register), so the moved DaemonSet is a new resource, created before the old one is
 * deleted at the end of the update; its pods would wait for the old pods' host port 9100 and the
 * 10-minute DaemonSet await would fail the `up`. Aliased to its old name, it is the same
 * resource with a new namespace: a replacement, which `deleteBeforeReplace` makes delete first
 * (a minute without node metrics). The Service, ServiceAccount and ServiceMonitor move as new
 * objects (created, then the old ones deleted); nothing on the host stands in their way.
 */
export function nodeExporterMoveTransform(chartName: string, chartNamespace: string) {
    return (args: TransformArgs) => {
        if (args.type !== "kubernetes:apps/v1:DaemonSet" || args.props?.metadata?.name !== NODE_EXPORTER_DAEMONSET) {
            return undefined;
        }
        return {
            props: args.props,
            opts: { ...args.opts, aliases: [...(args.opts.aliases ?? []), { name: `${chartName}:${chartNamespace}/${NODE_EXPORTER_DAEMONSET}` }], deleteBeforeReplace: true },
        };
    };
}

function admissionWebhookDeployment(input: MonitoringValuesInput): Record<string, unknown> {
    const replicas = input.metrics.operator.webhookReplicas;
    return {
        enabled: true,
        replicas,
        resources: ADMISSION_WEBHOOK_RESOURCES,
        // It only answers the API server: prometheus-operator v0.93.0 cmd/admission-webhook
        // imports no Kubernetes client, and its certificate is a mounted Secret.
        automountServiceAccountToken: false,
        // The chart's PDB copies this block (admission-webhooks/deployment/pdb.yaml); its
        // Deployment templates `affinity` but no topologySpreadConstraints.
        ...(replicas > 1
            ? { podDisruptionBudget: DRAIN_SAFE_PDB_VALUES, affinity: preferSpreadAcrossNodes(ADMISSION_WEBHOOK_POD_LABELS, input.zoneAware) }
            : {}),
    };
}

/** The full values object for kube-prometheus-stack. */
export function monitoringValues(input: MonitoringValuesInput): Record<string, unknown> {
    const { metrics: m, storageClassName, protectData } = input;
    const retainPvcs = protectData ? { persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" } } : {};
    return {
        // Short, stable object names: kps-prometheus, kps-alertmanager, kps-operator.
        fullnameOverride: MONITORING_RELEASE,
        // The CRDs come from the prometheus-operator-crds chart (components/metrics/crds.ts), installed
        // first so other pillars' ServiceMonitors do not wait for this whole chart.
        crds: { enabled: false },
        prometheusOperator: {
            resources: resourcesOf(m.operator.resources),
            prometheusConfigReloader: { resources: CONFIG_RELOADER_RESOURCES },
            // Least privilege within what the operator allows (v0.93 has no Role mode; the chart's
            // RBAC stays a ClusterRole). ServiceMonitors, PodMonitors, Probes, ScrapeConfigs and
            // rules are still watched in every namespace, because applications ship their own.
            // Prometheus, Alertmanager and ThanosRuler resources only live here, and the operator
            // keeps its Secret, ConfigMap and StatefulSet informers to the namespaces of those
            // resources (pkg/prometheus/server/operator.go), so it no longer caches Secrets
            // cluster-wide. Secrets a ServiceMonitor in another namespace names are still read
            // with a GET when the config is built (pkg/assets/store.go).
            prometheusInstanceNamespaces: [input.namespace],
            alertmanagerInstanceNamespaces: [input.namespace],
            thanosRulerInstanceNamespaces: [input.namespace],
            // The webhook's certificate Jobs are Helm hooks, which v4 Chart drops; cert-manager
            // issues the certificate and injects the CA bundle instead. Without cert-manager the
            // webhook is off: PrometheusRules are then validated only by the operator itself.
            //
            // The webhook is served by a Deployment of its own (the operator is one pod, fixed by
            // the chart's templates/prometheus-operator/deployment.yaml), so that it can run
            // `metrics.operator.webhookReplicas` times; the webhook configurations then name its
            // Service `<fullname>-operator-webhook`, and the certificate covers that name too
            // (admission-webhooks/*WebhookConfiguration.yaml, _helpers.tpl admission-webhook.dnsNames).
            admissionWebhooks: input.certManager
                ? { enabled: true, certManager: { enabled: true }, patch: { enabled: false }, deployment: admissionWebhookDeployment(input) }
                : { enabled: false, patch: { enabled: false } },
        },
        prometheus: {
            podDisruptionBudget: DRAIN_SAFE_PDB_VALUES,
            prometheusSpec: {
                replicas: m.prometheus.replicas,
                retention: `${m.prometheus.retentionDays}d`,
                retentionSize: m.prometheus.retentionSize,
                resources: resourcesOf(m.prometheus.resources),
                topologySpreadConstraints: spreadAcrossNodes(PROMETHEUS_POD_LABELS, input.zoneAware, true),
                storageSpec: { volumeClaimTemplate: volumeClaim(m.prometheus.storageSize, storageClassName) },
                ...retainPvcs,
                // Select ServiceMonitors, PodMonitors, Probes, ScrapeConfigs and rules from every
                // namespace, not only those labelled for this release.
                ruleSelectorNilUsesHelmValues: false,
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
                ruleNamespaceSelector: {},
                serviceMonitorNamespaceSelector: {},
                podMonitorNamespaceSelector: {},
                additionalScrapeConfigs: [ANNOTATED_PODS_SCRAPE_CONFIG],
                enableFeatures: ["exemplar-storage"],
                // Alert "Source" links point at the public UI (prometheusSpec.externalUrl).
                ...(input.externalUrls?.prometheus ? { externalUrl: input.externalUrls.prometheus } : {}),
                walCompression: true,
                ...(input.tls ? { web: webTlsConfig("prometheus") } : {}),
            },
            // The chart's own ServiceMonitor scrapes both `http-web` and `reloader-web` with these.
            ...(input.tls ? { serviceMonitor: { scheme: "https", tlsConfig: clientTlsConfig("prometheus", input.namespace) } } : {}),
        },
        alertmanager: {
            podDisruptionBudget: DRAIN_SAFE_PDB_VALUES,
            alertmanagerSpec: {
                replicas: m.alertmanager.replicas,
                resources: resourcesOf(m.alertmanager.resources),
                topologySpreadConstraints: spreadAcrossNodes(ALERTMANAGER_POD_LABELS, input.zoneAware, true),
                storage: { volumeClaimTemplate: volumeClaim(m.alertmanager.storageSize, storageClassName) },
                ...retainPvcs,
                // The configuration, credentials included, lives in a Secret the program writes.
                useExistingSecret: true,
                configSecret: input.alertmanagerConfigSecret,
                // Alertmanager and its config-reloader read mounted files; neither calls the API.
                automountServiceAccountToken: false,
                ...(input.externalUrls?.alertmanager ? { externalUrl: input.externalUrls.alertmanager } : {}),
                ...(input.tls
                    ? {
                        web: webTlsConfig("alertmanager"),
                        // Not fields of the Alertmanager resource: kps 88.5.3 templates them into
                        // the Prometheus resource's `alerting.alertmanagers[0]` (templates/prometheus/prometheus.yaml).
                        scheme: "https",
                        tlsConfig: clientTlsConfig("alertmanager", input.namespace),
                    }
                    : {}),
            },
            ...(input.tls ? { serviceMonitor: { scheme: "https", tlsConfig: clientTlsConfig("alertmanager", input.namespace) } } : {}),
        },
        defaultRules: { disabled: Object.fromEntries(REPLACED_DEFAULT_RULES.map((alert) => [alert, true])) },
        grafana: grafanaValues(input, m.grafana.resources),
        kubeStateMetrics: { enabled: true },
        "kube-state-metrics": { resources: resourcesOf(m.kubeStateMetrics.resources) },
        nodeExporter: { enabled: true },
        "prometheus-node-exporter": {
            // Every object of the subchart (DaemonSet, Service, ServiceAccount, ServiceMonitor)
            // goes there (prometheus-node-exporter 4.56.1 _helpers.tpl "prometheus-node-exporter.namespace").
            namespaceOverride: input.agentNamespace,
            tolerations: TOLERATE_ALL_TAINTS,
            priorityClassName: NODE_CRITICAL_PRIORITY,
            affinity: AGENT_NODE_AFFINITY,
            resources: resourcesOf(m.nodeExporter.resources),
            // It keeps the host network, PID namespace and read-only host mounts; it needs no
            // capability (it reads /proc and /sys as 65534) and no privilege escalation.
            securityContext: { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containerSecurityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            // As Fluent Bit and the OTel agent: the chart's `maxUnavailable: 1` rolls one node at a
            // time and outlasts the provider's 10-minute DaemonSet await from about 40 nodes.
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            // node-exporter runs on the host network, so `instance` is `<node IP>:9100`; the node's
            // name, which every kubectl command takes, comes from the pod the endpoint targets
            // (prometheus-node-exporter 4.56.1 templates/servicemonitor.yaml renders
            // prometheus.monitor.relabelings into the endpoint).
            prometheus: { monitor: { relabelings: [{ sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node", action: "replace" }] } },
        },
    };
}
