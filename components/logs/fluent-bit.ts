/**
 * Fluent Bit as raw manifests written by the program: least-privilege RBAC, the DaemonSet with
 * a filesystem buffer on the node, and its metrics Service and ServiceMonitor. Pure builders.
 */
import { CONFIG_DIR, ES_CA_FILE, JOURNAL_DIRS, METRICS_PORT, NODE_INPUTS_DIR, nodeInputsScript, STATE_DIR } from "./fluent-bit-config";
import { IMAGES } from "../shared/images";
import { ResourceSettings } from "../settings/profiles";
import { httpGet, liveness, readiness } from "../shared/probes";
import { AGENT_NODE_AFFINITY, NODE_CRITICAL_PRIORITY, resourcesOf, TOLERATE_ALL_TAINTS } from "../shared/workloads";

export const FLUENT_BIT = "fluent-bit";

/**
 * Where container logs really live. containerd and CRI-O write them under /var/log/pods, which
 * /var/log covers. With Docker Engine through cri-dockerd, the files under /var/log/pods are
 * symlinks into Docker's data root, so that directory is mounted read-only at the same path or
 * every symlink would dangle. Nodes without Docker get an empty directory; a Docker data root
 * moved away from /var/lib/docker is not supported.
 */
export const DOCKER_CONTAINERS_DIR = "/var/lib/docker/containers";
const LABELS = { "app.kubernetes.io/name": FLUENT_BIT, "app.kubernetes.io/part-of": "observability-platform" };

export function fluentBitRbac(namespace: string): Record<string, any>[] {
    return [
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: FLUENT_BIT, namespace, labels: LABELS } },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: FLUENT_BIT, labels: LABELS },
            // The kubernetes filter reads pod metadata (labels, owner) and namespace labels; nothing else.
            rules: [{ apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: FLUENT_BIT, labels: LABELS },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: FLUENT_BIT },
            subjects: [{ kind: "ServiceAccount", name: FLUENT_BIT, namespace }],
        },
    ];
}

export interface FluentBitDaemonSetInput {
    readonly namespace: string;
    readonly resources: ResourceSettings;
    readonly configMap: string;
    /** Secret with the Fluent Bit Elasticsearch user (`username`, `password`). */
    readonly credentialsSecret: string;
    /** Secret whose `ca.crt` verifies Elasticsearch's certificate. */
    readonly caSecret: string;
    /** Changes when the configuration does, so pods roll on a config change. */
    readonly configChecksum: string;
    /** Read the node's journal (or syslog files): the init container picks the inputs. */
    readonly nodeLogs: boolean;
}

/**
 * Read-only, like every host path the agent reads. /var/log/journal needs no mount of its own:
 * the /var/log mount shows it, and a hostPath for it would create it on nodes that lack it
 * (DirectoryOrCreate, or the runtime for an unchecked path), which turns journald persistent.
 * /run/log/journal has no such meaning and is created when missing, so the pod starts anywhere.
 */
const RUN_JOURNAL = { name: "run-journal", mountPath: JOURNAL_DIRS.run, readOnly: true };
const VARLOG = { name: "varlog", mountPath: "/var/log", readOnly: true };
const CONFIG = { name: "config", mountPath: CONFIG_DIR, readOnly: true };

function nodeInputsInit(): Record<string, any> {
    return {
        name: "node-inputs",
        // The Fluent Bit image is distroless: no shell to look at the node with.
        image: IMAGES.busybox,
        command: ["sh", "-c", nodeInputsScript()],
        // It writes one small file into its emptyDir and nothing else.
        resources: { requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "1Mi" }, limits: { cpu: "100m", memory: "32Mi", "ephemeral-storage": "16Mi" } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } },
        volumeMounts: [VARLOG, RUN_JOURNAL, CONFIG, { name: "node-inputs", mountPath: NODE_INPUTS_DIR }],
    };
}

