/**
 * The platform's own Grafana dashboards: is every agent on every node, how fast data comes in,
 * how full the stores are, and which workloads are not where they should be. Generated, so each
 * panel's query is reviewable in a diff and testable like any other value; Grafana's sidecar
 * loads them from labelled ConfigMaps.
 */
import { DATASOURCE_UIDS } from "./values";

interface Target {
    readonly expr: string;
    readonly legend: string;
}

interface Panel {
    readonly title: string;
    readonly unit: string;
    readonly targets: readonly Target[];
    /** What on-call does next, shown in the panel's info tooltip. */
    readonly description?: string;
}

/** A multi-value template variable listing the values of `label` on `metric`. */
interface Variable {
    readonly name: string;
    readonly label: string;
    readonly metric: string;
}

export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly panels: readonly Panel[];
    readonly variables?: readonly Variable[];
}

/**
 * What Grafana puts in place of a variable when "All" is selected. Queries match variables with
 * `=~`, so a regular expression that matches every value, including the empty one.
 */
const ALL_VALUE = ".*";

const PROMETHEUS = { type: "prometheus", uid: DATASOURCE_UIDS.prometheus };

function toVariable(v: Variable): Record<string, unknown> {
    const query = `label_values(${v.metric}, ${v.label})`;
    return {
        name: v.name,
        label: v.label,
        type: "query",
        datasource: PROMETHEUS,
        query,
        definition: query,
        // On dashboard load, so a namespace created since shows up.
        refresh: 1,
        sort: 1,
        multi: true,
        includeAll: true,
        allValue: ALL_VALUE,
        current: { selected: true, text: ["All"], value: ["$__all"] },
    };
}

function toGrafana(d: Dashboard): Record<string, unknown> {
    return {
        uid: d.uid,
        title: d.title,
        tags: ["observability-platform"],
        timezone: "utc",
        schemaVersion: 39,
        refresh: "1m",
        time: { from: "now-6h", to: "now" },
        templating: { list: (d.variables ?? []).map(toVariable) },
        panels: d.panels.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            ...(p.description ? { description: p.description } : {}),
            datasource: PROMETHEUS,
            gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.targets.map((t, j) => ({ refId: String.fromCharCode(65 + j), expr: t.expr, legendFormat: t.legend })),
        })),
    };
}

export interface DashboardScope {
    readonly logging: boolean;
    readonly tracing: boolean;
    readonly graylog: boolean;
    /** Elasticsearch snapshots (the same scope the backup alerts read). */
    readonly backup?: { readonly intervalHours: number; readonly repository: string; readonly policy: string };
    /** Graylog's MongoDB dump (the same scope its alerts read). */
    readonly graylogDump?: { readonly cronJob: string; readonly intervalHours: number };
}

/**
 * Where every workload in the cluster stands, for on-call: kube-state-metrics v2.20.0 series
 * (internal/store/{pod,deployment,statefulset,daemonset}.go), whose object labels (`namespace`,
 * `pod`, `uid`, `deployment`, ...) survive the scrape because the chart's ServiceMonitor honours
 * them (kube-prometheus-stack 88.5.3 `kube-state-metrics.prometheus.monitor.http.honorLabels`).
 */
