/**
 * The platform's own Grafana dashboards: is every agent on every node, how fast data comes in,
 * and how full the stores are. Generated, so each panel's query is reviewable in a diff and
 * testable like any other value; Grafana's sidecar loads them from labelled ConfigMaps.
 */

interface Target {
    readonly expr: string;
    readonly legend: string;
}

interface Panel {
    readonly title: string;
    readonly unit: string;
    readonly targets: readonly Target[];
}

export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly panels: readonly Panel[];
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
        templating: { list: [] },
        panels: d.panels.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            datasource: { type: "prometheus", uid: "prometheus" },
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
}

/** The dashboards for the pillars a stack deploys. */
export function platformDashboards(scope: DashboardScope): Dashboard[] {
    const agentSets = ["node-exporter", ...(scope.logging ? ["fluent-bit"] : []), ...(scope.tracing ? ["otel-agent"] : [])];
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
            ],
        },
    ];
}

/** Grafana's JSON model for a dashboard, as the sidecar reads it from a ConfigMap. */
export function dashboardJson(d: Dashboard): string {
    return JSON.stringify(toGrafana(d), null, 2);
}
