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
    readonly namespaces: { readonly logging: string; readonly tracing: string; readonly graylog: string; readonly nodeAgents: string };
    /** Elasticsearch snapshots through SLM (components/logs/backup.ts), when on. */
    readonly backup?: { readonly intervalHours: number; readonly repository: string; readonly policy: string };
    /** Graylog's scheduled MongoDB dump (components/graylog/backup.ts), when on: its CronJob in the Graylog namespace. */
    readonly graylogDump?: { readonly cronJob: string; readonly intervalHours: number };
}

function rule(alert: string, severity: Severity, expr: string, forDuration: string, summary: string, description: string, runbook: string): AlertRule {
    return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description, runbook } };
}

/**
 * Scrape jobs the rules scope to, so an alert names the component that breaks. The agent is
 * scraped through its ServiceMonitor, whose job is the Service's name (components/traces:
 * otelAgentMonitoring); Jaeger through its pod annotations (the jaeger chart annotates its pod
 * `prometheus.io/scrape`), i.e. the `annotated-pods` job, whose labelmap copies the pod label
 * `app.kubernetes.io/name=jaeger`. A test checks both against the manifests.
 */
export const SCRAPE = {
    otelAgentJob: "otel-agent-metrics",
    annotatedPodsJob: "annotated-pods",
    jaegerPodName: "jaeger",
    mongodbPodMonitor: "graylog-mongodb",
    graylogDataNodeStatefulSet: "graylog-datanode",
} as const;

/** The README section the drain alerts link to. */
export const NODE_MAINTENANCE_RUNBOOK = "README.md#node-maintenance";

// Node rules read node-exporter v1.12.1 (chart prometheus-node-exporter 4.56.1) and
// kube-state-metrics v2.20.0 (chart 8.4.0). Each replaces a chart default rule that watched
// the same condition (values.ts, REPLACED_DEFAULT_RULES), so one condition fires once.
// node-exporter's series carry `node`, the node's name, from its ServiceMonitor's relabeling
// (values.ts); the rules aggregate by it, so an alert names what kubectl takes, and the old and
// the new pod of a node-exporter rollout count as one node.
const onNode = (node: string) =>
    `kubectl describe node ${node}; kubectl get pods -A -o wide --field-selector spec.nodeName=${node}`;

const nodes: RuleGroup = {
    name: "platform.nodes",
    rules: [
        rule("NodeMemoryHigh", "warning",
            "max by (node) (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes) > 0.90", "5m",
            "Node {{ $labels.node }} memory is above 90% used",
            "{{ $value | humanizePercentage }} of memory has been in use for 5 minutes; the kubelet evicts pods when it runs out.",
            `${onNode("{{ $labels.node }}")}; kubectl top pods -A --sort-by=memory shows the largest pods: check their limits, and add capacity if the node is simply full.`),
        rule("NodeCPUHigh", "warning",
            "1 - avg by (node) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) > 0.90", "5m",
            "Node {{ $labels.node }} CPU is above 90% busy",
            "CPU has been {{ $value | humanizePercentage }} busy for 5 minutes; latency-sensitive pods are being throttled.",
            `${onNode("{{ $labels.node }}")}; compare the pods' CPU limits with kubectl top pods -A --sort-by=cpu, spread noisy workloads or add nodes.`),
        rule("NodeFilesystemAlmostOutOfSpace", "warning",
            "min by (node, mountpoint, device, fstype) (node_filesystem_avail_bytes{fstype!~\"tmpfs|overlay|squashfs\",mountpoint=~\"/|/var|/var/lib/.*\"} / node_filesystem_size_bytes) < 0.10", "10m",
            "Node {{ $labels.node }} filesystem {{ $labels.mountpoint }} is over 90% full",
            "Only {{ $value | humanizePercentage }} is free; at the kubelet's eviction threshold images are removed and pods evicted.",
            `${onNode("{{ $labels.node }}")}; on the node look for large container logs and images (crictl rmi --prune), and for emptyDir volumes growing without bound.`),
        rule("KubeNodePressure", "critical",
            "kube_node_status_condition{condition=~\"MemoryPressure|DiskPressure|PIDPressure\",status=\"true\"} == 1", "5m",
            "Node {{ $labels.node }} reports {{ $labels.condition }}",
            "The kubelet reports {{ $labels.condition }}; it is evicting pods and refusing new ones.",
            `${onNode("{{ $labels.node }}")}; free the resource or drain the node (see ${NODE_MAINTENANCE_RUNBOOK}).`),
    ],
};

