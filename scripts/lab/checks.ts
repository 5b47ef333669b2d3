/**
 * What the lab expects of a cluster running a stack, as pure functions over what the API server
 * returns (`kubectl get -o json` items), so the suite can test them without a cluster:
 *   - every Deployment, StatefulSet and DaemonSet has all its pods, Ready; every Job completed;
 *   - every DaemonSet has exactly one pod on every node a node agent must run on, tainted ones
 *     included, and none on the nodes agents stay off (virtual-kubelet, Fargate, Windows);
 *   - what is missing says why: the controller's FailedCreate (Pod Security, quota), the
 *     scheduler's reason for a Pending pod (taints, affinity, spread, resources).
 */
type Obj = Record<string, any>;

export interface ClusterState {
    readonly nodes: readonly Obj[];
    readonly pods: readonly Obj[];
    readonly deployments: readonly Obj[];
    readonly statefulSets: readonly Obj[];
    readonly daemonSets: readonly Obj[];
    readonly jobs: readonly Obj[];
    readonly events: readonly Obj[];
}

const key = (o: Obj) => `${o.metadata.namespace}/${o.metadata.name}`;

/** Nodes a node agent must run on: Linux, and neither virtual-kubelet nor Fargate. */
export function agentNodes(nodes: readonly Obj[]): string[] {
    return nodes
        .filter((n) => {
            const l = n.metadata.labels ?? {};
            return l["kubernetes.io/os"] === "linux" && l.type !== "virtual-kubelet" && l["eks.amazonaws.com/compute-type"] !== "fargate";
        })
        .map((n) => n.metadata.name)
        .sort();
}

function ownedBy(pods: readonly Obj[], owner: Obj): Obj[] {
    return pods.filter((p) => (p.metadata.ownerReferences ?? []).some((r: Obj) => r.uid === owner.metadata.uid));
}

const isReady = (p: Obj) => p.status?.phase === "Running" && (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");

/** The newest message of each reason the cluster reported about an object. */
function eventsAbout(events: readonly Obj[], o: Obj, reasons: readonly string[]): string[] {
    const seen = new Map<string, string>();
    const mine = events.filter((e) => e.involvedObject?.uid === o.metadata.uid && reasons.includes(e.reason));
    mine.sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? "").localeCompare(String(b.lastTimestamp ?? b.eventTime ?? "")));
    for (const e of mine) {
        seen.set(e.reason, `${e.reason}: ${String(e.message).trim()}`);
    }
    return [...seen.values()];
}

/** Why a pod is not Ready: the scheduler's condition for a Pending one, else its phase. */
export function podProblem(pod: Obj, events: readonly Obj[]): string {
    const scheduled = (pod.status?.conditions ?? []).find((c: Obj) => c.type === "PodScheduled");
    if (!pod.spec?.nodeName) {
        const why = scheduled?.message ?? eventsAbout(events, pod, ["FailedScheduling"]).join("; ");
        return `pod ${pod.metadata.name} is Pending, not scheduled${why ? `: ${why}` : ""}`;
    }
    return `pod ${pod.metadata.name} on ${pod.spec.nodeName} is ${pod.status?.phase ?? "without status"}, not Ready`;
}