function workloadsDashboard(): Dashboard {
    const ns = `namespace=~"$namespace"`;
    // Per-container series joined to their pod: `uid` keeps two pods of one name (a StatefulSet
    // pod recreated while the old one's series linger) from colliding in the join; group_left
    // keeps the container's `reason`, which a one-to-one match with `on` would drop.
    const inPendingPods = (metric: string) =>
        `sum by (namespace, reason) (${metric}{${ns}} * on (namespace, pod, uid) group_left () (kube_pod_status_phase{phase="Pending",${ns}} == 1))`;
    return {
        uid: "platform-workloads",
        title: "Platform / Workloads",
        variables: [{ name: "namespace", label: "namespace", metric: "kube_pod_info" }],
        panels: [
            {
                title: "Pods by phase",
                unit: "short",
                targets: [{ expr: `sum by (phase) (kube_pod_status_phase{${ns}})`, legend: "{{phase}}" }],
            },
            {
                title: "Pods Pending, Failed or Unknown, by namespace",
                unit: "short",
                targets: [{ expr: `sum by (namespace, phase) (kube_pod_status_phase{phase=~"Pending|Failed|Unknown",${ns}}) > 0`, legend: "{{namespace}} {{phase}}" }],
            },
            {
                title: "Deployments: replicas not available (should be empty)",
                unit: "short",
                targets: [{
                    expr: `kube_deployment_spec_replicas{${ns}} - kube_deployment_status_replicas_available{${ns}} > 0`,
                    legend: "{{namespace}}/{{deployment}}",
                }],
            },
            {
                title: "Deployments whose rollout stopped progressing",
                unit: "short",
                description: "Progressing=False: the rollout passed its progressDeadlineSeconds. `kubectl rollout status` and the new ReplicaSet's events say why.",
                targets: [{
                    expr: `kube_deployment_status_condition{condition="Progressing",status="false",${ns}} == 1`,
                    legend: "{{namespace}}/{{deployment}} ({{reason}})",
                }],
            },
            {
                title: "StatefulSets: replicas not ready (should be empty)",
                unit: "short",
                targets: [{
                    expr: `kube_statefulset_replicas{${ns}} - kube_statefulset_status_replicas_ready{${ns}} > 0`,
                    legend: "{{namespace}}/{{statefulset}}",
                }],
            },
            {
                title: "DaemonSets: pods not ready (should be empty)",
                unit: "short",
                targets: [{
                    expr: `kube_daemonset_status_desired_number_scheduled{${ns}} - kube_daemonset_status_number_ready{${ns}} > 0`,
                    legend: "{{namespace}}/{{daemonset}}",
                }],
            },
            {
                title: "Container restarts in 15 minutes, by pod",
                unit: "short",
                targets: [{
                    expr: `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${ns}}[15m])) > 0`,
                    legend: "{{namespace}}/{{pod}}",
                }],
            },
            {
                title: "Container restarts in 15 minutes, by last termination reason",
                unit: "short",
                description: "OOMKilled: the container hit its memory limit. Error: it exited non-zero; its previous logs (`kubectl logs --previous`) say why.",
                targets: [{
                    expr: `sum by (namespace, reason) (kube_pod_container_status_last_terminated_reason{${ns}}`
                        + ` * on (namespace, pod, uid, container) group_left () increase(kube_pod_container_status_restarts_total{${ns}}[15m])) > 0`,
                    legend: "{{namespace}}: {{reason}}",
                }],
            },
            {
                title: "Pending pods, by reason",
                unit: "short",
                description: "Not scheduled: the pod's events name what the scheduler lacks (resources, a matching node, a toleration, a bound volume) or the scheduling gate. A waiting reason: the image pull, a missing Secret or ConfigMap (CreateContainerConfigError), or a volume still attaching (ContainerCreating).",
                targets: [
                    { expr: `sum by (namespace) (kube_pod_status_unschedulable{${ns}})`, legend: "{{namespace}}: not scheduled" },
                    { expr: inPendingPods("kube_pod_init_container_status_waiting_reason"), legend: "{{namespace}}: init container {{reason}}" },
                    { expr: inPendingPods("kube_pod_container_status_waiting_reason"), legend: "{{namespace}}: {{reason}}" },
                ],
            },
            {
                title: "Containers waiting, by reason",
                unit: "short",
                targets: [{ expr: `sum by (namespace, reason) (kube_pod_container_status_waiting_reason{${ns}})`, legend: "{{namespace}}: {{reason}}" }],
            },
            {
                title: "Pods by status reason (Evicted, NodeLost, Shutdown, ...)",
                unit: "short",
                targets: [{ expr: `sum by (namespace, reason) (kube_pod_status_reason{${ns}})`, legend: "{{namespace}}: {{reason}}" }],
            },
        ],
    };
}

