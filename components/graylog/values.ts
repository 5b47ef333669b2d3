/**
 * Graylog chart 1.0.0 and mongodb-kubernetes 1.9.1 values, the MongoDB replica set and the
 * GELF input provisioning, as pure builders (keys read from both charts' values.yaml and
 * templates).
 */
import { IMAGES } from "../shared/images";
import { GraylogSettings } from "../settings/profiles";
import { parseQuantity } from "../shared/quantity";
import { DRAIN_SAFE_PDB, resourcesOf, setupJob } from "../shared/workloads";

export const GRAYLOG_RELEASE = "graylog";
/** graylog.service.name: `<fullname>-svc`. */
export const GRAYLOG_SERVICE = "graylog-svc";
export const GRAYLOG_SECRET = "graylog-secrets";
export const GRAYLOG_ROOT_SECRET = "graylog-root";
export const MONGODB_NAME = "graylog-mongodb";
export const MONGODB_PASSWORDS_SECRET = "graylog-mongodb-passwords";
export const GELF_PORT = 12201;
export const GELF_INPUT_TITLE = "fluent-bit GELF TCP";
/** Pod labels the chart puts on its StatefulSets' pods. */
export const GRAYLOG_POD_LABEL = { app: "graylog-app" };
export const DATANODE_POD_LABEL = { app: "graylog-datanode" };

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

export function graylogValues(g: GraylogSettings, storageClassName?: string, externalUrl?: string): Record<string, unknown> {
    // The chart renders a PDB only above 2 Graylog / 1 Data Node replicas; below that the
    // program adds its own (graylogPdbs), so every StatefulSet has exactly one.
    const chartPdb = (replicas: number, threshold: number) =>
        replicas > threshold ? { enabled: true, minAvailable: replicas - 1 } : { enabled: false };
    return {
        fullnameOverride: GRAYLOG_RELEASE,
        // Every Secret comes from the program: with this set the chart generates no password
        // (its own path uses randAlphaNum) and reads GRAYLOG_* keys from this Secret.
        global: { existingSecretName: GRAYLOG_SECRET, storageClass: storageClassName ?? "" },
        graylog: {
            enterprise: false,
            replicas: g.replicas,
            inputs: [{ name: "input-gelf", port: GELF_PORT, targetPort: GELF_PORT, protocol: "TCP" }],
            service: { metrics: { enabled: true } },
            // Graylog binds its Prometheus exporter to localhost unless told otherwise.
            // The browser calls the API at http_external_uri. The chart's own value
            // (config.network.externalUri) takes a bare host and renders http://<host>:9000/,
            // wrong behind an HTTPS ingress; an explicit env entry wins over its ConfigMap.
            env: {
                GRAYLOG_PROMETHEUS_EXPORTER_BIND_ADDRESS: "0.0.0.0:9833",
                ...(externalUrl ? { GRAYLOG_HTTP_EXTERNAL_URI: `${externalUrl}/` } : {}),
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
            },
            resources: resourcesOf(g.resources),
            persistence: { enabled: true, size: g.storageSize },
            podDisruptionBudget: chartPdb(g.replicas, 2),
        },
        datanode: {
            replicas: g.dataNodeReplicas,
            config: {
                opensearchHeap: heapOf(g.dataNodeResources.limits.memory),
                javaOpts: "-Xms512m -Xmx512m",
            },
            resources: resourcesOf(g.dataNodeResources),
            persistence: { enabled: true, data: { enabled: true, size: g.storageSize } },
            podDisruptionBudget: chartPdb(g.dataNodeReplicas, 1),
        },
        // MongoDB is the program's own MongoDBCommunity; its pods use the operator's
        // mongodb-kubernetes-appdb ServiceAccount, so the chart's would be unused.
        mongodb: { communityResource: { enabled: false }, serviceAccount: { create: false } },
        ingress: { enabled: false },
    };
}

/** PDBs the chart does not render at these replica counts, plus MongoDB's (its operator makes none). */
export function graylogPdbs(namespace: string, g: GraylogSettings): Record<string, any>[] {
    const pdb = (name: string, labels: Record<string, string>) => ({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace },
        spec: { ...DRAIN_SAFE_PDB, selector: { matchLabels: labels } },
    });
    return [
        ...(g.replicas > 2 ? [] : [pdb("graylog", GRAYLOG_POD_LABEL)]),
        ...(g.dataNodeReplicas > 1 ? [] : [pdb("graylog-datanode", DATANODE_POD_LABEL)]),
        pdb(MONGODB_NAME, { app: `${MONGODB_NAME}-svc` }),
    ];
}

export const MONGODB_OPERATOR_RESOURCES = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

