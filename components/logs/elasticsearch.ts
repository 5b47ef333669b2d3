/**
 * The EFK store as plain manifests: the ECK `Elasticsearch` and `Kibana` resources, the
 * platform's Elasticsearch roles and users, and the idempotent setup Job that installs the
 * ILM policy, the index template and Kibana's data view. Pure functions, so tests read exactly
 * what deploys.
 */
import type { IlmPutLifecycleRequest, IndicesPutIndexTemplateRequest } from "@elastic/elasticsearch/lib/api/types";
import { LoggingSettings } from "../settings/profiles";
import { SLM_POLICY, SNAPSHOT_REPOSITORY } from "./backup";
import { toMebibytes } from "../shared/quantity";
import { RESTRICTED_CONTAINER, restrictedPod } from "../shared/pod-security";
import { resourcesOf, setupJob, spreadAcrossNodes } from "../shared/workloads";

export const ES_NAME = "logs";
export const KIBANA_NAME = "logs";
/** Labels ECK 3.5.0 puts on Kibana pods (pkg/controller/kibana/label/label.go NewLabels). */
export const KIBANA_POD_LABELS = { "kibana.k8s.elastic.co/name": KIBANA_NAME };
export const LOG_DATA_STREAM = "kubernetes-logs-fluentbit";
export const LOG_INDEX_PATTERN = "kubernetes-logs-*";
export const ILM_POLICY = "kubernetes-logs";
/** Jaeger's indices (components/traces, index_prefix `jaeger`), which its role and the snapshots cover. */
export const JAEGER_INDEX_PATTERN = "jaeger-*";

/**
 * A data stream Fluent Bit writes, with the index template that makes it one (and gives it the
 * ILM policy) and the Kibana data view that reads it. Each has its own index pattern, so each
 * data view shows one kind of log.
 */
export interface LogStream {
    /** The index template's name. */
    readonly template: string;
    readonly indexPattern: string;
    readonly dataStream: string;
    readonly dataView: { readonly id: string; readonly name: string };
    /** Mappings beyond the shared ones (`@timestamp`, strings as keywords). */
    readonly properties: Readonly<Record<string, unknown>>;
}

export const CONTAINER_LOGS: LogStream = {
    template: "kubernetes-logs",
    indexPattern: LOG_INDEX_PATTERN,
    dataStream: LOG_DATA_STREAM,
    dataView: { id: "kubernetes-logs", name: "Kubernetes logs" },
    properties: {
        log: { type: "text" },
        message: { type: "text" },
        trace_id: { type: "keyword" },
        kubernetes: {
            properties: {
                namespace_name: { type: "keyword" },
                pod_name: { type: "keyword" },
                container_name: { type: "keyword" },
                host: { type: "keyword" },
            },
        },
    },
};

/** Journal fields as the systemd input names them with Lowercase and Strip_Underscores on. */
export const NODE_LOGS: LogStream = {
    template: "node-logs",
    indexPattern: "node-logs-*",
    dataStream: "node-logs-fluentbit",
    dataView: { id: "node-logs", name: "Node logs" },
    properties: {
        message: { type: "text" },
        node_name: { type: "keyword" },
        hostname: { type: "keyword" },
        systemd_unit: { type: "keyword" },
        syslog_identifier: { type: "keyword" },
        transport: { type: "keyword" },
        priority: { type: "keyword" },
    },
};

/** The streams a stack writes: container logs always, node logs with `logging.nodeLogs`. */
export function logStreams(nodeLogs: boolean): LogStream[] {
    return nodeLogs ? [CONTAINER_LOGS, NODE_LOGS] : [CONTAINER_LOGS];
}

/**
 * The Elasticsearch and Kibana images run as uid 1000 (ECK 3.5.0 pkg/controller/kibana
 * securitycontext.go defaultFSUser; Elasticsearch's image user is numeric 1000 since 8.8,
 * securitycontext.go RunAsNonRootMinStackVersion). ECK's own defaults (fsGroup 1000 and
 * RuntimeDefault seccomp on the pod; no privilege, no capability, a read-only root filesystem
 * on every container, its init containers included) apply only where a template sets no
 * securityContext (defaults/pod_template.go WithPodSecurityContext, WithContainersSecurityContext),
 * so the program writes them out: the render shows them, and `runAsNonRoot`, which ECK's Kibana
 * default lacks and Pod Security `restricted` requires, is there too. ECK still defaults its own
 * init containers (`elastic-internal-*`), which the template does not name. ECK makes the root
 * filesystem read-only only with the data volume mounted (podspec.go), as it is here, and mounts
 * emptyDirs where Elasticsearch and Kibana write.
 */
