/**
 * Graylog chart 1.0.0 and mongodb-kubernetes 1.9.1 values, the MongoDB replica set and the
 * GELF input provisioning, as pure builders (keys read from both charts' values.yaml and
 * templates).
 */
import * as crypto from "crypto";
import { IMAGES } from "../shared/images";
import { AlertingSettings, GraylogSettings } from "../settings/profiles";
import { httpGet, liveness, LIVENESS_TIMING, ProbePlan, readiness, tcpSocket } from "../shared/probes";
import { parseQuantity } from "../shared/quantity";
import { RESTRICTED_CONTAINER, restrictedPod, RUNTIME_DEFAULT_SECCOMP } from "../shared/pod-security";
import { DRAIN_SAFE_PDB, EPHEMERAL_STORAGE, resourcesOf } from "../shared/workloads";
import { GELF_PORT, inputPlans } from "./setup";

export const GRAYLOG_RELEASE = "graylog";
/** graylog.service.name: `<fullname>-svc`. */
export const GRAYLOG_SERVICE = "graylog-svc";
export const GRAYLOG_SECRET = "graylog-secrets";
export const GRAYLOG_ROOT_SECRET = "graylog-root";
export const MONGODB_NAME = "graylog-mongodb";
export const MONGODB_PASSWORDS_SECRET = "graylog-mongodb-passwords";
/** The replica set's MongoDB server version (the Graylog chart's own default); the dump's image runs the same (shared/images.ts mongodbTools). */
export const MONGODB_VERSION = "7.0.25";
/**
 * The MongoDB user the metrics exporter reads as; its password is generated beside the other
 * users' (key `metrics` of MONGODB_PASSWORDS_SECRET), so it is kept as they are.
 */
export const MONGODB_METRICS_USER = "metrics";
/**
 * The MongoDB user the scheduled dump connects as (components/graylog/backup.ts), its password
 * key `backup` of MONGODB_PASSWORDS_SECRET and kept as the others are. Made in every stack, with
 * or without backups, so turning backups on or off never touches the replica set or its Secret.
 */
export const MONGODB_BACKUP_USER = "backup";
/**
 * The exporter's port. Not 9216, the port the MongoDB agent binds in the same pod when
 * `spec.prometheus` is set (mongodb-kubernetes 1.9.1, api/mongodb/v1/prometheus.go GetPort).
 */
export const MONGODB_EXPORTER_PORT = 9217;
/** Pod labels the chart puts on its StatefulSets' pods. */
export const GRAYLOG_POD_LABEL = { app: "graylog-app" };
/** The API and web UI port (graylog-svc's `app` port at chart 1.0.0), and the Prometheus exporter's, which the program binds. */
export const GRAYLOG_API_PORT = 9000;
export const GRAYLOG_METRICS_PORT = 9833;
export const DATANODE_POD_LABEL = { app: "graylog-datanode" };
/** The Data Node PDB's name: the program's, and the one graylog chart 1.0.0 gave its own. */
export const DATANODE_PDB = "graylog-datanode";

/**
 * Stacks deployed with more than one Data Node hold the chart's PDB in their state, as the
 * Chart's child `<chart>:<namespace>/graylog-datanode` (helm.v4.Chart names its children
 * `<resourcePrefix, by default the Chart's name>:<namespace>/<name>`). The program's PDB takes
 * that state over through this alias, so the first `up` after the change updates the object in
 * place instead of creating it (upsert) and then deleting it with the chart's old child.
 */
export const datanodePdbAlias = (chartName: string, namespace: string) => `${chartName}:${namespace}/${DATANODE_PDB}`;

/** Where Fluent Bit sends GELF over TCP: every Graylog node runs the global input. */
export function gelfEndpoint(namespace: string): { host: string; port: number } {
    return { host: `${GRAYLOG_SERVICE}.${namespace}.svc`, port: GELF_PORT };
}

/** Half the memory limit as a JVM heap, in whole mebibytes. */
function heapOf(limit: string): string {
    return `${Math.floor(parseQuantity(limit) / 2 ** 20 / 2)}m`;
}