/** The dashboards for the pillars a stack deploys. */
export function platformDashboards(scope: DashboardScope): Dashboard[] {
    const agentSets = [
        "node-exporter", ...(scope.logging ? ["fluent-bit"] : []), ...(scope.tracing ? ["otel-agent"] : []),
        // The node-tuning DaemonSet beside them, for Elasticsearch and the Data Node (components/shared/node-tuning.ts).
        ...(scope.logging || scope.graylog ? ["node-tuning"] : []),
    ];
    const agentRegex = agentSets.map((a) => `.*${a}.*`).join("|");
    const ingest: Panel[] = [];
    if (scope.logging) {
        ingest.push({
            title: "Log records sent by Fluent Bit, per output",
            unit: "rps",
            targets: [
                { expr: "sum by (name) (rate(fluentbit_output_proc_records_total[5m]))", legend: "{{name}}" },
                { expr: "sum by (name) (rate(fluentbit_output_retries_total[5m]))", legend: "{{name}} retries" },
            ],
        });
    }
    if (scope.tracing) {
        ingest.push({
            title: "Spans accepted and refused by the OpenTelemetry agents",
            unit: "rps",
            targets: [
                { expr: "sum(rate(otelcol_receiver_accepted_spans_total[5m]))", legend: "accepted" },
                { expr: "sum(rate(otelcol_receiver_refused_spans_total[5m]))", legend: "refused" },
            ],
        });
    }
    if (scope.graylog) {
        ingest.push({
            title: "Graylog journal backlog",
            unit: "short",
            targets: [{ expr: "max by (pod) (gl_journal_entries_uncommitted)", legend: "{{pod}}" }],
        });
    }
    ingest.push({
        title: "Samples ingested by Prometheus",
        unit: "rps",
        targets: [{ expr: "sum by (pod) (rate(prometheus_tsdb_head_samples_appended_total[5m]))", legend: "{{pod}}" }],
    });
    return [
        {
            uid: "platform-agents",
            title: "Platform / Node agents",
            panels: [
                {
                    title: "Agents missing per DaemonSet (should be 0)",
                    unit: "short",
                    targets: [{
                        expr: `kube_daemonset_status_desired_number_scheduled{daemonset=~"${agentRegex}"} - kube_daemonset_status_number_available{daemonset=~"${agentRegex}"}`,
                        legend: "{{namespace}}/{{daemonset}}",
                    }],
                },
                {
                    title: "Agent pods per node",
                    unit: "short",
                    targets: [{ expr: `count by (node) (kube_pod_info{created_by_kind="DaemonSet",created_by_name=~"${agentRegex}"})`, legend: "{{node}}" }],
                },
                {
                    title: "Agent CPU per node",
                    unit: "cores",
                    targets: [{ expr: `sum by (node) (rate(container_cpu_usage_seconds_total{container!="",pod=~"${agentRegex}"}[5m]))`, legend: "{{node}}" }],
                },
                {
                    title: "Agent memory per node",
                    unit: "bytes",
                    targets: [{ expr: `sum by (node) (container_memory_working_set_bytes{container!="",pod=~"${agentRegex}"})`, legend: "{{node}}" }],
                },
            ],
        },
        { uid: "platform-ingest", title: "Platform / Ingest rates", panels: ingest },
        {
            uid: "platform-storage",
            title: "Platform / Storage",
            panels: [
                {
                    title: "Platform volumes used",
                    unit: "percentunit",
                    targets: [{
                        expr: "1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes",
                        legend: "{{namespace}}/{{persistentvolumeclaim}}",
                    }],
                },
                {
                    title: "Prometheus TSDB size",
                    unit: "bytes",
                    targets: [{ expr: "prometheus_tsdb_storage_blocks_bytes + prometheus_tsdb_wal_storage_size_bytes", legend: "{{pod}}" }],
                },
                ...(scope.logging
                    ? [{
                        title: "Elasticsearch disk used",
                        unit: "percentunit",
                        targets: [{ expr: "1 - elasticsearch_filesystem_data_available_bytes / elasticsearch_filesystem_data_size_bytes", legend: "{{name}}" }],
                    }]
                    : []),
                // Backups (README "Backup and restore"): what the backup alerts read, over time.
                ...(scope.logging && scope.backup
                    ? [
                        {
                            title: "Backups: age of the newest successful Elasticsearch snapshot",
                            unit: "s",
                            description: `SLM snapshots every ${scope.backup.intervalHours} hours; ElasticsearchSnapshotStale warns at ${2 * scope.backup.intervalHours} hours and pages at ${4 * scope.backup.intervalHours}. `
                                + `Stuck lines: GET _slm/policy/${scope.backup.policy} shows last_failure.`,
                            targets: [{
                                expr: `time() - max by (repository) (elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds{repository="${scope.backup.repository}"})`,
                                legend: "{{repository}}",
                            }],
                        },
                        {
                            title: "Backups: SLM snapshot failures and snapshots kept",
                            unit: "short",
                            description: "Failed snapshots per hour of the platform's SLM policy, and how many snapshots the repository holds (SLM retention keeps it between min_count and max_count).",
                            targets: [
                                { expr: `sum by (policy) (increase(elasticsearch_slm_stats_snapshots_failed_total{policy="${scope.backup.policy}"}[1h]))`, legend: "failed/h {{policy}}" },
                                { expr: `max by (repository) (elasticsearch_snapshot_stats_number_of_snapshots{repository="${scope.backup.repository}"})`, legend: "kept in {{repository}}" },
                            ],
                        },
                    ]
                    : []),
                ...(scope.graylog && scope.graylogDump
                    ? [
                        {
                            title: "Backups: age of the last successful Graylog MongoDB dump",
                            unit: "s",
                            description: `CronJob ${scope.graylogDump.cronJob} dumps every ${scope.graylogDump.intervalHours} hours; GraylogMongoDBDumpStale warns at ${2 * scope.graylogDump.intervalHours} hours and pages at ${4 * scope.graylogDump.intervalHours}. `
                                + `Stuck lines: kubectl get jobs -l app.kubernetes.io/name=${scope.graylogDump.cronJob} and the failed Job's logs.`,
                            targets: [{
                                expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{cronjob="${scope.graylogDump.cronJob}"})`,
                                legend: "{{namespace}}/{{cronjob}}",
                            }],
                        },
                        {
                            title: "Backups: failed pods of Graylog's MongoDB dump Jobs",
                            unit: "short",
                            description: "Failed pods per dump Job the CronJob's history keeps (failedJobsHistoryLimit); a Job that gave up after its retries shows 1 for its failure reason.",
                            targets: [{
                                expr: `max by (namespace, job_name) (kube_job_status_failed) * on (namespace, job_name) group_left () kube_job_owner{owner_kind="CronJob",owner_name="${scope.graylogDump.cronJob}"} > 0`,
                                legend: "{{namespace}}/{{job_name}}",
                            }],
                        },
                    ]
                    : []),
            ],
        },
        workloadsDashboard(),
    ];
}

/** Grafana's JSON model for a dashboard, as the sidecar reads it from a ConfigMap. */
export function dashboardJson(d: Dashboard): string {
    return JSON.stringify(toGrafana(d), null, 2);
}
