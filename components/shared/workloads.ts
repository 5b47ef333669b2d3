/**
 * Scheduling and disruption rules every component applies the same way (DESIGN.md decisions 4
 * and 5), kept as plain data so chart values and raw manifests share them and tests can compare.
 */
import * as crypto from "crypto";
import { IMAGES } from "./images";
import { ResourceSettings } from "../settings/profiles";

/**
 * One toleration that matches every taint: no key, no effect, no tolerationSeconds. Node agents
 * then keep running on cordoned, draining, control-plane, GPU and NotReady nodes.
 */
export const TOLERATE_ALL_TAINTS = [{ operator: "Exists" }];

/** Agents are scheduled before, and evicted after, ordinary workloads. */
export const NODE_CRITICAL_PRIORITY = "system-node-critical";

/**
 * Keeps node agents off nodes that cannot run a DaemonSet pod: virtual-kubelet (ACI, Virtual
 * Nodes), EKS Fargate and GKE Autopilot's virtual nodes, and non-Linux nodes.
 */
export const AGENT_NODE_AFFINITY = {
    nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
                {
                    matchExpressions: [
                        { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                        { key: "type", operator: "NotIn", values: ["virtual-kubelet"] },
                        { key: "eks.amazonaws.com/compute-type", operator: "NotIn", values: ["fargate"] },
                    ],
                },
            ],
        },
    },
};

/** Kubernetes `resources` from settings. */
export function resourcesOf(r: ResourceSettings): { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } } {
    return { requests: { ...r.requests }, limits: { ...r.limits } };
}

/**
 * A PDB spec that never blocks `kubectl drain`: one pod at a time, and pods that are already
 * unhealthy may always be evicted. `minAvailable: null` removes a chart's default minAvailable,
 * which the API server rejects next to maxUnavailable.
 */
export const DRAIN_SAFE_PDB = { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" } as const;

/** The same, for chart values whose template copies the block into the PDB spec. */
export const DRAIN_SAFE_PDB_VALUES = { enabled: true, minAvailable: null, ...DRAIN_SAFE_PDB };

/**
 * Topology spread for a multi-replica workload whose pods carry `matchLabels`.
 *
 * Nodes, hard (`DoNotSchedule`): no node gets a second replica while an eligible node has fewer,
 * so one node's loss or drain takes at most its share. maxSkew counts only eligible nodes, so a
 * one-node cluster still runs every replica. `nodeTaintsPolicy: Honor` leaves cordoned and
 * tainted nodes out of the count: a pod evicted by a drain is not held Pending because the
 * cordoned node it left now has zero replicas.
 *
 * With `volumes` (each replica on its own claim, as a StatefulSet's), nodes are a preference
 * (`ScheduleAnyway`) instead. The skew is counted over every eligible node, but a volume bound in
 * one zone admits only that zone's nodes (the PV's node affinity is not the pod's, which
 * `nodeAffinityPolicy` would honour). So after a drain, a replica whose zone's only other node
 * holds its sibling matches no node at all and stays Pending until the drained node returns: the
 * lab's real kube-scheduler held Alertmanager so ("1 node(s) didn't match pod topology spread
 * constraints, 5 node(s) didn't match PersistentVolume's node affinity").
 *
 * Zones (prod), soft (`ScheduleAnyway`): preferred, never required, because a hard zone rule
 * would refuse every node that lacks the `topology.kubernetes.io/zone` label.
 */
export function spreadAcrossNodes(matchLabels: Readonly<Record<string, string>>, zones: boolean, volumes = false): Record<string, unknown>[] {
    const labelSelector = { matchLabels: { ...matchLabels } };
    return [
        { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: volumes ? "ScheduleAnyway" : "DoNotSchedule", nodeTaintsPolicy: "Honor", labelSelector },
        ...(zones ? [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector }] : []),
    ];
}

/**
 * The same spread, for charts that template `affinity` but no `topologySpreadConstraints`
 * (cert-manager's webhook, through the typed args of @pulumi/kubernetes-cert-manager 0.2.0; the
 * Prometheus Operator's admission webhook Deployment in kube-prometheus-stack 88.5.3). Preferred,
 * not required: a required anti-affinity would hold the second replica Pending on a one-node
 * cluster, and with it the install, which waits for every replica. The scheduler's
 * InterPodAffinity score (weight 100, the maximum) still puts the replicas on different nodes
 * wherever there is room.
 */
export function preferSpreadAcrossNodes(matchLabels: Readonly<Record<string, string>>, zones: boolean): Record<string, unknown> {
    const term = (topologyKey: string, weight: number) => ({ weight, podAffinityTerm: { topologyKey, labelSelector: { matchLabels: { ...matchLabels } } } });
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
                term("kubernetes.io/hostname", 100),
                ...(zones ? [term("topology.kubernetes.io/zone", 50)] : []),
            ],
        },
    };
}