/** The MongoDB connection string Graylog and its Data Node use (operator's `<name>-svc` headless Service). */
export function mongodbUri(namespace: string, password: string): string {
    const host = `${MONGODB_NAME}-svc.${namespace}.svc.cluster.local:27017`;
    return `mongodb://graylog:${encodeURIComponent(password)}@${host}/graylog?replicaSet=${MONGODB_NAME}&authSource=graylog`;
}

/** `repository:tag` of a pinned image, as the chart's `image` value. */
function imageValue(image: string): { repository: string; tag: string } {
    const at = image.lastIndexOf(":");
    return { repository: image.slice(0, at), tag: image.slice(at + 1) };
}

/**
 * Replicas of one StatefulSet apart: on different nodes, and in prod across zones too. The chart
 * has `affinity` but no topologySpreadConstraints (templates/workload/statefulsets/*.yaml).
 * Different nodes are required in prod, where losing one node must leave a quorum, and preferred
 * elsewhere, so a small staging cluster still schedules every replica.
 */
export function spreadAffinity(labels: Record<string, string>, zoneAware: boolean): Record<string, unknown> {
    const term = (topologyKey: string) => ({ labelSelector: { matchLabels: labels }, topologyKey });
    return {
        podAntiAffinity: zoneAware
            ? {
                requiredDuringSchedulingIgnoredDuringExecution: [term("kubernetes.io/hostname")],
                preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term("topology.kubernetes.io/zone") }],
            }
            : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term("kubernetes.io/hostname") }] },
    };
}

export interface GraylogValuesOptions {
    /** Spread replicas across zones and require distinct nodes (prod). */
    readonly zoneAware?: boolean;
    /** The stack's alerting: an email receiver turns on Graylog's SMTP transport. */
    readonly alerting?: AlertingSettings;
}

/** The stack's first email receiver, whose credential is the SMTP password (as in Alertmanager). */
export function smtpReceiver(alerting?: AlertingSettings): string | undefined {
    return alerting?.smtp ? alerting.receivers.find((r) => r.type === "email")?.name : undefined;
}

/** Graylog's SMTP transport from `alerting.smtp`; the password goes to the Secret, never here. */
function emailValues(alerting: AlertingSettings | undefined, externalUrl?: string): Record<string, string> {
    const smtp = alerting?.smtp;
    if (!smtp || !smtpReceiver(alerting)) {
        return { enabled: "false" };
    }
    const [hostname, port] = smtp.smarthost.split(":");
    return {
        enabled: "true",
        senderAddress: smtp.from,
        hostname,
        port,
        useAuth: String(smtp.username !== undefined),
        // As Alertmanager: require_tls is STARTTLS; 465 speaks TLS from the first byte.
        useTls: String(smtp.requireTls && port !== "465"),
        useSsl: String(port === "465"),
        ...(externalUrl ? { webInterfaceUrl: externalUrl } : {}),
    };
}

/** Index replicas for Graylog's index sets: one where a second Data Node can hold it. */
export function indexReplicas(g: GraylogSettings): number {
    return g.dataNodeReplicas > 1 ? 1 : 0;
}

/**
 * What each StatefulSet's `checksum/*` annotations hash: the values its own ConfigMap is rendered
 * from (templates/config/graylog.yaml from `graylog.config`, templates/config/datanode.yaml from
 * `datanode.config`), so a Graylog setting rolls the Graylog pods and leaves the Data Nodes, whose
 * OpenSearch restarts cost shard recoveries, alone. Changes to a pod template roll it anyway.
 */
export function graylogChecksums(values: Record<string, any>): { graylog: string; datanode: string } {
    const hash = (value: unknown) => crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");
    return { graylog: hash([values.graylog.config, values.graylog.service]), datanode: hash(values.datanode.config) };
}