const ELASTIC_UID = 1000;

/** Services and Secrets ECK derives from the resource names. */
export const ECK = {
    httpService: `${ES_NAME}-es-http`,
    elasticUserSecret: `${ES_NAME}-es-elastic-user`,
    /** Public half of the HTTP certificate chain (ca.crt, tls.crt), safe to mount anywhere. */
    httpPublicCertsSecret: `${ES_NAME}-es-http-certs-public`,
    kibanaService: `${KIBANA_NAME}-kb-http`,
    kibanaPublicCertsSecret: `${KIBANA_NAME}-kb-http-certs-public`,
} as const;

/** Elasticsearch users the platform creates, each with the least privilege its consumer needs. */
export const ES_USERS = {
    fluentBit: { username: "fluent-bit", role: "platform_log_writer" },
    grafana: { username: "grafana", role: "platform_log_reader" },
    jaeger: { username: "jaeger", role: "platform_jaeger" },
    exporter: { username: "exporter", role: "platform_monitor" },
} as const;

export type EsUser = keyof typeof ES_USERS;

/** roles.yml for the file-realm users above; Fluent Bit may write to the streams it feeds. */
export function esRoles(streams: readonly LogStream[]): Record<string, unknown> {
    return {
        platform_log_writer: {
            cluster: ["monitor"],
            indices: [{ names: streams.map((s) => s.indexPattern), privileges: ["create_doc", "auto_configure"] }],
        },
        platform_log_reader: {
            cluster: ["monitor"],
            indices: [{ names: [LOG_INDEX_PATTERN, JAEGER_INDEX_PATTERN], privileges: ["read", "view_index_metadata"] }],
        },
        platform_jaeger: {
            cluster: ["monitor", "manage_index_templates", "manage_ilm"],
            indices: [{ names: [JAEGER_INDEX_PATTERN], privileges: ["all"] }],
        },
        // The exporter's snapshot and SLM collectors (es-exporter.ts): `monitor_snapshot` lists
        // repositories and snapshots; `read_slm` reads `_slm/status`, and `_slm/stats` is granted
        // by its action name, which no read-only named privilege includes (Elasticsearch
        // ClusterPrivilegeResolver: READ_SLM_PATTERN holds the get-policy and status actions only,
        // MANAGE_SLM_PATTERN `cluster:admin/slm/*`, which would let the exporter change policies).
        platform_monitor: {
            cluster: ["monitor", "monitor_snapshot", "read_slm", "cluster:admin/slm/stats"],
            indices: [{ names: ["*"], privileges: ["monitor"] }],
        },
    };
}

export function userSecretName(user: EsUser): string {
    return `es-user-${ES_USERS[user].username}`;
}

export interface ElasticsearchInput {
    readonly namespace: string;
    readonly logging: LoggingSettings;
    readonly storageClassName?: string;
    readonly protectData: boolean;
    /** Prefer spreading nodes over zones (prod); a preference, never a requirement. */
    readonly zoneAware: boolean;
    /** Secret with the HTTP certificate issued by the platform CA. */
    readonly httpCertificateSecret: string;
    readonly rolesSecret: string;
    /**
     * Snapshots on: the Secret whose keys ECK copies into the keystore, the repository client's
     * elasticsearch.yml settings, and a keyed digest of the credentials on the pod template, so a
     * new credential is a change of this resource that the await follows until every node
     * restarted with it (ECK would roll them for the Secret alone, unseen by `pulumi up`).
     */
    readonly backup?: { readonly secureSettingsSecret: string; readonly clientConfig: Readonly<Record<string, string | boolean>>; readonly credentialsDigest: unknown };
}

/** The pod-template annotation that carries the keyed digest of the repository credentials. */
export const BACKUP_CREDENTIALS_ANNOTATION = "observability-platform/backup-credentials";