// ECK names an Elasticsearch cluster's PDB `<cluster>-es-default` (one per role group with an
// enterprise license: `<cluster>-es-default-<role>`; ECK 3.5.0 pkg/controller/elasticsearch/pdb).
// Every other PDB in the platform is named after its workload.
const PDB_BLOCKING = [
    "label_replace(label_replace(",
    "max by (namespace, poddisruptionbudget) (kube_poddisruptionbudget_status_pod_disruptions_allowed) == 0,",
    "\"workload\", \"$1\", \"poddisruptionbudget\", \"(.+)\"),",
    "\"workload\", \"Elasticsearch/$1\", \"poddisruptionbudget\", \"(.+)-es-default(-.+)?\")",
    "and on (namespace, poddisruptionbudget) max by (namespace, poddisruptionbudget) (kube_poddisruptionbudget_status_expected_pods) > 0",
].join(" ");

// A crash loop restarts often at first, then every 5 minutes once the kubelet's back-off is at
// its cap: the second clause keeps the alert firing (same labels) while that goes on.
const CRASH_LOOPING = [
    "max by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[10m]) > 5)",
    "or max by (namespace, pod, container) (",
    "max_over_time(kube_pod_container_status_waiting_reason{reason=\"CrashLoopBackOff\"}[10m]) == 1",
    "and on (namespace, pod, container) increase(kube_pod_container_status_restarts_total[1h]) > 5)",
].join(" ");

const workloads: RuleGroup = {
    name: "platform.workloads",
    rules: [
        rule("PodCrashLooping", "critical", CRASH_LOOPING, "1m",
            "Pod {{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is crash-looping",
            "The container restarted more than 5 times in 10 minutes.",
            "kubectl logs --previous -n {{ $labels.namespace }} {{ $labels.pod }} -c {{ $labels.container }}"),
        rule("PlatformDaemonSetNotOnEveryNode", "critical",
            "kube_daemonset_status_desired_number_scheduled - kube_daemonset_status_number_available > 0", "15m",
            "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} is missing on {{ $value }} node(s)",
            "A node without its agent is a blind spot: no metrics, logs or traces leave it.",
            "kubectl get pods -n {{ $labels.namespace }} -o wide | grep -v Running; check taints the agent does not tolerate, node affinity and resource quotas."),
        rule("KubeDaemonSetMisScheduled", "warning",
            "kube_daemonset_status_number_misscheduled > 0", "15m",
            "DaemonSet {{ $labels.namespace }}/{{ $labels.daemonset }} runs on nodes it should not",
            "{{ $value }} pods run where the DaemonSet's node affinity no longer allows them.",
            "Compare the DaemonSet's affinity with the node labels; delete the stray pods."),
        rule("KubePersistentVolumeFillingUp", "warning",
            "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.15 and predict_linear(kubelet_volume_stats_available_bytes[6h], 24 * 3600) < 0", "30m",
            "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} fills up within a day",
            "{{ $value | humanizePercentage }} of the volume is free, and the last six hours' trend reaches zero within 24 hours.",
            "Shorten retention or expand the PVC (allowVolumeExpansion on its StorageClass)."),
        rule("KubePersistentVolumeFillingUp", "critical",
            "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.05", "5m",
            "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 95% full",
            "Only {{ $value | humanizePercentage }} of the volume is free; writes fail soon.",
            "Expand the PVC now, then fix retention."),
        rule("PodDisruptionBudgetBlockingDrain", "warning", PDB_BLOCKING, "15m",
            "PDB {{ $labels.namespace }}/{{ $labels.poddisruptionbudget }} (workload {{ $labels.workload }}) allows no disruption",
            "For 15 minutes no pod of {{ $labels.workload }} could be evicted: kubectl drain on any of its nodes waits until this changes."
                + "{{ if match \"^Elasticsearch/\" $labels.workload }} ECK allows no Elasticsearch disruption while the cluster is not green, on purpose:"
                + " an evicted node could hold the only copy of a shard. Restore green health and the drain proceeds; do not delete the PDB.{{ end }}",
            `kubectl get pdb -n {{ $labels.namespace }} {{ $labels.poddisruptionbudget }} -o wide; kubectl get pods -n {{ $labels.namespace }} | grep -v Running; see ${NODE_MAINTENANCE_RUNBOOK}.`),
    ],
};