export function graylogValues(g: GraylogSettings, storageClassName?: string, externalUrl?: string, options: GraylogValuesOptions = {}): Record<string, unknown> {
    const zoneAware = options.zoneAware ?? false;
    const smtpUser = smtpReceiver(options.alerting) ? options.alerting?.smtp?.username : undefined;
    // The chart renders Graylog's PDB (graylog-pdb) only above 2 replicas; below that the
    // program adds its own (graylogPdbs), so Graylog's pods have exactly one. The Data Node's
    // PDB is always the program's: the chart's (templates/policy/pdb/datanode.yaml, rendered when
    // `lt 1 datanode.replicas`) has the same name, graylog-datanode, so handing it over at the
    // threshold made two Pulumi resources own one object (AlreadyExists, or the upserted
    // object deleted by the other's delete). The chart's stays off at every replica count.
    const chartPdb = (replicas: number, threshold: number) =>
        replicas > threshold ? { enabled: true, minAvailable: replicas - 1 } : { enabled: false };
    return {
        fullnameOverride: GRAYLOG_RELEASE,
        // Every Secret comes from the program: with this set the chart generates no password
        // (its own path uses randAlphaNum) and reads GRAYLOG_* keys from this Secret.
        global: { existingSecretName: GRAYLOG_SECRET, storageClass: storageClassName ?? "" },
        // Pinned to one patch release (the chart would run the floating 7.0 tag).
        graylog: {
            enterprise: false,
            image: imageValue(IMAGES.graylog),
            replicas: g.replicas,
            affinity: spreadAffinity(GRAYLOG_POD_LABEL, zoneAware),
            inputs: inputPlans(g).map((i) => ({ name: i.portName, port: i.port, targetPort: i.port, protocol: "TCP" })),
            service: { metrics: { enabled: true } },
            // Graylog binds its Prometheus exporter to localhost unless told otherwise.
            // The browser calls the API at http_external_uri. The chart's own value
            // (config.network.externalUri) takes a bare host and renders http://<host>:9000/,
            // wrong behind an HTTPS ingress; an explicit env entry wins over its ConfigMap.
            env: {
                GRAYLOG_PROMETHEUS_EXPORTER_BIND_ADDRESS: `0.0.0.0:${GRAYLOG_METRICS_PORT}`,
                ...(externalUrl ? { GRAYLOG_HTTP_EXTERNAL_URI: `${externalUrl}/` } : {}),
                ...(smtpUser ? { GRAYLOG_TRANSPORT_EMAIL_AUTH_USERNAME: smtpUser } : {}),
                // Index replicas of the index set template Graylog makes on its first start
                // (graylog2-server 7.0.12 IndexSetDefaultTemplateConfigFactory reads
                // `elasticsearch_replicas`, default 0 in misc/graylog.conf): with one copy of
                // each shard, losing a Data Node's volume loses its indices. One replica as soon
                // as there is a second Data Node to hold it.
                GRAYLOG_ELASTICSEARCH_REPLICAS: String(indexReplicas(g)),
            },
            config: {
                rootUsername: "admin",
                // selfsigned_startup: the server creates its CA and provisions the Data Nodes by
                // itself, so the first start needs no preflight in the browser and the setup Job
                // reaches the API unattended (the chart's default, pinned here on purpose).
                selfSignedStartup: "true",
                serverJavaOpts: `-Xms${heapOf(g.resources.limits.memory)} -Xmx${heapOf(g.resources.limits.memory)}`,
                // The GeoIP CronJob's first run is a Helm hook, which v4 Chart never runs.
                geolocation: { enabled: false },
                plugins: { enabled: false },
                email: emailValues(options.alerting, externalUrl),
            },
            resources: resourcesOf(g.resources),
            persistence: { enabled: true, size: g.storageSize },
            podDisruptionBudget: chartPdb(g.replicas, 2),
        },
        datanode: {
            image: imageValue(IMAGES.graylogDatanode),
            replicas: g.dataNodeReplicas,
            affinity: spreadAffinity(DATANODE_POD_LABEL, zoneAware),
            config: {
                opensearchHeap: heapOf(g.dataNodeResources.limits.memory),
                javaOpts: "-Xms512m -Xmx512m",
            },
            resources: resourcesOf(g.dataNodeResources),
            persistence: { enabled: true, data: { enabled: true, size: g.storageSize } },
            podDisruptionBudget: { enabled: false },
            // The chart's TCP check on 8999 for both probes (graylogProbePlan); liveness restarts
            // only after 2 minutes without the API listener, never while OpenSearch catches up.
            livenessProbe: { enabled: true, initialDelaySeconds: 30, ...LIVENESS_TIMING },
        },
        // MongoDB is the program's own MongoDBCommunity; its pods use the operator's
        // mongodb-kubernetes-appdb ServiceAccount, so the chart's would be unused.
        mongodb: { communityResource: { enabled: false }, serviceAccount: { create: false } },
        ingress: { enabled: false },
    };
}

