// The metric names the platform's PromQL reads, and where each one is emitted: shared by the
// alert-rule and dashboard tests, so a name is checked once against its exporter's source.
import { dashboardJson, platformDashboards } from "../../components/metrics/dashboards";

/** Metric names a PromQL expression reads (label matchers, strings, grouping lists and functions removed). */
export function metricsOf(expr: string): string[] {
    const stripped = expr
        .replace(/"[^"]*"/g, "\"\"")
        .replace(/\{[^}]*\}/g, "")
        .replace(/\[[^\]]*\]/g, "")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "");
    const keywords = new Set(["and", "or", "unless", "bool", "offset"]);
    const names = [...stripped.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]).filter((n) => !keywords.has(n));
    return [...new Set(names)];
}

/**
 * Where each metric the shipped rules and dashboards read comes from, at the pinned version, read in that project's
 * source: a rule on a name no exporter emits is a rule that never fires.
 */
export const METRIC_SOURCES: Record<string, string> = {
    node_memory_MemAvailable_bytes: "node-exporter v1.12.1 meminfo collector",
    node_memory_MemTotal_bytes: "node-exporter v1.12.1 meminfo collector",
    node_cpu_seconds_total: "node-exporter v1.12.1 cpu collector",
    node_filesystem_avail_bytes: "node-exporter v1.12.1 filesystem collector",
    node_filesystem_size_bytes: "node-exporter v1.12.1 filesystem collector",
    kube_node_status_condition: "kube-state-metrics v2.20.0 internal/store/node.go",
    kube_pod_container_status_restarts_total: "kube-state-metrics v2.20.0 internal/store/pod.go",
    kube_pod_container_status_waiting_reason: "kube-state-metrics v2.20.0 internal/store/pod.go",
    kube_daemonset_status_desired_number_scheduled: "kube-state-metrics v2.20.0 internal/store/daemonset.go",
    kube_daemonset_status_number_available: "kube-state-metrics v2.20.0 internal/store/daemonset.go",
    kube_daemonset_status_number_misscheduled: "kube-state-metrics v2.20.0 internal/store/daemonset.go",
    kube_poddisruptionbudget_status_pod_disruptions_allowed: "kube-state-metrics v2.20.0 internal/store/poddisruptionbudget.go",
    kube_poddisruptionbudget_status_expected_pods: "kube-state-metrics v2.20.0 internal/store/poddisruptionbudget.go",
    // Read by the dashboards (components/metrics/dashboards.ts).
    kube_pod_info: "kube-state-metrics v2.20.0 internal/store/pod.go (node, created_by_kind, created_by_name)",
    kube_pod_status_phase: "kube-state-metrics v2.20.0 internal/store/pod.go (phase, one series per phase, 1 for the current)",
    kube_pod_status_unschedulable: "kube-state-metrics v2.20.0 internal/store/pod.go (only while PodScheduled is False)",
    kube_pod_status_reason: "kube-state-metrics v2.20.0 internal/store/pod.go (reason, only the pod's own)",
    kube_pod_init_container_status_waiting_reason: "kube-state-metrics v2.20.0 internal/store/pod.go (container, reason)",
    kube_pod_container_status_last_terminated_reason: "kube-state-metrics v2.20.0 internal/store/pod.go (container, reason)",
    kube_deployment_spec_replicas: "kube-state-metrics v2.20.0 internal/store/deployment.go",
    kube_deployment_status_replicas_available: "kube-state-metrics v2.20.0 internal/store/deployment.go",
    kube_deployment_status_condition: "kube-state-metrics v2.20.0 internal/store/deployment.go (condition, status lower-case, reason)",
    kube_statefulset_replicas: "kube-state-metrics v2.20.0 internal/store/statefulset.go",
    kube_statefulset_status_replicas_ready: "kube-state-metrics v2.20.0 internal/store/statefulset.go",
    kube_daemonset_status_number_ready: "kube-state-metrics v2.20.0 internal/store/daemonset.go",
    container_cpu_usage_seconds_total: "kubelet /metrics/cadvisor (kube-prometheus-stack 88.5.3 kubelet ServiceMonitor; node label from prometheus-operator v0.93 promcfg.go)",
    container_memory_working_set_bytes: "kubelet /metrics/cadvisor (kube-prometheus-stack 88.5.3 kubelet ServiceMonitor; node label from prometheus-operator v0.93 promcfg.go)",
    fluentbit_output_proc_records_total: "Fluent Bit 4.2.2 src/flb_output.c",
    fluentbit_output_retries_total: "Fluent Bit 4.2.2 src/flb_output.c",
    otelcol_receiver_accepted_spans_total: "opentelemetry-collector v0.148.0 receiver/receiverhelper (+_total)",
    prometheus_tsdb_head_samples_appended_total: "Prometheus v3.14.0 tsdb/head.go",
    prometheus_tsdb_storage_blocks_bytes: "Prometheus v3.14.0 tsdb/db.go",
    prometheus_tsdb_wal_storage_size_bytes: "Prometheus v3.14.0 tsdb/wlog/wlog.go (prefix prometheus_tsdb_wal_)",
    kubelet_volume_stats_available_bytes: "kubelet volume stats",
    kubelet_volume_stats_capacity_bytes: "kubelet volume stats",
    fluentbit_output_errors_total: "Fluent Bit 4.2.2 src/flb_output.c",
    fluentbit_output_dropped_records_total: "Fluent Bit 4.2.2 src/flb_output.c",
    fluentbit_output_retries_failed_total: "Fluent Bit 4.2.2 src/flb_output.c",
    fluentbit_output_chunk_available_capacity_percent: "Fluent Bit 4.2.2 src/flb_output.c, src/flb_engine.c",
    elasticsearch_cluster_health_status: "elasticsearch-exporter v1.9.0 collector/cluster_health.go",
    elasticsearch_filesystem_data_available_bytes: "elasticsearch-exporter v1.9.0 collector/nodes.go",
    elasticsearch_filesystem_data_size_bytes: "elasticsearch-exporter v1.9.0 collector/nodes.go",
    // Backups (issue 26): collectors enabled by --collector.snapshots and --collector.slm (components/logs/es-exporter.ts).
    elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds: "elasticsearch-exporter v1.9.0 collector/snapshots.go (per repository: start of the newest SUCCESS or PARTIAL snapshot, 0 without one)",
    elasticsearch_snapshot_stats_number_of_snapshots: "elasticsearch-exporter v1.9.0 collector/snapshots.go (per repository)",
    elasticsearch_slm_stats_snapshots_failed_total: "elasticsearch-exporter v1.9.0 collector/slm.go (per policy, from _slm/stats policy_stats)",
    // Graylog's MongoDB dump (issue 26, item 6): its CronJob and the Jobs it creates.
    kube_cronjob_status_last_successful_time: "kube-state-metrics v2.20.0 internal/store/cronjob.go (status.lastSuccessfulTime; absent before the first success)",
    kube_cronjob_created: "kube-state-metrics v2.20.0 internal/store/cronjob.go (creation timestamp)",
    kube_job_status_failed: "kube-state-metrics v2.20.0 internal/store/job.go (failed pods; once the Job failed, one series per known reason, 1 for its own)",
    kube_job_owner: "kube-state-metrics v2.20.0 internal/store/job.go (owner_kind, owner_name, owner_is_controller)",
    kube_job_created: "kube-state-metrics v2.20.0 internal/store/job.go (creation timestamp)",
    elasticsearch_slm_stats_operation_mode: "elasticsearch-exporter v1.9.0 collector/slm.go (operation_mode RUNNING, STOPPING, STOPPED; 1 for the current)",
    otelcol_receiver_refused_spans_total: "opentelemetry-collector v0.148.0 receiver/receiverhelper (+_total: otelconf v0.3.0 with suffixes)",
    otelcol_exporter_send_failed_spans_total: "opentelemetry-collector v0.148.0 exporter/exporterhelper (+_total)",
    otelcol_exporter_enqueue_failed_spans_total: "opentelemetry-collector v0.148.0 exporter/exporterhelper (+_total)",
    gl_journal_entries_uncommitted: "Graylog 7.0.12 prometheus-exporter.yml",
    certmanager_certificate_expiration_timestamp_seconds: "cert-manager v1.19.1 certificate collector",
    certmanager_certificate_ready_status: "cert-manager v1.19.1 certificate collector",
    // Graylog's stores (issue 27, item 7): the MongoDB members through mongodb_exporter; the Data Node through kube-state-metrics' StatefulSet series above.
    mongodb_up: "mongodb_exporter v0.53.0 exporter/general_collector.go",
    mongodb_myState: "mongodb_exporter v0.53.0 replicasetstatus collector: replSetGetStatus.myState (exporter/replset_status_collector_test.go)",
    mongodb_members_state: "mongodb_exporter v0.53.0 replicasetstatus collector: replSetGetStatus.members[].state, labels member_idx, member_state (exporter/metrics.go processSlice)",
    mongodb_members_optimeDate: "mongodb_exporter v0.53.0 replicasetstatus collector: replSetGetStatus.members[].optimeDate in ms (exporter/metrics.go asFloat64)",
};