/** A drain-safe PDB as a raw manifest, for workloads whose chart or operator makes none. */
export function drainSafePdb(name: string, namespace: string, matchLabels: Readonly<Record<string, string>>): Record<string, any> {
    return {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name, namespace },
        spec: { ...DRAIN_SAFE_PDB, selector: { matchLabels: { ...matchLabels } } },
    };
}

/**
 * Ephemeral storage every container requests (issue 28, item 6): its writable layer and its
 * logs, which the kubelet counts against the pod (container logs rotate at 10Mi x 5 by default),
 * so the scheduler places it on a node with room and evicts it last under disk pressure. A
 * container that writes to an emptyDir on disk also gets a limit: the emptyDir counts toward the
 * pod's usage, and without a limit one runaway writer can fill the node's disk for every pod.
 */
export const EPHEMERAL_STORAGE = { request: "64Mi", emptyDirLimit: "1Gi" } as const;

/** The pod spec with ephemeral-storage set where a container sets none. Pure; the input is not changed. */
export function withEphemeralStorage(podSpec: Record<string, any>): Record<string, any> {
    const diskEmptyDirs = new Set((podSpec.volumes ?? []).filter((v: any) => v?.emptyDir && v.emptyDir.medium !== "Memory").map((v: any) => v.name));
    const fill = (c: Record<string, any>) => {
        const writesEmptyDir = (c.volumeMounts ?? []).some((m: any) => diskEmptyDirs.has(m.name) && m.readOnly !== true);
        const requests = { ...c.resources?.requests };
        const limits = { ...c.resources?.limits };
        requests["ephemeral-storage"] ??= EPHEMERAL_STORAGE.request;
        if (writesEmptyDir) {
            limits["ephemeral-storage"] ??= EPHEMERAL_STORAGE.emptyDirLimit;
        }
        return { ...c, resources: { ...c.resources, requests, ...(Object.keys(limits).length > 0 ? { limits } : {}) } };
    };
    return {
        ...podSpec,
        ...(podSpec.initContainers ? { initContainers: podSpec.initContainers.map(fill) } : {}),
        ...(podSpec.containers ? { containers: podSpec.containers.map(fill) } : {}),
    };
}

/** Where a workload object keeps its pod spec: Deployment, StatefulSet, DaemonSet, Job, CronJob. */
function podSpecPath(obj: Record<string, any>): string[] | undefined {
    switch (obj?.kind) {
        case "Deployment": case "StatefulSet": case "DaemonSet": case "Job": case "ReplicaSet":
            return obj.spec?.template?.spec ? ["spec", "template", "spec"] : undefined;
        case "CronJob":
            return obj.spec?.jobTemplate?.spec?.template?.spec ? ["spec", "jobTemplate", "spec", "template", "spec"] : undefined;
        default:
            return undefined;
    }
}

/**
 * The object with ephemeral-storage set on its pod template's containers (withEphemeralStorage);
 * anything without a pod template comes back unchanged. Raw manifests get it when they are
 * declared (shared/manifest.ts), chart children through ephemeralStorageTransform.
 */
export function workloadWithEphemeralStorage(obj: Record<string, any>): Record<string, any> {
    const at = podSpecPath(obj);
    if (at === undefined) {
        return obj;
    }
    // Rebuilt along the path, not cloned: raw manifests hold Pulumi Outputs, which cannot be cloned.
    const rebuild = (node: Record<string, any>, rest: readonly string[]): Record<string, any> =>
        rest.length === 0 ? withEphemeralStorage(node) : { ...node, [rest[0]]: rebuild(node[rest[0]], rest.slice(1)) };
    return rebuild(obj, at);
}

/** A v4 Chart transform: every workload child gets ephemeral-storage requests (and limits for emptyDir writers). */
export function ephemeralStorageTransform(args: { type: string; props: Record<string, any>; opts: Record<string, any> }) {
    return podSpecPath(args.props) === undefined ? undefined : { props: workloadWithEphemeralStorage(args.props), opts: args.opts };
}

/** Kinds whose deletion loses data or takes every custom resource of a CRD with it. */
const PROTECTED_KINDS = new Set([
    "CustomResourceDefinition", "StatefulSet", "PersistentVolumeClaim",
    "Prometheus", "Alertmanager", "Elasticsearch", "Kibana", "MongoDBCommunity",
]);

/**
 * A resource transform for charts in protected stacks: their CRDs and stateful objects get
 * `protect` and `retainOnDelete`, which a v4 Chart does not pass down by itself.
 */
export function protectStatefulTransform(args: { type: string; props: Record<string, any>; opts: Record<string, any> }) {
    const kind = args.type.split(":").pop() ?? "";
    if (!PROTECTED_KINDS.has(kind)) {
        return undefined;
    }
    return { props: args.props, opts: { ...args.opts, protect: true, retainOnDelete: true } };
}