/**
 * The PDBs the program declares: Graylog's when the chart renders none (2 replicas or fewer),
 * the Data Node's at every replica count (see graylogValues), and MongoDB's (its operator makes none).
 */
export function graylogPdbs(namespace: string, g: GraylogSettings): Record<string, any>[] {
    const pdb = (name: string, labels: Record<string, string>) => ({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace },
        spec: { ...DRAIN_SAFE_PDB, selector: { matchLabels: labels } },
    });
    return [
        ...(g.replicas > 2 ? [] : [pdb("graylog", GRAYLOG_POD_LABEL)]),
        pdb(DATANODE_PDB, DATANODE_POD_LABEL),
        pdb(MONGODB_NAME, { app: `${MONGODB_NAME}-svc` }),
    ];
}

export const MONGODB_OPERATOR_RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

/**
 * Watch scope (chart 1.9.1): `operator.watchNamespace` stays unset, so WATCH_NAMESPACE is the
 * operator's own namespace (templates/operator.yaml fieldRef) and its RBAC is a namespaced Role
 * (operator-roles-base.yaml picks a ClusterRole only for a list or `*`). ClusterMongoDBRole
 * support is off: it is cluster-wide (a ClusterRole and `-watch-resource=clustermongodbroles`)
 * and Graylog's replica set uses none.
 */
export function mongodbOperatorValues(): Record<string, unknown> {
    return {
        operator: {
            replicas: 1,
            watchedResources: ["mongodbcommunity"],
            enableClusterMongoDBRoles: false,
            resources: MONGODB_OPERATOR_RESOURCES,
            // The operator otherwise reports usage to MongoDB (MDB_OPERATOR_TELEMETRY_ENABLED).
            telemetry: { enabled: false },
        },
    };
}

/**
 * Percona's mongodb_exporter beside each member, reading its own mongod over loopback.
 *
 * Why not the MongoDBCommunity's own endpoint (`spec.prometheus`, served by the MongoDB agent on
 * 9216 with basic auth): the agent is closed source, and the only list of what it serves at
 * 1.9.1 (docs/mongodbcommunity/grafana/sample_dashboard.json) is serverStatus counters
 * (`mongodb_connections_available`, `mongodb_opLatencies_*`): no member state, no optimes, so
 * neither "no primary" nor replication lag could be computed from names anyone can check.
 * mongodb_exporter's replicasetstatus collector (v0.53.0 exporter/replset_status_collector.go,
 * metrics.go) flattens replSetGetStatus into `mongodb_myState` and, per member (labels
 * `member_idx` = host:port, `member_state` = stateStr), `mongodb_members_state`,
 * `mongodb_members_health` and `mongodb_members_optimeDate` (milliseconds); the general
 * collector adds `mongodb_up`. A sidecar rather than one Deployment: a direct connection to
 * each member still answers while the set has no primary, when a replica-set connection would
 * find no server to run replSetGetStatus on, and every member reports its own view.
 */