/**
 * A zone spread that never blocks scheduling, over the pods of the nodeSet (ECK labels them with
 * the cluster and StatefulSet names, label/labels.go in ECK v3.5.0).
 */
export function esZonePreference(nodeSetName = "default"): Record<string, unknown> {
    return {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": ES_NAME, "elasticsearch.k8s.elastic.co/statefulset-name": `${ES_NAME}-es-${nodeSetName}` } },
    };
}

export function elasticsearchManifest(input: ElasticsearchInput): Record<string, any> {
    const es = input.logging.elasticsearch;
    const heapMb = toMebibytes(es.heap);
    return {
        apiVersion: "elasticsearch.k8s.elastic.co/v1",
        kind: "Elasticsearch",
        metadata: { name: ES_NAME, namespace: input.namespace },
        spec: {
            version: es.version,
            http: { tls: { certificate: { secretName: input.httpCertificateSecret } } },
            auth: {
                roles: [{ secretName: input.rolesSecret }],
                fileRealm: (Object.keys(ES_USERS) as EsUser[]).map((u) => ({ secretName: userSecretName(u) })),
            },
            // ECK's default PDB (one node at a time when green) stays; the program adds none.
            // Deleting the resource keeps the volumes in protected stacks.
            volumeClaimDeletePolicy: input.protectData ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion",
            ...(input.backup ? { secureSettings: [{ secretName: input.backup.secureSettingsSecret }] } : {}),
            nodeSets: [{
                // A new name is how storage moves to another class or a smaller size: ECK builds
                // the new nodeSet, migrates the shards off the old one and deletes it (README
                // "Move or shrink Elasticsearch volumes"); settings refuse those changes without it.
                name: es.nodeSetName,
                count: es.nodes,
                // ECK v3.5.0 (pkg/controller/elasticsearch/nodespec/podspec.go,
                // zoneAwarenessSchedulingDirectives) turns `zoneAwareness` into a DoNotSchedule
                // zone spread *and* a required node affinity `topology.kubernetes.io/zone Exists`
                // (its prepare-fs init script waits for the zone annotation copied from that node
                // label). On a cluster without zone labels (kubeadm, on-prem) the pods stay Pending
                // and the 30-minute await fails. So it is opt-in, behind a setting that says so.
                ...(es.zoneAwareness ? { zoneAwareness: {} } : {}),
                config: {
                    "node.roles": ["master", "data", "ingest"],
                    "cluster.routing.allocation.disk.watermark.low": "85%",
                    "cluster.routing.allocation.disk.watermark.high": "90%",
                    "cluster.routing.allocation.disk.watermark.flood_stage": "95%",
                    ...input.backup?.clientConfig,
                },
                podTemplate: {
                    metadata: {
                        labels: { "app.kubernetes.io/part-of": "observability-platform" },
                        ...(input.backup ? { annotations: { [BACKUP_CREDENTIALS_ANNOTATION]: input.backup.credentialsDigest } } : {}),
                    },
                    spec: {
                        securityContext: restrictedPod(ELASTIC_UID, ELASTIC_UID),
                        // Elasticsearch calls no Kubernetes API; ECK's readiness probe and pre-stop
                        // hook ask Elasticsearch itself.
                        automountServiceAccountToken: false,
                        // Without zoneAwareness, zones are what the README says: a preference.
                        // ECK keeps its default preferred anti-affinity on the hostname.
                        ...(input.zoneAware && !es.zoneAwareness ? { topologySpreadConstraints: [esZonePreference(es.nodeSetName)] } : {}),
                        // mmap needs vm.max_map_count >= 262144 on the node: the node-tuning DaemonSet
                        // in the node agents' namespace sets it (components/shared/node-tuning.ts),
                        // so no container here is privileged.
                        containers: [{
                            name: "elasticsearch",
                            securityContext: { ...RESTRICTED_CONTAINER, privileged: false },
                            resources: resourcesOf(es.resources),
                            env: [{ name: "ES_JAVA_OPTS", value: `-Xms${heapMb}m -Xmx${heapMb}m` }],
                        }],
                    },
                },
                volumeClaimTemplates: [{
                    metadata: { name: "elasticsearch-data" },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        ...(input.storageClassName ? { storageClassName: input.storageClassName } : {}),
                        resources: { requests: { storage: es.storageSize } },
                    },
                }],
            }],
        },
    };
}