// Fluent Bit 4.2.2 (cr.fluentbit.io/fluent/fluent-bit:4.2.2), /api/v2/metrics/prometheus; its
// outputs are named by their Alias (components/logs/fluent-bit-config.ts). Elasticsearch
// metrics come from elasticsearch-exporter v1.9.0.
// Fluent Bit runs in the node agents' namespace (`agents`), Elasticsearch in the logging one (`ns`).
function logging(ns: string, agents: string): RuleGroup {
    return {
        name: "platform.logging",
        rules: [
            rule("FluentBitOutputErrors", "warning",
                `sum by (namespace, pod, name) (rate(fluentbit_output_errors_total{namespace="${agents}"}[5m])) > 0`, "10m",
                "Fluent Bit {{ $labels.pod }} output {{ $labels.name }} is failing",
                "The output reports {{ $value | humanize }} errors/s; chunks wait in the filesystem buffer until the cap is reached.",
                "kubectl logs -n {{ $labels.namespace }} {{ $labels.pod }}; check the destination (Elasticsearch health, Graylog input) and credentials."),
            // Outputs retry without limit (Retry_Limit no_limits), so records are lost only when an
            // output's buffer reaches storage.total_limit_size and Fluent Bit drops its oldest
            // chunks (dropped_records_total, flb_input_chunk.c); retries_failed_total covers a
            // retry limit, should one be set.
            rule("FluentBitDroppingLogs", "critical",
                `sum by (namespace, pod, name) (rate(fluentbit_output_dropped_records_total{namespace="${agents}"}[5m]) + rate(fluentbit_output_retries_failed_total{namespace="${agents}"}[5m])) > 0`, "5m",
                "Fluent Bit {{ $labels.pod }} is dropping logs for output {{ $labels.name }}",
                "{{ $value | humanize }} records/s are discarded: the output's buffer is full or its retries are exhausted. These logs are lost.",
                "Restore the destination; if it is healthy, look for mapping errors in Fluent Bit's log."),
            // chunk_available_capacity_percent is 100 * (1 - buffered bytes / storage.total_limit_size)
            // per output (flb_engine.c calculate_chunk_capacity_percent): the cap the config sets.
            rule("FluentBitBufferNearlyFull", "warning",
                `min by (namespace, pod, name) (fluentbit_output_chunk_available_capacity_percent{namespace="${agents}"}) < 20`, "5m",
                "Fluent Bit {{ $labels.pod }} buffer for output {{ $labels.name }} is over 80% full",
                "Only {{ $value | humanize }}% of the output's filesystem buffer (logging.fluentBit.bufferLimit) is left; when it is used up the oldest chunks are dropped.",
                "Restore the output's destination (Elasticsearch health, Graylog input); the buffer only bridges outages up to its cap."),
            rule("ElasticsearchClusterRed", "critical",
                `max by (namespace, cluster) (elasticsearch_cluster_health_status{color="red",namespace="${ns}"}) == 1`, "5m",
                "Elasticsearch cluster {{ $labels.cluster }} health is RED",
                "At least one primary shard is unassigned: some logs cannot be written or searched.",
                "GET _cluster/allocation/explain; look for full disks and lost nodes."),
            rule("ElasticsearchClusterYellow", "warning",
                `max by (namespace, cluster) (elasticsearch_cluster_health_status{color="yellow",namespace="${ns}"}) == 1`, "30m",
                "Elasticsearch cluster {{ $labels.cluster }} health is YELLOW",
                "Replica shards are unassigned: one more lost node loses data. Until it is green, ECK's PDB lets no Elasticsearch pod be evicted, so node drains wait.",
                `GET _cluster/allocation/explain; usually a node is down or the disk watermark was crossed. See ${NODE_MAINTENANCE_RUNBOOK}.`),
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

// OpenTelemetry Collector 0.148.0 (agent) and Jaeger 2.19 (collector core 0.153): the
// service's own Prometheus reader sets neither without_type_suffix nor without_units, so
// otelconf v0.3.0 exports with suffixes: counters end in `_total`. An exporter's
// enqueue_failed counter exists only after the first failure, hence `or`, not `+`.
// The agents run in the node agents' namespace (`agents`), Jaeger in the tracing one (`ns`).
function tracing(ns: string, agents: string): RuleGroup {
    const agent = `namespace="${agents}",job="${SCRAPE.otelAgentJob}"`;
    const jaeger = `namespace="${ns}",job="${SCRAPE.annotatedPodsJob}",app_kubernetes_io_name="${SCRAPE.jaegerPodName}"`;
    return {
        name: "platform.tracing",
        rules: [
            rule("OtelAgentRefusingSpans", "warning",
                `sum by (namespace, pod) (rate(otelcol_receiver_refused_spans_total{${agent}}[5m])) > 0`, "10m",
                "OpenTelemetry agent {{ $labels.pod }} refuses spans",
                "The memory limiter is pushing back ({{ $value | humanize }} spans/s refused); applications drop spans or block.",
                "Raise tracing.agent.resources.limits.memory or lower sampling; check the Jaeger collector is keeping up."),
            rule("OtelAgentDroppingSpans", "critical",
                `sum by (namespace, pod) (rate(otelcol_exporter_send_failed_spans_total{${agent}}[5m])) > 0 or sum by (namespace, pod) (rate(otelcol_exporter_enqueue_failed_spans_total{${agent}}[5m])) > 0`, "10m",
                "OpenTelemetry agent {{ $labels.pod }} drops spans",
                "Spans fail to reach the Jaeger collector ({{ $value | humanize }}/s): traces are incomplete.",
                "Check the Jaeger collector pods and the agent's exporter errors in its log."),
            rule("JaegerDroppingSpans", "critical",
                `sum by (namespace, pod) (rate(otelcol_exporter_send_failed_spans_total{${jaeger}}[5m])) > 0 or sum by (namespace, pod) (rate(otelcol_receiver_refused_spans_total{${jaeger}}[5m])) > 0`, "10m",
                "Jaeger {{ $labels.pod }} drops or refuses spans",
                "Jaeger cannot store what it receives ({{ $value | humanize }} spans/s).",
                "Check the storage backend (Elasticsearch health, disk watermarks) and Jaeger's log."),
        ],
    };
}

// Graylog 7.0.12's Prometheus exporter (prometheus-exporter.yml maps
// org.graylog2.journal.entries-uncommitted to gl_journal_entries_uncommitted).
//
// MongoDB: mongodb_exporter v0.53.0 beside each member (components/graylog, where the choice over
// the operator's own endpoint is explained), scraped through a PodMonitor, so job is
// `<namespace>/<PodMonitor>`. Every member reports replSetGetStatus as it sees it: the rules take
// the worst view for a member's state and the freshest for optimes.
//
// The Data Node exposes no Prometheus endpoint at 7.0.12: its metrics go into its own OpenSearch
// (data-node periodicals/MetricsCollector.java indexes them into the metrics stream), and its
// REST API on 8999 needs Graylog's certificates and token. Its health is therefore its
// StatefulSet's readiness (the chart's readiness probe: TCP 8999, the Data Node's API, which
// answers once the node is up), from kube-state-metrics v2.20.0 (internal/store/statefulset.go).
function graylog(ns: string): RuleGroup {
    const mongo = `namespace="${ns}",job="${ns}/${SCRAPE.mongodbPodMonitor}"`;
    const dataNode = `namespace="${ns}",statefulset="${SCRAPE.graylogDataNodeStatefulSet}"`;
    const memberPod = "{{ reReplaceAll \"[.:].*\" \"\" $labels.member_idx }}";
    return {
        name: "platform.graylog",
        rules: [
            rule("GraylogJournalBacklog", "warning",
                `max by (namespace, pod) (gl_journal_entries_uncommitted{namespace="${ns}"}) > 10000`, "15m",
                "Graylog {{ $labels.pod }} journal holds {{ $value }} unprocessed messages",
                "Graylog receives faster than it indexes; messages arrive late in searches.",
                "Check the Data Node's health and disk; scale graylog.replicas or processing buffers."),
            rule("GraylogJournalBacklogCritical", "critical",
                `max by (namespace, pod) (gl_journal_entries_uncommitted{namespace="${ns}"}) > 100000`, "15m",
                "Graylog {{ $labels.pod }} journal backlog is critical",
                "{{ $value }} messages wait; when the journal's size limit is hit, the oldest are dropped.",
                "Restore indexing (Data Node health) before the journal overflows."),
            rule("GraylogDataNodeNotReady", "warning",
                `max by (namespace, statefulset) (kube_statefulset_replicas{${dataNode}}) - max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{${dataNode}}) > 0`, "15m",
                "{{ $value }} Graylog Data Node(s) in {{ $labels.namespace }} not ready",
                "For 15 minutes part of the Data Node StatefulSet has not been ready: its shards' replicas are unassigned, and one more lost node can lose messages.",
                "kubectl get pods -n {{ $labels.namespace }} -l app=graylog-datanode -o wide; kubectl describe pod and kubectl logs the one not ready (disk, heap, vm.max_map_count, certificates)."),
            rule("GraylogDataNodeNotReady", "critical",
                `max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{${dataNode}}) == 0 and on (namespace, statefulset) max by (namespace, statefulset) (kube_statefulset_replicas{${dataNode}}) > 0`, "10m",
                "No Graylog Data Node in {{ $labels.namespace }} is ready",
                "Graylog cannot index or search: messages pile up in its journal (GraylogJournalBacklog) until the journal's limit drops the oldest.",
                "kubectl get pods -n {{ $labels.namespace }} -l app=graylog-datanode -o wide; kubectl logs -n {{ $labels.namespace }} graylog-datanode-0; check the Data Nodes' volumes and the Graylog server's log for the Data Node's certificates."),
            // No member reports itself PRIMARY; or the exporters answer but no mongod does; or no
            // exporter reports at all (every member's pod gone).
            rule("MongoDBNoPrimary", "critical",
                `max by (namespace) (mongodb_myState{${mongo}} == bool 1) == 0 or max by (namespace) (mongodb_up{${mongo}}) == 0 or max by (namespace) (absent(mongodb_up{${mongo}}))`, "5m",
                "Graylog's MongoDB replica set in {{ $labels.namespace }} has no primary",
                "For 5 minutes no member has been PRIMARY (or none answers): Graylog cannot save configuration, users or sessions, and its nodes fail their MongoDB checks.",
                "kubectl get mdbc,pods -n {{ $labels.namespace }} -l app=graylog-mongodb-svc -o wide; kubectl logs -n {{ $labels.namespace }} graylog-mongodb-0 -c mongod; a majority of members must be up to elect a primary."),
            rule("MongoDBReplicationLag", "warning",
                `(max by (namespace) (mongodb_members_optimeDate{${mongo},member_state="PRIMARY"}) - on (namespace) group_right () max by (namespace, member_idx) (mongodb_members_optimeDate{${mongo},member_state="SECONDARY"})) / 1000 > 60`, "10m",
                `MongoDB member ${memberPod} lags the primary by {{ $value | humanizeDuration }}`,
                "For 10 minutes the secondary has been more than a minute behind the primary: a failover to it loses the writes it has not applied, and if it falls out of the oplog window it needs a full resync.",
                `kubectl logs -n {{ $labels.namespace }} ${memberPod} -c mongod; check the member's disk and CPU (its node's NodeCPUHigh, volume alerts), and the network between members.`),
            rule("MongoDBMemberDown", "warning",
                `count by (namespace, member_idx) (mongodb_members_state{${mongo},member_state!~"PRIMARY|SECONDARY|ARBITER"}) > 0`, "10m",
                `MongoDB member ${memberPod} is down or not serving`,
                "For 10 minutes {{ $value }} member(s) of the replica set have seen it unreachable, recovering or starting up: one more lost member and the set has no majority, hence no primary.",
                `kubectl get pod -n {{ $labels.namespace }} ${memberPod} -o wide; kubectl describe pod -n {{ $labels.namespace }} ${memberPod}; kubectl logs -n {{ $labels.namespace }} ${memberPod} -c mongod.`),
        ],
    };
}

// cert-manager v1.19.1 is scraped through its pod annotations (components/tls), a job without
// honor_labels: the certificate's own `namespace` label arrives as `exported_namespace`
// (the target's namespace wins), so the rules move it back. The expiry gauge is 0 until a
// certificate is first issued; that case is CertificateNotReady's.
const certNamespace = (selector: string) =>
    `label_replace(${selector}, "namespace", "$1", "exported_namespace", "(.+)")`;

const certificates: RuleGroup = {
    name: "platform.certificates",
    rules: [
        rule("CertificateExpiresSoon", "warning",
            `max by (namespace, name) (${certNamespace("certmanager_certificate_expiration_timestamp_seconds > 0")}) - time() < 14 * 24 * 3600`, "1h",
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 14 days",
            "cert-manager normally renews 30 days ahead; a certificate this close to expiry is not renewing.",
            "kubectl describe certificate -n {{ $labels.namespace }} {{ $labels.name }} and its CertificateRequest/Order."),
        rule("CertificateNotReady", "critical",
            `max by (namespace, name) (${certNamespace("certmanager_certificate_ready_status{condition=\"False\"}")}) == 1`, "30m",
            "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
            "The certificate could not be issued or renewed; the UI or webhook using it will fail TLS.",
            "kubectl describe certificate -n {{ $labels.namespace }} {{ $labels.name }}; check the issuer and ACME challenges."),
    ],
};

// Snapshots: elasticsearch-exporter v1.9.0 with --collector.snapshots and --collector.slm
// (components/logs/es-exporter.ts). collector/snapshots.go reports per repository
// `latest_snapshot_timestamp_seconds`, the start time of the newest SUCCESS or PARTIAL snapshot,
// 0 while there is none, and `number_of_snapshots`; collector/slm.go reports per policy counters
// and the SLM operation mode (one series per mode, 1 for the current one).
function backup(ns: string, b: NonNullable<RuleScope["backup"]>): RuleGroup {
    const repo = `namespace="${ns}",repository="${b.repository}"`;
    const policy = `namespace="${ns}",policy="${b.policy}"`;
    const hours = (n: number) => n * b.intervalHours;
    // Older than `n` intervals, on a repository the exporter has reported for at least that long:
    // a repository registered an hour ago has no snapshot yet and is not stale.
    const stale = (n: number) => [
        `time() - max by (namespace, repository) (elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds{${repo}}) > ${hours(n) * 3600}`,
        `and on (namespace, repository) max by (namespace, repository) (present_over_time(elasticsearch_snapshot_stats_number_of_snapshots{${repo}}[${hours(n)}h] offset ${hours(n)}h))`,
    ].join(" ");
    const runbook = `GET _slm/policy/${b.policy} (last_failure), GET _snapshot/${b.repository}/_all?size=1&order=desc&sort=start_time, POST _snapshot/${b.repository}/_verify; see README.md#backup-and-restore.`;
    return {
        name: "platform.backup",
        rules: [
            rule("ElasticsearchSnapshotStale", "warning", stale(2), "15m",
                `No successful Elasticsearch snapshot in {{ $labels.repository }} for ${hours(2)} hours`,
                `SLM should snapshot every ${b.intervalHours} hours; the newest successful snapshot is {{ $value | humanizeDuration }} old (never, if the repository has none). Logs written since are not backed up.`,
                runbook),
            rule("ElasticsearchSnapshotStale", "critical", stale(4), "15m",
                `No successful Elasticsearch snapshot in {{ $labels.repository }} for ${hours(4)} hours`,
                `Four snapshot intervals have passed without a successful snapshot ({{ $value | humanizeDuration }}): a lost volume or deleted index now loses that much.`,
                runbook),
            rule("ElasticsearchSLMSnapshotFailed", "warning",
                `sum by (namespace, policy) (increase(elasticsearch_slm_stats_snapshots_failed_total{${policy}}[${hours(2)}h])) > 0`, "5m",
                "SLM policy {{ $labels.policy }} failed to take a snapshot",
                `{{ $value | humanize }} snapshot(s) of the policy failed in the last ${hours(2)} hours: the object store refused a write, its credentials expired, or a shard was unavailable.`,
                runbook),
            rule("ElasticsearchSLMNotRunning", "warning",
                `max by (namespace) (elasticsearch_slm_stats_operation_mode{namespace="${ns}",operation_mode="RUNNING"}) == 0`, "30m",
                "Snapshot lifecycle management in {{ $labels.namespace }} is not running",
                "SLM is STOPPING or STOPPED: no policy takes or expires snapshots until it is started again.",
                "GET _slm/status; POST _slm/start once the reason it was stopped (an upgrade, by hand) is over."),
        ],
    };
}

// The MongoDB dump: kube-state-metrics v2.20.0 series of its CronJob (internal/store/cronjob.go,
// labels namespace and cronjob) and of the Jobs it creates (internal/store/job.go, labels
// namespace and job_name; `kube_job_owner` names the CronJob in owner_kind/owner_name).
// `kube_job_status_failed` is the Job's failed pods (per failure reason once the Job has failed);
// a Job that failed before the CronJob's last success is history, not a current failure (the
// failed Jobs stay listed until failedJobsHistoryLimit prunes them).
function graylogDump(ns: string, d: NonNullable<RuleScope["graylogDump"]>): RuleGroup {
    const cronJob = `namespace="${ns}",cronjob="${d.cronJob}"`;
    const hours = (n: number) => n * d.intervalHours;
    // The last success, or the CronJob's creation while it has none: a CronJob made an hour ago is
    // not stale, one that never succeeded in two intervals is.
    const stale = (n: number) =>
        `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{${cronJob}} or kube_cronjob_created{${cronJob}}) > ${hours(n) * 3600}`;
    const failed = [
        `max by (namespace, owner_name) (`,
        `(max by (namespace, job_name) (kube_job_status_failed{namespace="${ns}"}) > 0)`,
        `* on (namespace, job_name) group_left (owner_name) kube_job_owner{namespace="${ns}",owner_kind="CronJob",owner_name="${d.cronJob}"}`,
        `unless on (namespace, job_name) (kube_job_created{namespace="${ns}"} <= on (namespace) group_left () max by (namespace) (kube_cronjob_status_last_successful_time{${cronJob}}))`,
        `)`,
    ].join(" ");
    const runbook = `kubectl -n ${ns} get cronjob,jobs -l app.kubernetes.io/name=${d.cronJob}; kubectl -n ${ns} logs job/<job> -c mongodump (then -c upload); see README.md#backup-and-restore.`;
    return {
        name: "platform.graylog-backup",
        rules: [
            rule("GraylogMongoDBDumpFailed", "warning", failed, "5m",
                `Graylog's MongoDB dump in {{ $labels.namespace }} failed`,
                `A Job of CronJob {{ $labels.owner_name }} has failed pods since the last successful dump: MongoDB refused the backup user or was unreachable, or the object store refused the upload or its credentials.`,
                runbook),
            rule("GraylogMongoDBDumpStale", "warning", stale(2), "15m",
                `No successful dump of Graylog's MongoDB in {{ $labels.namespace }} for ${hours(2)} hours`,
                `CronJob {{ $labels.cronjob }} should dump every ${d.intervalHours} hours; its last success is {{ $value | humanizeDuration }} ago (or it never succeeded since it was made). Graylog configuration changed since is not backed up.`,
                runbook),
            rule("GraylogMongoDBDumpStale", "critical", stale(4), "15m",
                `No successful dump of Graylog's MongoDB in {{ $labels.namespace }} for ${hours(4)} hours`,
                `Four dump intervals have passed without a successful dump ({{ $value | humanizeDuration }}): a lost MongoDB now loses that much of Graylog's configuration.`,
                runbook),
        ],
    };
}

/** The rule groups for the pillars a stack deploys. */
export function platformRuleGroups(scope: RuleScope): RuleGroup[] {
    const groups = [nodes, workloads];
    if (scope.logging) {
        groups.push(logging(scope.namespaces.logging, scope.namespaces.nodeAgents));
    }
    if (scope.logging && scope.backup) {
        groups.push(backup(scope.namespaces.logging, scope.backup));
    }
    if (scope.tracing) {
        groups.push(tracing(scope.namespaces.tracing, scope.namespaces.nodeAgents));
    }
    if (scope.graylog) {
        groups.push(graylog(scope.namespaces.graylog));
    }
    if (scope.graylog && scope.graylogDump) {
        groups.push(graylogDump(scope.namespaces.graylog, scope.graylogDump));
    }
    if (scope.tls) {
        groups.push(certificates);
    }
    return groups;
}