export const MONGODB_EXPORTER_CONTAINER = {
    name: "mongodb-exporter",
    image: IMAGES.mongodbExporter,
    args: [
        "--mongodb.uri=mongodb://127.0.0.1:27017/admin",
        "--mongodb.direct-connect",
        "--collector.replicasetstatus",
        `--web.listen-address=:${MONGODB_EXPORTER_PORT}`,
    ],
    env: [
        { name: "MONGODB_USER", value: MONGODB_METRICS_USER },
        { name: "MONGODB_PASSWORD", valueFrom: { secretKeyRef: { name: MONGODB_PASSWORDS_SECRET, key: MONGODB_METRICS_USER } } },
    ],
    ports: [{ name: "metrics", containerPort: MONGODB_EXPORTER_PORT }],
    // Every container's readiness counts toward the MongoDB member's, so neither probe may touch
    // mongod: v0.53.0 exporter/server.go serves `/` as a static page (metrics are `/metrics`).
    readinessProbe: readiness(httpGet("/", MONGODB_EXPORTER_PORT)),
    livenessProbe: liveness(tcpSocket(MONGODB_EXPORTER_PORT)),
    // The operator's StatefulSet override is not a workload the declarer sees (shared/manifest.ts).
    resources: { requests: { cpu: "10m", memory: "32Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "200m", memory: "128Mi" } },
    // percona/mongodb_exporter runs as the pod's user (below) and writes no file.
    securityContext: RESTRICTED_CONTAINER,
};

/**
 * What the MongoDB operator 1.9.1 builds for the members' pods (mongodb-community-operator
 * controllers/construct/mongodbstatefulset.go, the lab's stand-in scripts/lab/mongodb.ts): uid and
 * fsGroup 2000, RuntimeDefault seccomp, and every container without privilege or capability on a
 * read-only root filesystem (its emptyDirs take what they write). Written out here too, so the
 * render shows it and it holds whatever the operator's defaults become; the operator merges the
 * template into its own. The token stays: the agent's readiness probe patches its own pod's
 * annotations through the API (the operator's mongodb-kubernetes-appdb Role).
 */
const MONGODB_UID = 2000;

export function mongodbManifest(namespace: string, g: GraylogSettings, version: string, storageClassName?: string, zoneAware = false): Record<string, any> {
    const claim = (name: string, size: string) => ({
        metadata: { name },
        spec: {
            accessModes: ["ReadWriteOnce"],
            ...(storageClassName ? { storageClassName } : {}),
            resources: { requests: { storage: size } },
        },
    });
    return {
        apiVersion: "mongodbcommunity.mongodb.com/v1",
        kind: "MongoDBCommunity",
        metadata: { name: MONGODB_NAME, namespace },
        spec: {
            // Data-bearing members only: an arbiter would let a majority acknowledge writes
            // that a single further failure loses.
            members: g.mongodbMembers,
            type: "ReplicaSet",
            version,
            security: { authentication: { modes: ["SCRAM"], ignoreUnknownUsers: true } },
            users: [
                {
                    name: "admin", db: "admin",
                    passwordSecretRef: { name: MONGODB_PASSWORDS_SECRET, key: "admin" },
                    roles: [{ name: "clusterAdmin", db: "admin" }, { name: "userAdminAnyDatabase", db: "admin" }],
                    scramCredentialsSecretName: `${MONGODB_NAME}-admin`,
                },
                {
                    name: "graylog", db: "graylog",
                    passwordSecretRef: { name: MONGODB_PASSWORDS_SECRET, key: "graylog" },
                    roles: [{ name: "readWrite", db: "graylog" }, { name: "dbAdmin", db: "graylog" }],
                    scramCredentialsSecretName: `${MONGODB_NAME}-graylog`,
                },
                // What mongodb_exporter asks for (v0.53.0 main.go, --mongodb.user): replSetGetStatus
                // needs clusterMonitor; nothing else is granted.
                {
                    name: MONGODB_METRICS_USER, db: "admin",
                    passwordSecretRef: { name: MONGODB_PASSWORDS_SECRET, key: MONGODB_METRICS_USER },
                    roles: [{ name: "clusterMonitor", db: "admin" }, { name: "read", db: "local" }],
                    scramCredentialsSecretName: `${MONGODB_NAME}-${MONGODB_METRICS_USER}`,
                },
                // MongoDB's built-in `backup` role: what mongodump needs to read every collection
                // (find on all databases, listCollections, listIndexes), and no write.
                {
                    name: MONGODB_BACKUP_USER, db: "admin",
                    passwordSecretRef: { name: MONGODB_PASSWORDS_SECRET, key: MONGODB_BACKUP_USER },
                    roles: [{ name: "backup", db: "admin" }],
                    scramCredentialsSecretName: `${MONGODB_NAME}-${MONGODB_BACKUP_USER}`,
                },
            ],
            statefulSet: {
                spec: {
                    template: {
                        spec: {
                            serviceAccountName: "mongodb-kubernetes-appdb",
                            securityContext: restrictedPod(MONGODB_UID, MONGODB_UID),
                            // The operator merges this pod spec into the StatefulSet it builds.
                            affinity: spreadAffinity({ app: `${MONGODB_NAME}-svc` }, zoneAware),
                            containers: [
                                { name: "mongod", securityContext: RESTRICTED_CONTAINER, resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
                                { name: "mongodb-agent", securityContext: RESTRICTED_CONTAINER, resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } } },
                                MONGODB_EXPORTER_CONTAINER,
                            ],
                        },
                    },
                    volumeClaimTemplates: [claim("data-volume", g.mongodbStorageSize), claim("logs-volume", "2Gi")],
                },
            },
        },
    };
}

export const EXTERNAL_INPUTS_SERVICE = "graylog-inputs";

/**
 * For the Syslog and Beats inputs (off by default): a LoadBalancer Service that carries only
 * their ports to senders outside the cluster, and a NetworkPolicy that admits only
 * `inputs.sourceRanges` to those ports. The Service keeps the client's address
 * (externalTrafficPolicy Local), without which the policy would see node addresses instead.
 * Everything else that reaches Graylog is admitted by the platform's own paths (components/wiring.ts
 * `ingressPaths`), which NetworkPolicies add to this one.
 */
export function externalInputManifests(namespace: string, g: GraylogSettings, networkPolicies: boolean): Record<string, any>[] {
    const external = inputPlans(g).filter((i) => i.port !== GELF_PORT);
    if (external.length === 0) {
        return [];
    }
    const ports = external.map((i) => ({ name: i.portName, port: i.port, targetPort: i.port, protocol: "TCP" }));
    const labels = { "app.kubernetes.io/part-of": "observability-platform" };
    return [
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: EXTERNAL_INPUTS_SERVICE, namespace, labels },
            spec: {
                type: "LoadBalancer",
                externalTrafficPolicy: "Local",
                loadBalancerSourceRanges: [...g.inputs.sourceRanges],
                selector: GRAYLOG_POD_LABEL,
                ports,
            },
        },
        ...(networkPolicies
            ? [{
                apiVersion: "networking.k8s.io/v1",
                kind: "NetworkPolicy",
                metadata: { name: "graylog-external-inputs", namespace, labels },
                spec: {
                    podSelector: { matchLabels: GRAYLOG_POD_LABEL },
                    policyTypes: ["Ingress"],
                    ingress: [{
                        from: g.inputs.sourceRanges.map((cidr) => ({ ipBlock: { cidr } })),
                        ports: external.map((i) => ({ protocol: "TCP", port: i.port })),
                    }],
                },
            }]
            : []),
    ];
}