export function fluentBitDaemonSet(input: FluentBitDaemonSetInput): Record<string, any> {
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: FLUENT_BIT, namespace: input.namespace, labels: LABELS },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": FLUENT_BIT } },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            template: {
                metadata: {
                    labels: LABELS,
                    annotations: { "observability-platform/config-checksum": input.configChecksum },
                },
                spec: {
                    serviceAccountName: FLUENT_BIT,
                    priorityClassName: NODE_CRITICAL_PRIORITY,
                    tolerations: TOLERATE_ALL_TAINTS,
                    affinity: AGENT_NODE_AFFINITY,
                    terminationGracePeriodSeconds: 60,
                    // Root only to read the kubelet's root-owned log files (and the journal's) and
                    // write the buffer it owns on the node; no capabilities, no privilege escalation.
                    securityContext: { runAsUser: 0, runAsGroup: 0, seccompProfile: { type: "RuntimeDefault" } },
                    ...(input.nodeLogs ? { initContainers: [nodeInputsInit()] } : {}),
                    containers: [{
                        name: FLUENT_BIT,
                        image: IMAGES.fluentBit,
                        args: ["--config", `${CONFIG_DIR}/fluent-bit.conf`],
                        env: [
                            { name: "ES_USER", valueFrom: { secretKeyRef: { name: input.credentialsSecret, key: "username" } } },
                            { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: input.credentialsSecret, key: "password" } } },
                            { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                        ],
                        ports: [{ name: "http-metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
                        resources: resourcesOf(input.resources),
                        securityContext: {
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            privileged: false,
                            capabilities: { drop: ["ALL"] },
                        },
                        // Fluent Bit 4.2.2 (src/http_server/api/v1/health.c): /api/v1/health fails once
                        // the outputs' errors or failed retries in HC_Period pass their counts, that is
                        // when Elasticsearch or Graylog refuse or cannot be reached, so it is readiness
                        // only: a restart would not bring either back. Liveness is `/` (flb_hs.c
                        // cb_root, the build information), which only a hung HTTP server fails.
                        readinessProbe: readiness(httpGet("/api/v1/health", METRICS_PORT)),
                        livenessProbe: liveness(httpGet("/", METRICS_PORT), 10),
                        volumeMounts: [
                            VARLOG,
                            { name: "docker-containers", mountPath: DOCKER_CONTAINERS_DIR, readOnly: true },
                            { name: "state", mountPath: STATE_DIR },
                            CONFIG,
                            { name: "es-ca", mountPath: ES_CA_FILE.replace(/\/[^/]+$/, ""), readOnly: true },
                            { name: "tmp", mountPath: "/tmp" },
                            ...(input.nodeLogs ? [RUN_JOURNAL, { name: "node-inputs", mountPath: NODE_INPUTS_DIR, readOnly: true }] : []),
                        ],
                    }],
                    volumes: [
                        { name: "varlog", hostPath: { path: "/var/log", type: "Directory" } },
                        { name: "docker-containers", hostPath: { path: DOCKER_CONTAINERS_DIR, type: "DirectoryOrCreate" } },
                        { name: "state", hostPath: { path: STATE_DIR, type: "DirectoryOrCreate" } },
                        { name: "config", configMap: { name: input.configMap } },
                        { name: "es-ca", secret: { secretName: input.caSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } },
                        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                        ...(input.nodeLogs
                            ? [
                                { name: "run-journal", hostPath: { path: JOURNAL_DIRS.run, type: "DirectoryOrCreate" } },
                                { name: "node-inputs", emptyDir: { sizeLimit: "1Mi" } },
                            ]
                            : []),
                    ],
                },
            },
        },
    };
}

export function fluentBitMonitoring(namespace: string): Record<string, any>[] {
    return [
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: `${FLUENT_BIT}-metrics`, namespace, labels: LABELS },
            spec: {
                clusterIP: "None",
                selector: { "app.kubernetes.io/name": FLUENT_BIT },
                ports: [{ name: "http-metrics", port: METRICS_PORT, targetPort: "http-metrics" }],
            },
        },
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: FLUENT_BIT, namespace, labels: LABELS },
            spec: {
                selector: { matchLabels: { "app.kubernetes.io/name": FLUENT_BIT } },
                endpoints: [{ port: "http-metrics", path: "/api/v2/metrics/prometheus", interval: "30s" }],
            },
        },
    ];
}