export function mongodbOperatorValues(): Record<string, unknown> {
    return {
        operator: {
            replicas: 1,
            watchedResources: ["mongodbcommunity"],
            resources: MONGODB_OPERATOR_RESOURCES,
            // The operator otherwise reports usage to MongoDB (MDB_OPERATOR_TELEMETRY_ENABLED).
            telemetry: { enabled: false },
        },
    };
}

export function mongodbManifest(namespace: string, g: GraylogSettings, version: string, storageClassName?: string): Record<string, any> {
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
            ],
            statefulSet: {
                spec: {
                    template: {
                        spec: {
                            serviceAccountName: "mongodb-kubernetes-appdb",
                            containers: [
                                { name: "mongod", resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } },
                                { name: "mongodb-agent", resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } } },
                            ],
                        },
                    },
                    volumeClaimTemplates: [claim("data-volume", g.mongodbStorageSize), claim("logs-volume", "2Gi")],
                },
            },
        },
    };
}

/**
 * A GELF TCP input for Fluent Bit, created through Graylog's API only when no input with that
 * title exists, so the Job can run any number of times.
 */
export function gelfSetupScript(namespace: string): string {
    const api = `http://${GRAYLOG_SERVICE}.${namespace}.svc:9000/api`;
    const input = JSON.stringify({
        title: GELF_INPUT_TITLE,
        type: "org.graylog2.inputs.gelf.tcp.GELFTCPInput",
        global: true,
        configuration: { bind_address: "0.0.0.0", port: GELF_PORT, recv_buffer_size: 1048576, decompress_size_limit: 8388608, max_message_size: 2097152, use_null_delimiter: true },
    });
    return [
        "#!/bin/sh",
        "set -eu",
        `api="${api}"`,
        'auth="${GRAYLOG_USER}:${GRAYLOG_PASSWORD}"',
        "until curl -sS --fail -u \"$auth\" \"$api/system/lbstatus\" >/dev/null; do echo 'waiting for Graylog'; sleep 10; done",
        `if curl -sS --fail -u "$auth" -H 'Accept: application/json' "$api/system/inputs" | grep -q '"title":"${GELF_INPUT_TITLE}"'; then`,
        "  echo 'GELF input already present'",
        "else",
        `  curl -sS --fail-with-body -u "$auth" -H 'Content-Type: application/json' -H 'X-Requested-By: observability-platform' -X POST "$api/system/inputs" -d '${input}'`,
        "  echo; echo 'GELF input created'",
        "fi",
        "",
    ].join("\n");
}

export function gelfSetupJob(namespace: string, configMap: string): Record<string, any> {
    return setupJob({
        name: "graylog-setup",
        namespace,
        configMap,
        env: [
            { name: "GRAYLOG_USER", valueFrom: { secretKeyRef: { name: GRAYLOG_ROOT_SECRET, key: "username" } } },
            { name: "GRAYLOG_PASSWORD", valueFrom: { secretKeyRef: { name: GRAYLOG_ROOT_SECRET, key: "password" } } },
        ],
    });
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

/** The Data Node's embedded OpenSearch refuses to start below vm.max_map_count 262144. */
const SYSCTL_INIT = {
    name: "sysctl",
    image: IMAGES.busybox,
    command: ["sh", "-c", "sysctl -w vm.max_map_count=262144"],
    securityContext: { privileged: true, runAsUser: 0 },
    resources: { requests: { cpu: "1m", memory: "4Mi" }, limits: { cpu: "50m", memory: "16Mi" } },
};

type TransformArgs = { type: string; props: Record<string, any>; opts: Record<string, any> };

/**
 * Mends what Graylog chart 1.0.0 renders, in three places the chart has no value for:
 * - its StatefulSets' `checksum/*` annotations hash a `lookup` that falls back to randAlphaNum
 *   when empty, as it always is when Pulumi renders, so every preview would roll the pods; they
 *   get a checksum of what the program feeds them instead;
 * - the Data Node gets a privileged init container that raises vm.max_map_count on its node
 *   (the same way ECK's Elasticsearch does), since the chart offers no init for it;
 * - its PDBs carry only `minAvailable`; they become `maxUnavailable: 1` with
 *   `unhealthyPodEvictionPolicy: AlwaysAllow`, so a stuck pod never blocks a drain.
 */
export function graylogChartTransform(checksum: string) {
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
        template.metadata = { ...template.metadata, annotations: { ...template.metadata?.annotations, "checksum/config": checksum, "checksum/secret": checksum } };
        if (template.metadata.labels?.app === DATANODE_POD_LABEL.app) {
            template.spec.initContainers = [SYSCTL_INIT, ...(template.spec.initContainers ?? [])];
        }
        return { props, opts: args.opts };
    };
}