/**
 * Scrapes every member's exporter. The operator owns the members' Service and adds only its
 * agent's port to it, so this is a PodMonitor on the pods' `app` label; the Prometheus Operator
 * v0.93 names its job `<namespace>/<name>` (pkg/prometheus/promcfg.go). The platform's Prometheus
 * selects PodMonitors in every namespace (podMonitorSelectorNilUsesHelmValues: false).
 */
export function mongodbPodMonitor(namespace: string): Record<string, any> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: MONGODB_NAME, namespace },
        spec: {
            selector: { matchLabels: { app: `${MONGODB_NAME}-svc` } },
            podMetricsEndpoints: [{ port: "metrics", interval: "30s" }],
        },
    };
}

export function graylogServiceMonitor(namespace: string): Record<string, any> {
    return {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: GRAYLOG_RELEASE, namespace },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": "graylog", "app.kubernetes.io/instance": GRAYLOG_RELEASE } },
            endpoints: [{ port: "metrics", path: "/api/metrics/prometheus", interval: "30s" }],
        },
    };
}

/**
 * Probes for the Graylog server, whose chart 1.0.0 fixes both to a TCP connect on 9000
 * (templates/workload/statefulsets/graylog.yaml). graylog2-server 7.0.12
 * LoadBalancerStatusResource: `/api/system/lbstatus` is unauthenticated and answers 200 ALIVE,
 * 429 THROTTLED (a full journal) or 503 DEAD (starting, stopping, or set so by hand), which is
 * what a load balancer, and so readiness, should follow. Liveness stays the TCP connect, after the
 * chart's 60 s start allowance. The Data Node keeps the chart's TCP check on 8999 for both: its
 * REST API (data-node rest/StatusController) answers only authenticated callers, and a probe on
 * OpenSearch's 9200 would hold the ordered StatefulSet's later members back from the cluster
 * the first one waits for.
 */