/** One PromQL query a shipped dashboard runs, and where: dashboard, panel, query. */
export interface DashboardQuery {
    readonly where: string;
    readonly expr: string;
}

const LABEL_VALUES = /^label_values\((\w+), *(\w+)\)$/;

/**
 * The queries in Grafana dashboard JSON models, read from the JSON the ConfigMaps carry: each
 * panel target's `expr` with every template variable at its All value (as Grafana sends it), and
 * each variable's series as a query of its own.
 */
export function queriesOf(models: readonly string[]): DashboardQuery[] {
    return models.flatMap((text) => {
        const d = JSON.parse(text);
        const variables: Array<{ name: string; query: string; allValue: string }> = d.templating.list;
        const interpolate = (expr: string) => variables.reduce((e, v) => e.replaceAll(`$${v.name}`, v.allValue), expr);
        const fromVariables = variables.map((v) => {
            const m = LABEL_VALUES.exec(v.query);
            return { where: `${d.uid} / variable ${v.name}`, expr: m ? m[1] : v.query };
        });
        const fromPanels = d.panels.flatMap((p: any) => p.targets.map((t: any) => ({ where: `${d.uid} / ${p.title} / ${t.refId}`, expr: interpolate(t.expr) })));
        return [...fromVariables, ...fromPanels];
    });
}

/** Every query of every dashboard the program ships, over every combination of pillars, once. */
export function shippedDashboardQueries(): DashboardQuery[] {
    // Backups as the shipped stacks have them: off (dev, staging) and every 6 hours (prod).
    const backups = [undefined, { intervalHours: 6, repository: "platform-backups", policy: "platform-snapshots" }];
    const dumps = [undefined, { cronJob: "graylog-mongodb-dump", intervalHours: 6 }];
    const models = [false, true].flatMap((logging) => [false, true].flatMap((tracing) => [false, true].flatMap((graylog) => backups.flatMap((backup) =>
        dumps.flatMap((graylogDump) => platformDashboards({ logging, tracing, graylog, backup, graylogDump }).map(dashboardJson))))));
    const seen = new Map<string, DashboardQuery>();
    for (const q of queriesOf(models)) {
        seen.set(`${q.where}\n${q.expr}`, q);
    }
    return [...seen.values()];
}
