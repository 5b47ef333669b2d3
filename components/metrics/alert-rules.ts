/**
 * Alert rules the platform owns, beside kube-prometheus-stack's defaults: the failures that
 * leave a platform team blind without anyone noticing (an agent missing from a node, a log
 * output retrying forever, spans dropped, a journal backing up, a certificate about to expire).
 * Plain data, so `promtool check rules` and `promtool test rules` run on exactly what deploys.
 */

export type Severity = "critical" | "warning";

export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: { readonly severity: Severity };
    readonly annotations: { readonly summary: string; readonly description: string; readonly runbook: string };
}

export interface RuleGroup {
    readonly name: string;
    readonly rules: readonly AlertRule[];
}

/** Which pillars are deployed, so rules for absent components are not shipped. */
export interface RuleScope {
    readonly logging: boolean;
    readonly tracing: boolean;
    readonly graylog: boolean;
    readonly tls: boolean;
    readonly namespaces: { readonly logging: string; readonly tracing: string; readonly graylog: string };
}

function rule(alert: string, severity: Severity, expr: string, forDuration: string, summary: string, description: string, runbook: string): AlertRule {
    return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description, runbook } };
}

const nodes: RuleGroup = {
    name: "platform.nodes",
    rules: [
        rule("PlatformNodeMemoryPressure", "warning",
            "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.10", "10m",
            "Node {{ $labels.instance }} has less than 10% memory available",
            "Only {{ $value | humanizePercentage }} of memory is available; the kubelet will start evicting pods.",
            "Find the largest pods on the node (kubectl top pods -A --sort-by=memory) and check their limits; add capacity if the node is simply full."),
        rule("PlatformNodeCPUSaturated", "warning",
            "1 - avg by (instance) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) > 0.90", "15m",
            "Node {{ $labels.instance }} CPU is above 90% busy",
            "CPU has been {{ $value | humanizePercentage }} busy for 15 minutes; latency-sensitive pods are being throttled.",
            "Check kubectl top pods on the node and CPU limits; spread noisy workloads or add nodes."),
        rule("PlatformNodeDiskPressure", "warning",
            "node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\",mountpoint=~\"/|/var|/var/lib/.*\"} / node_filesystem_size_bytes < 0.10", "10m",
            "Node {{ $labels.instance }} filesystem {{ $labels.mountpoint }} is over 90% full",
            "Only {{ $value | humanizePercentage }} is free; at the kubelet's eviction threshold images are removed and pods evicted.",
            "Look for large container logs and images (crictl rmi --prune), and for emptyDir volumes growing without bound."),
        rule("PlatformNodeConditionPressure", "critical",
            "kube_node_status_condition{condition=~\"MemoryPressure|DiskPressure|PIDPressure\",status=\"true\"} == 1", "5m",
            "Node {{ $labels.node }} reports {{ $labels.condition }}",
            "The kubelet reports {{ $labels.condition }}; it is evicting pods and refusing new ones.",
            "kubectl describe node {{ $labels.node }}; free the resource or drain the node."),
    ],
};

const workloads: RuleGroup = {
    name: "platform.workloads",
    rules: [
        rule("PlatformPodCrashLooping", "warning",
            "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[5m]) >= 1", "15m",
            "Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping",
            "The container has been in CrashLoopBackOff for 15 minutes.",
            "kubectl logs --previous -n {{ $labels.namespace }} {{ $labels.pod }} -c {{ $labels.container }}"),
        rule("PlatformDaemonSetNotOnEveryNode", "critical",
            "kube_daemonset_status_desired_number_scheduled - kube_daemonset_status_number_available > 0", "15m",
            "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is missing on {{ $value }} node(s)",
            "A node without its agent is a blind spot: no metrics, logs or traces leave it.",
            "kubectl get pods -n {{ $labels.namespace }} -o wide | grep -v Running; check taints the agent does not tolerate, node affinity and resource quotas."),
        rule("PlatformDaemonSetMisscheduled", "warning",
            "kube_daemonset_status_number_misscheduled > 0", "15m",
            "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} runs on nodes it should not",
            "{{ $value }} pods run where the DaemonSet's node affinity no longer allows them.",
            "Compare the DaemonSet's affinity with the node labels; delete the stray pods."),
        rule("PlatformPersistentVolumeFillingUp", "warning",
            "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.15 and predict_linear(kubelet_volume_stats_available_bytes[6h], 24 * 3600) < 0", "30m",
            "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} fills up within a day",
            "{{ $value | humanize1024 }}B left now, and the last six hours' trend reaches zero within 24 hours.",
            "Shorten retention or expand the PVC (allowVolumeExpansion on its StorageClass)."),
        rule("PlatformPersistentVolumeAlmostFull", "critical",
            "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.05", "5m",
            "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 95% full",
            "Only {{ $value | humanizePercentage }} of the volume is free; writes fail soon.",
            "Expand the PVC now, then fix retention."),
    ],
};