/**
 * A resource transform for charts whose CRDs other teams' objects depend on (the Prometheus
 * Operator's, the MongoDB operator's): every CustomResourceDefinition gets `retainOnDelete`, in
 * every profile. Deleting a CRD deletes every custom resource of its kind in the cluster, so a
 * non-prod destroy, or `metrics.enabled: false`, would take every team's ServiceMonitors,
 * PodMonitors and PrometheusRules (or MongoDBCommunity resources) with it. ECK's CRDs carry
 * `helm.sh/resource-policy: keep`, which v4 Chart turns into the same option (pulumi-kubernetes
 * provider/pkg/provider/helm/v4/chart.go); these charts' CRDs carry no such policy. `protect`
 * stays prod's (protectStatefulTransform). A stack created again adopts the CRDs it left behind
 * through `kubernetes:upsertExistingObjects` (Pulumi.yaml).
 */
export function retainSharedCrdsTransform(args: { type: string; props: Record<string, any>; opts: Record<string, any> }) {
    if (args.type.split(":").pop() !== "CustomResourceDefinition") {
        return undefined;
    }
    return { props: args.props, opts: { ...args.opts, retainOnDelete: true } };
}

export interface SetupJobInput {
    readonly name: string;
    readonly namespace: string;
    /** ConfigMap holding `setup.sh`. */
    readonly configMap: string;
    readonly env: ReadonlyArray<Record<string, unknown>>;
    /** Secrets mounted read-only: volume name -> [mount path, Secret name]. */
    readonly secrets?: Readonly<Record<string, readonly [string, string]>>;
}

/**
 * A Job that runs an idempotent `setup.sh` with curl against an API, as a non-root user with a
 * read-only root filesystem; it retries until the API answers, so it can start with its target.
 */
export function setupJob(input: SetupJobInput): Record<string, any> {
    const secrets = Object.entries(input.secrets ?? {});
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: {
            name: input.name,
            namespace: input.namespace,
            // A failed Job keeps its name until its inputs change, and the provider's Job await
            // fails on `Failed`, so every later `up` would fail on it. With this annotation the
            // provider's Diff (pulumi-kubernetes v4.32.0+ provider/pkg/provider/provider.go,
            // kubeProvider.Diff, `metadata.ReplaceUnready`) reads the live Job and, when the Job
            // checker (provider/pkg/await/checker/job/check.go: ready only once `Complete`) finds it
            // not ready (failed or still running), schedules a replacement: deleted, then created
            // again under the same name, so the next `up` runs it again. A completed Job is left alone.
            annotations: { "pulumi.com/replaceUnready": "true" },
        },
        spec: {
            backoffLimit: 10,
            // A first start (migrations, certificates, shard allocation) can take minutes.
            activeDeadlineSeconds: 1800,
            template: {
                metadata: { labels: { "app.kubernetes.io/name": input.name } },
                spec: {
                    restartPolicy: "OnFailure",
                    // It talks to Elasticsearch, Kibana or Graylog, never to the Kubernetes API.
                    automountServiceAccountToken: false,
                    // curlimages/curl's Dockerfile: USER curl_user, uid 100.
                    securityContext: { runAsNonRoot: true, runAsUser: 100, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [{
                        name: "setup",
                        image: IMAGES.curl,
                        command: ["sh", "/setup/setup.sh"],
                        env: input.env,
                        resources: { requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "100m", memory: "64Mi" } },
                        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                        volumeMounts: [
                            { name: "setup", mountPath: "/setup", readOnly: true },
                            ...secrets.map(([name, [mountPath]]) => ({ name, mountPath, readOnly: true })),
                        ],
                    }],
                    volumes: [
                        { name: "setup", configMap: { name: input.configMap } },
                        ...secrets.map(([name, [, secretName]]) => ({ name, secret: { secretName } })),
                    ],
                },
            },
        },
    };
}

/**
 * A setup Job named after what it applies: `<name>-<hash of the Job and of every input it
 * reads>`. A Job's pod template is immutable and a changed ConfigMap replaces nothing that only
 * names it, so without this a new script or retention setting would never run. A new name makes
 * the provider replace the Job, which runs again. `inputs` is the content of the ConfigMaps and
 * Secrets (by value or by a version) the script reads.
 */
export function withInputsHash(job: Record<string, any>, inputs: Readonly<Record<string, string>>): Record<string, any> {
    const hash = crypto.createHash("sha256").update(JSON.stringify([job, Object.entries(inputs).sort()])).digest("hex").slice(0, 10);
    return { ...job, metadata: { ...job.metadata, name: `${job.metadata.name}-${hash}` } };
}