/** Kibana; several replicas spread over nodes (and zones in prod) and get a PDB from the program. */
export function kibanaManifest(namespace: string, logging: LoggingSettings, zoneAware: boolean, publicBaseUrl?: string): Record<string, any> {
    return {
        apiVersion: "kibana.k8s.elastic.co/v1",
        kind: "Kibana",
        metadata: { name: KIBANA_NAME, namespace },
        spec: {
            version: logging.elasticsearch.version,
            count: logging.kibana.replicas,
            elasticsearchRef: { name: ES_NAME },
            // Links Kibana builds (share, alerts, reports) point at the ingress, not the pod.
            ...(publicBaseUrl ? { config: { "server.publicBaseUrl": publicBaseUrl } } : {}),
            podTemplate: {
                spec: {
                    securityContext: restrictedPod(ELASTIC_UID, ELASTIC_UID),
                    // Kibana reads Elasticsearch, not the Kubernetes API.
                    automountServiceAccountToken: false,
                    containers: [{ name: "kibana", securityContext: { ...RESTRICTED_CONTAINER, privileged: false }, resources: resourcesOf(logging.kibana.resources) }],
                    ...(logging.kibana.replicas > 1 ? { topologySpreadConstraints: spreadAcrossNodes(KIBANA_POD_LABELS, zoneAware) } : {}),
                },
            },
        },
    };
}

/** The body of `PUT _ilm/policy/<name>`. */
export type IlmPolicyBody = Required<Pick<IlmPutLifecycleRequest, "policy">>;
/** The body of `PUT _index_template/<name>`: the request without its path and query parameters. */
export type IndexTemplateBody = Omit<IndicesPutIndexTemplateRequest, "name" | "create" | "master_timeout" | "cause">;

/** ILM: roll over daily or at 30 GiB per primary shard, delete after the retention. */
export function ilmPolicy(retentionDays: number): IlmPolicyBody {
    return {
        policy: {
            phases: {
                hot: { min_age: "0ms", actions: { rollover: { max_age: "1d", max_primary_shard_size: "30gb" } } },
                delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
            },
        },
    };
}

export function indexTemplate(stream: LogStream, replicas: number): IndexTemplateBody {
    return {
        index_patterns: [stream.indexPattern],
        data_stream: {},
        priority: 500,
        template: {
            settings: {
                // Every stream rolls over and ages out by the same policy: one retention setting.
                "index.lifecycle.name": ILM_POLICY,
                "index.number_of_shards": 1,
                "index.number_of_replicas": replicas,
                "index.mapping.total_fields.limit": 5000,
            },
            mappings: {
                dynamic_templates: [{ strings_as_keywords: { match_mapping_type: "string", mapping: { type: "keyword", ignore_above: 1024 } } }],
                properties: { "@timestamp": { type: "date" }, ...stream.properties },
            },
        },
        _meta: { managed_by: "observability-platform" },
    };
}

/**
 * Kibana's `POST /api/data_views/data_view` body. A Kibana API: the Elasticsearch client has no
 * type for it, and Kibana publishes no TypeScript client, so this one stays plain data.
 */
export function dataView(stream: LogStream): Record<string, unknown> {
    return {
        override: true,
        data_view: { id: stream.dataView.id, title: stream.indexPattern, name: stream.dataView.name, timeFieldName: "@timestamp" },
    };
}

/** The setup ConfigMap's file names for a stream's template and data view. */
export const setupFiles = (stream: LogStream) => ({ template: `index-template-${stream.template}.json`, dataView: `data-view-${stream.dataView.id}.json` });

/**
 * The setup script: waits for Elasticsearch and Kibana, then PUTs the ILM policy and each
 * stream's index template and creates its data view with `override: true`. With snapshots on it
 * registers the repository, verifies it on every node (`_verify`: each node writes and reads a
 * test file with its own keystore) and PUTs the SLM policy; with them off it deletes the SLM
 * policy, should an earlier run have made one, and leaves the repository registered so existing
 * snapshots stay readable for a restore. Every call is idempotent, so the Job can run again after
 * any change (Pulumi replaces it when an input changes).
 */