/** The pods that hold their workload back: not Ready, not going away, and not a Job's finished one. */
function podProblems(pods: readonly Obj[], events: readonly Obj[]): string[] {
    return pods.filter((p) => !isReady(p) && !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded").map((p) => podProblem(p, events));
}

/** Every workload short of its pods, each with the reasons the cluster gives. */
export function workloadProblems(state: ClusterState): string[] {
    const problems: string[] = [];
    // A Deployment's pods belong to its ReplicaSets, which carry its name and a template hash.
    const podsOf = (d: Obj) =>
        state.pods.filter((p) => p.metadata.namespace === d.metadata.namespace && (p.metadata.ownerReferences ?? []).some((r: Obj) => r.kind === "ReplicaSet" && isReplicaSetOf(r.name, d)));
    for (const d of state.deployments) {
        const want = d.spec.replicas ?? 1;
        const ready = d.status?.readyReplicas ?? 0;
        if (ready < want || (d.status?.updatedReplicas ?? 0) < want) {
            const pods = podsOf(d);
            const why = [...eventsAboutOwned(state, d), ...podProblems(pods, state.events)];
            problems.push(`Deployment ${key(d)}: ${ready}/${want} pods Ready${why.length ? ` (${why.join("; ")})` : ""}`);
        }
    }
    for (const s of state.statefulSets) {
        const want = s.spec.replicas ?? 1;
        const ready = s.status?.readyReplicas ?? 0;
        if (ready < want) {
            const why = [...eventsAbout(state.events, s, ["FailedCreate"]), ...podProblems(ownedBy(state.pods, s), state.events)];
            problems.push(`StatefulSet ${key(s)}: ${ready}/${want} pods Ready${why.length ? ` (${why.join("; ")})` : ""}`);
        }
    }
    for (const ds of state.daemonSets) {
        const want = ds.status?.desiredNumberScheduled ?? 0;
        const ready = ds.status?.numberReady ?? 0;
        if (ready < want) {
            const why = [...eventsAbout(state.events, ds, ["FailedCreate"]), ...podProblems(ownedBy(state.pods, ds), state.events)];
            problems.push(`DaemonSet ${key(ds)}: ${ready}/${want} pods Ready${why.length ? ` (${why.join("; ")})` : ""}`);
        }
    }
    for (const j of state.jobs) {
        const done = (j.status?.conditions ?? []).some((c: Obj) => c.type === "Complete" && c.status === "True");
        if (!done) {
            const failed = (j.status?.conditions ?? []).find((c: Obj) => c.type === "Failed" && c.status === "True");
            const why = [...(failed ? [`Failed: ${failed.message ?? failed.reason}`] : []), ...eventsAbout(state.events, j, ["FailedCreate"]), ...podProblems(ownedBy(state.pods, j), state.events)];
            problems.push(`Job ${key(j)}: not complete${why.length ? ` (${why.join("; ")})` : ""}`);
        }
    }
    return problems;
}

/**
 * Whether a ReplicaSet is one of a Deployment's: named `<deployment>-<pod-template-hash>`, and the
 * hash has no dash, so `cert-manager-webhook-<hash>` is not one of `cert-manager`'s.
 */
function isReplicaSetOf(name: unknown, d: Obj): boolean {
    const prefix = `${d.metadata.name}-`;
    return typeof name === "string" && name.startsWith(prefix) && name.length > prefix.length && !name.slice(prefix.length).includes("-");
}

/** A Deployment's FailedCreate comes from its ReplicaSet: events about objects it owns by name. */
function eventsAboutOwned(state: ClusterState, d: Obj): string[] {
    const rsEvents = state.events.filter(
        (e) => e.involvedObject?.kind === "ReplicaSet" && e.involvedObject?.namespace === d.metadata.namespace && isReplicaSetOf(e.involvedObject?.name, d) && e.reason === "FailedCreate",
    );
    return rsEvents.length ? [`FailedCreate: ${String(rsEvents[rsEvents.length - 1].message).trim()}`] : [];
}

/** How a DaemonSet's pods sit on the nodes, against one on each agent node and none elsewhere. */
export function daemonSetCoverage(state: ClusterState): string[] {
    const problems: string[] = [];
    const agents = new Set(agentNodes(state.nodes));
    const taintsOf = new Map(state.nodes.map((n) => [n.metadata.name, (n.spec?.taints ?? []).map((t: Obj) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`)]));
    for (const ds of state.daemonSets) {
        const perNode = new Map<string, number>();
        for (const p of ownedBy(state.pods, ds).filter((p) => !p.metadata.deletionTimestamp)) {
            perNode.set(p.spec?.nodeName ?? "", (perNode.get(p.spec?.nodeName ?? "") ?? 0) + 1);
        }
        for (const node of [...agents].sort()) {
            const n = perNode.get(node) ?? 0;
            if (n !== 1) {
                const taints = taintsOf.get(node) ?? [];
                problems.push(`DaemonSet ${key(ds)}: ${n} pods on node ${node}${taints.length ? ` (taints ${taints.join(", ")})` : ""}, expected 1`);
            }
        }
        for (const [node, n] of perNode) {
            if (!agents.has(node)) {
                problems.push(`DaemonSet ${key(ds)}: ${n} pod(s) on ${node ? `node ${node}, which node agents must stay off` : "no node (Pending)"}`);
            }
        }
    }
    return problems;
}

/**
 * PDBs whose own accounting is not back to every pod healthy. After an eviction the disruption
 * controller counts the pod as disrupted until it sees it go, so the next drain is only safe to
 * start once each PDB reports all its pods healthy again, not merely once the pods are Ready.
 */
export function pdbProblems(pdbs: readonly Obj[]): string[] {
    return pdbs
        .filter((b) => b.status?.observedGeneration !== b.metadata.generation || (b.status?.currentHealthy ?? 0) < (b.status?.expectedPods ?? 0))
        .map((b) => `PodDisruptionBudget ${key(b)}: ${b.status?.currentHealthy ?? 0} of ${b.status?.expectedPods ?? "?"} pods healthy${b.status?.observedGeneration !== b.metadata.generation ? " (not yet observed)" : ""}`);
}

/**
 * Pod Security as the API server applied it: every FailedCreate the controllers reported, in any
 * namespace (a pod refused by admission, a quota), and every platform namespace that enforces a
 * level the namespace plan does not allow it (`privileged` anywhere but the node agents').
 */
export function podSecurityProblems(namespaces: readonly Obj[], events: readonly Obj[], agents: string): string[] {
    const refused = events.filter((e) => e.reason === "FailedCreate")
        .map((e) => `FailedCreate for ${e.involvedObject?.kind} ${e.involvedObject?.namespace}/${e.involvedObject?.name}: ${String(e.message).trim()}`);
    const levels = namespaces
        .filter((n) => n.metadata.labels?.["app.kubernetes.io/part-of"] === "observability-platform")
        .flatMap((n) => {
            const level = n.metadata.labels?.["pod-security.kubernetes.io/enforce"];
            const allowed = n.metadata.name === agents ? ["privileged"] : ["restricted", "baseline"];
            return allowed.includes(level) ? [] : [`namespace ${n.metadata.name} enforces ${level ?? "nothing"}, not ${allowed.join(" or ")}`];
        });
    return [...new Set(refused), ...levels];
}

/** A pod the lab asks the API server to admit (server-side dry run): one privileged container. */
export function privilegedProbe(namespace: string): Obj {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "lab-privileged-probe", namespace },
        spec: { containers: [{ name: "probe", image: "busybox:1.37.0", securityContext: { privileged: true } }] },
    };
}
