/**
 * The host sysctl the stores need, set once per node by a DaemonSet beside the node agents, so
 * that no store pod needs a privileged container (DESIGN.md decision 4). This is ECK's own
 * pattern ("Virtual memory", https://www.elastic.co/docs/deploy-manage/deploy/cloud-on-k8s/virtual-memory:
 * a DaemonSet whose privileged init container raises vm.max_map_count, then a container that
 * sleeps). Elasticsearch's bootstrap check and the Data Node's OpenSearch both refuse to start
 * below 262144 (OpenSearch/Elasticsearch "vm.max_map_count [65530] is too low").
 */
import { IMAGES } from "./images";
import { AGENT_NODE_AFFINITY, NODE_CRITICAL_PRIORITY, TOLERATE_ALL_TAINTS } from "./workloads";

export const NODE_TUNING = "node-tuning";
export const MAX_MAP_COUNT = 262144;
const LABELS = { "app.kubernetes.io/name": NODE_TUNING, "app.kubernetes.io/part-of": "observability-platform" };

/** busybox:1.37.0 has no USER (root); the long-running container needs none of it. */
const NOBODY = 65534;

export function nodeTuningDaemonSet(namespace: string): Record<string, any> {
    return {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: NODE_TUNING, namespace, labels: LABELS },
        spec: {
            selector: { matchLabels: { "app.kubernetes.io/name": NODE_TUNING } },
            updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
            template: {
                metadata: { labels: LABELS },
                spec: {
                    priorityClassName: NODE_CRITICAL_PRIORITY,
                    tolerations: TOLERATE_ALL_TAINTS,
                    affinity: AGENT_NODE_AFFINITY,
                    automountServiceAccountToken: false,
                    securityContext: { seccompProfile: { type: "RuntimeDefault" } },
                    initContainers: [{
                        name: "max-map-count",
                        image: IMAGES.busybox,
                        // Only ever raised: a node tuned higher for something else keeps its value.
                        command: ["sh", "-c", `[ "$(sysctl -n vm.max_map_count)" -ge ${MAX_MAP_COUNT} ] || sysctl -w vm.max_map_count=${MAX_MAP_COUNT}`],
                        // /proc/sys is read-only in every container that is not privileged, and
                        // vm.* is not a namespaced sysctl the pod's `sysctls` could set.
                        securityContext: { privileged: true, runAsUser: 0, readOnlyRootFilesystem: true },
                        // Neither container writes a file: the ephemeral storage is the logs'.
                        resources: { requests: { cpu: "1m", memory: "4Mi", "ephemeral-storage": "1Mi" }, limits: { cpu: "100m", memory: "16Mi", "ephemeral-storage": "8Mi" } },
                    }],
                    containers: [{
                        name: "sleep",
                        image: IMAGES.busybox,
                        // PID 1 ignores SIGTERM without a handler; `wait` lets the trap run at once.
                        command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done"],
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: NOBODY,
                            runAsGroup: NOBODY,
                            allowPrivilegeEscalation: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                        },
                        resources: { requests: { cpu: "1m", memory: "4Mi", "ephemeral-storage": "1Mi" }, limits: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "8Mi" } },
                    }],
                },
            },
        },
    };
}