export function setupScript(namespace: string, streams: readonly LogStream[], snapshots: boolean): string {
    const es = `https://${ECK.httpService}.${namespace}.svc:9200`;
    const kb = `https://${ECK.kibanaService}.${namespace}.svc:5601`;
    return [
        "#!/bin/sh",
        "set -eu",
        'auth="elastic:${ELASTIC_PASSWORD}"',
        `es="${es}"`,
        `kb="${kb}"`,
        "call() { ca=\"$1\"; shift; curl -sS --fail-with-body --retry 5 --retry-all-errors --cacert \"$ca\" -u \"$auth\" -H 'Content-Type: application/json' \"$@\"; echo; }",
        "until curl -sS --fail --cacert /tls/ca.crt -u \"$auth\" \"$es/_cluster/health?wait_for_status=yellow&timeout=30s\" >/dev/null; do echo 'waiting for Elasticsearch'; sleep 10; done",
        `call /tls/ca.crt -X PUT "$es/_ilm/policy/${ILM_POLICY}" -d @/setup/ilm-policy.json`,
        ...streams.flatMap((s) => [
            `call /tls/ca.crt -X PUT "$es/_index_template/${s.template}" -d @/setup/${setupFiles(s).template}`,
            // Fluent Bit starts only after this Job, so its first write creates the data stream from
            // the template. Verify it: the template must apply the ILM policy to the stream's name, and
            // no plain index may hold that name (one would take every write and never roll over).
            `call /tls/ca.crt -X POST "$es/_index_template/_simulate_index/${s.dataStream}" | grep -q '"${ILM_POLICY}"' || { echo 'the index template does not apply ILM policy ${ILM_POLICY} to ${s.dataStream}'; exit 1; }`,
            `if curl -sS --fail --cacert /tls/ca.crt -u "$auth" "$es/${s.dataStream}/_settings" >/dev/null 2>&1 && ! curl -sS --fail --cacert /tls/ca.crt -u "$auth" "$es/_data_stream/${s.dataStream}" >/dev/null 2>&1; then echo '${s.dataStream} is a plain index without retention: delete it (its logs) so the data stream can form'; exit 1; fi`,
        ]),
        ...(snapshots
            ? [
                `call /tls/ca.crt -X PUT "$es/_snapshot/${SNAPSHOT_REPOSITORY}" -d @/setup/snapshot-repository.json`,
                `call /tls/ca.crt -X POST "$es/_snapshot/${SNAPSHOT_REPOSITORY}/_verify"`,
                `call /tls/ca.crt -X PUT "$es/_slm/policy/${SLM_POLICY}" -d @/setup/slm-policy.json`,
            ]
            : [
                `code=$(curl -sS --retry 5 --retry-all-errors --cacert /tls/ca.crt -u "$auth" -o /dev/null -w '%{http_code}' -X DELETE "$es/_slm/policy/${SLM_POLICY}")`,
                `[ "$code" = 200 ] || [ "$code" = 404 ] || { echo "DELETE _slm/policy/${SLM_POLICY} answered $code"; exit 1; }`,
            ]),
        "until curl -sS --fail --cacert /kb-tls/ca.crt -u \"$auth\" \"$kb/api/status\" >/dev/null; do echo 'waiting for Kibana'; sleep 10; done",
        ...streams.map((s) => `call /kb-tls/ca.crt -X POST "$kb/api/data_views/data_view" -H 'kbn-xsrf: observability-platform' -d @/setup/${setupFiles(s).dataView}`),
        "echo 'setup complete'",
        "",
    ].join("\n");
}

export function setupJobManifest(namespace: string, configMap: string): Record<string, any> {
    return setupJob({
        name: "logging-setup",
        namespace,
        configMap,
        env: [{ name: "ELASTIC_PASSWORD", valueFrom: { secretKeyRef: { name: ECK.elasticUserSecret, key: "elastic" } } }],
        secrets: { tls: ["/tls", ECK.httpPublicCertsSecret], "kb-tls": ["/kb-tls", ECK.kibanaPublicCertsSecret] },
    });
}