function logging(ns: string): RuleGroup {
    return {
        name: "platform.logging",
        rules: [
            rule("FluentBitOutputErrors", "warning",
                `sum by (pod, name) (rate(fluentbit_output_errors_total{namespace="${ns}"}[5m])) > 0`, "10m",
                "Fluent Bit {{ $labels.pod }} output {{ $labels.name }} is failing",
                "The output reports {{ $value | humanize }} errors/s; chunks wait in the filesystem buffer until the cap is reached.",
                "kubectl logs -n logging {{ $labels.pod }}; check the destination (Elasticsearch health, Graylog input) and credentials."),
            rule("FluentBitOutputRetriesExhausted", "critical",
                `sum by (pod, name) (rate(fluentbit_output_retries_failed_total{namespace="${ns}"}[5m])) > 0`, "5m",
                "Fluent Bit {{ $labels.pod }} is dropping logs for output {{ $labels.name }}",
                "Retries are exhausted and chunks are being discarded: logs are lost.",
                "Restore the destination; if it is healthy, look for mapping errors in Fluent Bit's log."),
            rule("FluentBitBufferNearlyFull", "warning",
                `max by (pod) (fluentbit_input_storage_chunks_busy_bytes{namespace="${ns}"}) > 0 and rate(fluentbit_output_retries_total{namespace="${ns}"}[10m]) > 0`, "30m",
                "Fluent Bit {{ $labels.pod }} is buffering on disk",
                "Chunks have piled up for 30 minutes while outputs retry; at the storage cap the oldest chunks are dropped.",
                "Check the outputs' destinations; the buffer only bridges outages up to its cap."),
            rule("ElasticsearchClusterRed", "critical",
                `max(elasticsearch_cluster_health_status{color="red",namespace="${ns}"}) == 1`, "5m",
                "Elasticsearch cluster health is RED",
                "At least one primary shard is unassigned: some logs cannot be written or searched.",
                "GET _cluster/allocation/explain; look for full disks and lost nodes."),
            rule("ElasticsearchClusterYellow", "warning",
                `max(elasticsearch_cluster_health_status{color="yellow",namespace="${ns}"}) == 1`, "30m",
                "Elasticsearch cluster health is YELLOW",
                "Replica shards are unassigned: one more lost node loses data.",
                "GET _cluster/allocation/explain; usually a node is down or the disk watermark was crossed."),
            rule("ElasticsearchDiskHighWatermark", "warning",
                `1 - elasticsearch_filesystem_data_available_bytes{namespace="${ns}"} / elasticsearch_filesystem_data_size_bytes > 0.85`, "15m",
                "Elasticsearch node {{ $labels.name }} disk is above the low watermark",
                "Disk use is {{ $value | humanizePercentage }}; at 90% (high watermark) shards move away, at 95% indices turn read-only.",
                "Shorten logging.retentionDays or grow logging.elasticsearch.storageSize."),
            rule("ElasticsearchDiskFloodStage", "critical",
                `1 - elasticsearch_filesystem_data_available_bytes{namespace="${ns}"} / elasticsearch_filesystem_data_size_bytes > 0.95`, "5m",
                "Elasticsearch node {{ $labels.name }} reached the flood-stage watermark",
                "Indices on this node are read-only: new logs are rejected.",
                "Free disk (delete old indices), then PUT */_settings {\"index.blocks.read_only_allow_delete\": null}."),
        ],
    };
}