export function graylogProbePlan(): ProbePlan {
    return {
        [`StatefulSet/${GRAYLOG_RELEASE}`]: {
            "graylog-app": { readinessProbe: readiness(httpGet("/api/system/lbstatus", 9000), 30), livenessProbe: liveness(tcpSocket(9000), 60) },
        },
    };
}

/** For the chart's init containers, which it renders without resources (`copy-data`, `copy-plugin-*`). */
export const INIT_RESOURCES = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

type TransformArgs = { type: string; props: Record<string, any>; opts: Record<string, any> };

/**
 * The Graylog server's pods (`copy-data` and `graylog-app`), as Pod Security `restricted` wants
 * them. graylog/graylog's Dockerfile (graylog-docker docker/oss/Dockerfile) makes the user
 * `graylog` uid 1100, as the chart's pod securityContext does. Its root filesystem stays
 * writable: the entrypoint (docker-entrypoint.sh at graylog-docker main) rewrites
 * `/usr/share/graylog/plugins-merged` and the PID file in /tmp on every start, and the mirror
 * holds no 7.0 branch to show what 7.0.12 writes besides. Neither Graylog nor its Data Node
 * calls the Kubernetes API (the chart grants its ServiceAccount no Role by default).
 */
export const GRAYLOG_POD_SECURITY = {
    pod: restrictedPod(1100, 1100),
    container: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
} as const;

/**
 * The Data Node, the one pod that cannot be `restricted`, hence its namespace's `baseline`: its
 * image has no USER, and its entrypoint (graylog-docker docker/datanode/entrypoint.sh) runs as
 * root to `install -d -o graylog` and `chown -R` the data directory (0700, owned by graylog:
 * root needs DAC_OVERRIDE to enter it, CHOWN and FOWNER to hand it over), then drops to the
 * graylog user with `setpriv --reuid --regid --init-groups` (SETUID, SETGID). Those five
 * capabilities come back, nothing else; no privilege escalation once it runs as graylog. Its
 * root filesystem stays writable (the same entrypoint, and no 7.0 source to read).
 */
export const DATANODE_POD_SECURITY = {
    pod: { seccompProfile: RUNTIME_DEFAULT_SECCOMP },
    container: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"] } },
} as const;

/**
 * Mends what Graylog chart 1.0.0 renders, in four places the chart has no value for:
 * - its StatefulSets' `checksum/*` annotations hash a `lookup` that falls back to randAlphaNum
 *   when empty, as it always is when Pulumi renders, so every preview would roll the pods; they
 *   get a checksum of what the program feeds them instead;
 * - its init containers (`copy-data`, which copies the data directory, and `copy-plugin-*`)
 *   have no resources value, so they get small requests and limits;
 * - its pods have no securityContext worth the name (the server's pod sets only uid 1100) and
 *   mount a token they never use; they get GRAYLOG_POD_SECURITY and DATANODE_POD_SECURITY;
 * - its PDBs carry only `minAvailable`; they become `maxUnavailable: 1` with
 *   `unhealthyPodEvictionPolicy: AlwaysAllow`, so a stuck pod never blocks a drain.
 */