function tracing(ns: string): RuleGroup {
    return {
        name: "platform.tracing",
        rules: [
            rule("OtelAgentRefusingSpans", "warning",
                `sum by (pod) (rate(otelcol_receiver_refused_spans_total{namespace="${ns}"}[5m])) > 0`, "10m",
                "OpenTelemetry agent {{ $labels.pod }} refuses spans",
                "The memory limiter is pushing back ({{ $value | humanize }} spans/s refused); applications drop spans or block.",
                "Raise tracing.agent.resources.limits.memory or lower sampling; check the Jaeger collector is keeping up."),
            rule("OtelAgentDroppingSpans", "critical",
                `sum by (pod) (rate(otelcol_exporter_send_failed_spans_total{namespace="${ns}"}[5m]) + rate(otelcol_exporter_enqueue_failed_spans_total{namespace="${ns}"}[5m])) > 0`, "10m",
                "OpenTelemetry agent {{ $labels.pod }} drops spans",
                "Spans fail to reach the Jaeger collector ({{ $value | humanize }}/s): traces are incomplete.",
                "Check the Jaeger collector pods and the agent's exporter errors in its log."),
            rule("JaegerDroppingSpans", "critical",
                `sum by (pod) (rate(otelcol_exporter_send_failed_spans_total{namespace="${ns}",pod=~".*jaeger.*"}[5m]) + rate(otelcol_receiver_refused_spans_total{namespace="${ns}",pod=~".*jaeger.*"}[5m])) > 0`, "10m",
                "Jaeger {{ $labels.pod }} drops or refuses spans",
                "Jaeger cannot store what it receives ({{ $value | humanize }} spans/s).",
                "Check the storage backend (Elasticsearch health, disk watermarks) and Jaeger's log."),
        ],
    };
}

function graylog(ns: string): RuleGroup {
    return {
        name: "platform.graylog",
        rules: [
            rule("GraylogJournalBacklog", "warning",
                `max by (pod) (gl_journal_entries_uncommitted{namespace="${ns}"}) > 10000`, "15m",
                "Graylog {{ $labels.pod }} journal holds {{ $value }} unprocessed messages",
                "Graylog receives faster than it indexes; messages arrive late in searches.",
                "Check the Data Node's health and disk; scale graylog.replicas or processing buffers."),
            rule("GraylogJournalBacklogCritical", "critical",
                `max by (pod) (gl_journal_entries_uncommitted{namespace="${ns}"}) > 100000`, "15m",
                "Graylog {{ $labels.pod }} journal backlog is critical",
                "{{ $value }} messages wait; when the journal's size limit is hit, the oldest are dropped.",
                "Restore indexing (Data Node health) before the journal overflows."),
        ],
    };
}

const certificates: RuleGroup = {
    name: "platform.certificates",
    rules: [
        rule("CertificateExpiresSoon", "warning",
            "certmanager_certificate_expiration_timestamp_seconds - time() < 14 * 24 * 3600", "1h",
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days",
            "cert-manager normally renews 30 days ahead; a certificate this close to expiry is not renewing.",
            "kubectl describe certificate -n {{ $labels.namespace }} {{ $labels.name }} and its CertificateRequest/Order."),
        rule("CertificateNotReady", "critical",
            "max by (namespace, name) (certmanager_certificate_ready_status{condition=\"False\"}) == 1", "30m",
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
            "The certificate could not be issued or renewed; the UI or webhook using it will fail TLS.",
            "kubectl describe certificate -n {{ $labels.namespace }} {{ $labels.name }}; check the issuer and ACME challenges."),
    ],
};

/** The rule groups for the pillars a stack deploys. */
export function platformRuleGroups(scope: RuleScope): RuleGroup[] {
    const groups = [nodes, workloads];
    if (scope.logging) {
        groups.push(logging(scope.namespaces.logging));
    }
    if (scope.tracing) {
        groups.push(tracing(scope.namespaces.tracing));
    }
    if (scope.graylog) {
        groups.push(graylog(scope.namespaces.graylog));
    }
    if (scope.tls) {
        groups.push(certificates);
    }
    return groups;
}