/**
 * The address each Graylog node publishes to the others (and through which the API proxies a
 * call to another node, as the setup Job's check that every input runs on every node does).
 * The chart 1.0.0 sets `$(POD_NAME).graylog-svc.<ns>.svc.cluster.local` (templates/_helpers.tpl,
 * graylog.publishUri), but graylog-svc is a ClusterIP Service (templates/service/graylog.yaml),
 * and cluster DNS answers a pod's `<hostname>.<subdomain>` name only when that subdomain is a
 * headless Service (Kubernetes "DNS for Services and Pods"). So with more than one node no node
 * could reach another. The pod's IP needs no DNS; serviceName cannot change without replacing
 * the StatefulSet. Scheme and port stay the chart's. An IPv6 pod IP would need brackets, which an
 * env reference cannot add: IPv6-only clusters are not supported here.
 */
export function publishByPodIp(env: Array<Record<string, any>>): Array<Record<string, any>> {
    const at = env.findIndex((e) => e.name === "GRAYLOG_HTTP_PUBLISH_URI");
    if (at === -1) {
        return env;
    }
    const m = /^(https?):\/\/\$\(POD_NAME\)\.[^:/]+:(\d+)\/$/.exec(env[at].value ?? "");
    if (!m) {
        throw new Error(`the graylog chart's GRAYLOG_HTTP_PUBLISH_URI is ${JSON.stringify(env[at].value)}, not the $(POD_NAME) form publishByPodIp rewrites: check the chart pin (components/shared/charts.ts)`);
    }
    const podIp = { name: "GRAYLOG_POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } };
    // Kubernetes expands $(VAR) only from variables defined earlier in the list.
    return [...env.slice(0, at), podIp, { name: "GRAYLOG_HTTP_PUBLISH_URI", value: `${m[1]}://$(GRAYLOG_POD_IP):${m[2]}/` }, ...env.slice(at + 1)];
}

export function graylogChartTransform(checksums: { graylog: string; datanode: string }) {
    return (args: TransformArgs) => {
        if (args.type === "kubernetes:policy/v1:PodDisruptionBudget") {
            const props = structuredClone(args.props);
            props.spec = { ...DRAIN_SAFE_PDB, selector: props.spec?.selector };
            return { props, opts: args.opts };
        }
        if (args.type !== "kubernetes:apps/v1:StatefulSet" || !args.props?.spec?.template) {
            return undefined;
        }
        const props = structuredClone(args.props);
        const template = props.spec.template;
        const checksum = template.metadata?.labels?.app === DATANODE_POD_LABEL.app ? checksums.datanode : checksums.graylog;
        template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, "checksum/config": checksum, "checksum/secret": checksum } };
        const inits: Record<string, any>[] = template.spec.initContainers ?? [];
        // The Data Node's OpenSearch needs vm.max_map_count >= 262144, which the node-tuning
        // DaemonSet sets on every node (components/shared/node-tuning.ts).
        template.spec.initContainers = inits.map((c) => (c.resources?.requests ? c : { ...c, resources: INIT_RESOURCES }));
        const security = template.metadata.labels?.app === DATANODE_POD_LABEL.app ? DATANODE_POD_SECURITY : GRAYLOG_POD_SECURITY;
        template.spec.securityContext = security.pod;
        template.spec.automountServiceAccountToken = false;
        for (const c of [...template.spec.initContainers, ...(template.spec.containers ?? [])]) {
            c.securityContext = security.container;
        }
        for (const c of template.spec.containers ?? []) {
            if (c.env) {
                c.env = publishByPodIp(c.env);
            }
        }
        if (template.spec.initContainers.length === 0) {
            delete template.spec.initContainers;
        }
        // A storage change would replace both StatefulSets (pulumi-kubernetes diff.go: immutable
        // `.spec.volumeClaimTemplates`): an outage, and a failed up where they are protected.
        // Settings refuse it until the volumes were grown by hand (README "Resize Graylog or Data
        // Node volumes"), which also says how the templates catch up (orphan delete, up --refresh).
        const ignoreChanges = [...(args.opts.ignoreChanges ?? []), "spec.volumeClaimTemplates"];
        return { props, opts: { ...args.opts, ignoreChanges } };
    };
}
