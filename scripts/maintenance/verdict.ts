/**
 * What `npm run maintenance -- drain <node>` decides, as pure functions of what the API server
 * returns (`kubectl get -o json` items), so the suite tests every verdict without a cluster:
 *   - `notGreen`: why the cluster is not back to normal (what the command waits for after a drain);
 *   - `preChecks`: why a drain must not start (the README's "Before" checks, plus a node that is
 *     still under a maintenance that has not seen the cluster green again).
 *
 * The stores' health is read from the status their operators write, the source the README's
 * manual checks read too:
 *   - Elasticsearch: ECK 3.5.0 writes `health` from the cluster health API each reconcile and
 *     resets it to `unknown` when the API does not answer (pkg/controller/elasticsearch/reconcile/
 *     state.go, NewState and UpdateClusterHealth); `phase` is `Ready` once a reconcile completed;
 *   - MongoDBCommunity: the community operator (mongodb-kubernetes 1.9.1, mongodb-community-operator/
 *     api/v1/mongodbcommunity_types.go) writes `phase: Running` and `currentMongoDBMembers` once
 *     every member's agent reached its goal state, the replica set initiated; it has no
 *     observedGeneration;
 *   - Prometheus and Alertmanager: the Prometheus Operator (0.93, pkg/operator/statefulset_reporter.go)
 *     writes the `Available` condition `True` when every replica's pod is Ready, `Degraded` when
 *     some are, `False` when none is, with the condition's `observedGeneration`.
 */
import { ClusterState, workloadProblems, pdbProblems } from "../lab/checks";
import { describePdb, pdbsOf } from "../lab/drain";

type Obj = Record<string, any>;

/** The node annotation a drain sets before it touches anything and removes once the cluster is green again. */
export const MAINTENANCE_ANNOTATION = "observability-platform/maintenance";

export interface Observed extends Omit<ClusterState, "jobs"> {
    readonly pdbs: readonly Obj[];
    readonly elasticsearches: readonly Obj[];
    readonly mongodbs: readonly Obj[];
    readonly prometheuses: readonly Obj[];
    readonly alertmanagers: readonly Obj[];
}

const key = (o: Obj) => `${o.metadata.namespace}/${o.metadata.name}`;

/** Nodes whose kubelet does not report Ready. */
export function nodeProblems(nodes: readonly Obj[]): string[] {
    return nodes
        .filter((n) => !(n.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True"))
        .map((n) => {
            const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
            return `node ${n.metadata.name} is not Ready${ready ? ` (${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ""})` : ""}`;
        });
}

export function elasticsearchProblems(list: readonly Obj[]): string[] {
    return list.flatMap((es) => {
        const s = es.status ?? {};
        const problems: string[] = [];
        if (s.health !== "green") {
            problems.push(`health ${s.health ?? "not reported"}, not green`);
        }
        if (s.phase !== "Ready") {
            problems.push(`phase ${s.phase || "not reported"}, not Ready`);
        }
        if ((s.observedGeneration ?? 0) < es.metadata.generation) {
            problems.push(`ECK has not yet reconciled generation ${es.metadata.generation}`);
        }
        return problems.length ? [`Elasticsearch ${key(es)}: ${problems.join("; ")}`] : [];
    });
}

export function mongoDbProblems(list: readonly Obj[]): string[] {
    return list.flatMap((m) => {
        const s = m.status ?? {};
        const members = m.spec?.members ?? 1;
        if (s.phase === "Running" && (s.currentMongoDBMembers ?? 0) >= members) {
            return [];
        }
        return [`MongoDBCommunity ${key(m)}: phase ${s.phase ?? "not reported"}, ${s.currentMongoDBMembers ?? 0}/${members} members${s.message ? ` (${s.message})` : ""}: no primary confirmed`];
    });
}

/** Prometheus or Alertmanager resources whose operator does not report every replica available. */
export function monitoringProblems(kind: "Prometheus" | "Alertmanager", list: readonly Obj[]): string[] {
    return list.flatMap((r) => {
        const available = (r.status?.conditions ?? []).find((c: Obj) => c.type === "Available");
        const counts = `${r.status?.availableReplicas ?? 0}/${r.status?.replicas ?? r.spec?.replicas ?? 1} replicas available`;
        if (!available) {
            return [`${kind} ${key(r)}: ${counts}, no Available condition (is the Prometheus Operator running?)`];
        }
        if (available.status !== "True") {
            return [`${kind} ${key(r)}: ${counts}, Available ${available.status}${available.reason ? ` (${available.reason})` : ""}`];
        }
        if ((available.observedGeneration ?? 0) < r.metadata.generation) {
            return [`${kind} ${key(r)}: the operator has not yet reconciled generation ${r.metadata.generation}`];
        }
        return [];
    });
}

/**
 * Why the cluster is not green: a node not Ready, a Deployment, StatefulSet or DaemonSet short of
 * Ready pods (with the scheduler's or controller's reason), a PDB not back to all its pods
 * healthy, a store or a monitor its operator does not report healthy. Jobs are left out: a
 * drain does not wait for batch work.
 */
export function notGreen(o: Observed): string[] {
    return [
        ...nodeProblems(o.nodes),
        ...workloadProblems({ ...o, jobs: [] }),
        ...pdbProblems(o.pdbs),
        ...elasticsearchProblems(o.elasticsearches),
        ...mongoDbProblems(o.mongodbs),
        ...monitoringProblems("Prometheus", o.prometheuses),
        ...monitoringProblems("Alertmanager", o.alertmanagers),
    ];
}

export interface Verdict {
    /** Each reason the drain must not start; empty when it may. */
    readonly refusals: readonly string[];
    /** What was checked, one line each, for the command to print when nothing refused. */
    readonly held: readonly string[];
}

/** The pods a drain would evict from a node: all but its DaemonSets' and its finished ones. */
export function evictable(pods: readonly Obj[], node: string): Obj[] {
    return pods.filter(
        (p) => p.spec?.nodeName === node && !["Succeeded", "Failed"].includes(p.status?.phase) && !(p.metadata.ownerReferences ?? []).some((r: Obj) => r.kind === "DaemonSet"),
    );
}

/**
 * The README's "Before" checks for draining `node`, over one observation of the cluster. A node
 * still marked from its own unfinished drain is let through (running the drain again finishes
 * it); any other node's mark refuses.
 */
export function preChecks(o: Observed, node: string): Verdict {
    const target = o.nodes.find((n) => n.metadata.name === node);
    if (!target) {
        return { refusals: [`node ${node} does not exist (nodes: ${o.nodes.map((n) => n.metadata.name).sort().join(", ")})`], held: [] };
    }
    const refusals: string[] = [];
    for (const n of o.nodes) {
        const since = n.metadata.annotations?.[MAINTENANCE_ANNOTATION];
        if (since !== undefined && n.metadata.name !== node) {
            refusals.push(
                `node ${n.metadata.name} is still under maintenance (drain started ${since}) and the cluster has not been seen green since: one node at a time. Run \`npm run maintenance -- drain ${n.metadata.name}\` again to finish it`,
            );
        }
    }
    const onNode = evictable(o.pods, node);
    const resumed = target.metadata.annotations?.[MAINTENANCE_ANNOTATION];
    if (resumed !== undefined) {
        // This node's own drain did not finish: running it again completes it, whatever the cluster's state.
        return { refusals, held: [`${node} is marked from a drain started ${resumed}: finishing it (${onNode.length} pod(s) left to evict)`] };
    }
    const counted = o.pdbs.filter((b) => (b.status?.expectedPods ?? 0) > 0);
    for (const b of counted.filter((b) => (b.status?.disruptionsAllowed ?? 0) < 1)) {
        const here = onNode.filter((p) => pdbsOf(p, [b]).length > 0).map((p) => p.metadata.name);
        refusals.push(`${describePdb(b)} allows no disruption${here.length ? `; it covers ${here.join(", ")} on ${node}` : ""}`);
    }
    refusals.push(...notGreen(o));
    const held = [
        `${counted.length} PodDisruptionBudget(s) each allow a disruption`,
        ...o.elasticsearches.map((es) => `Elasticsearch ${key(es)} green, phase Ready`),
        ...o.mongodbs.map((m) => `MongoDBCommunity ${key(m)} Running, ${m.status?.currentMongoDBMembers}/${m.spec?.members ?? 1} members`),
        ...[...o.prometheuses.map((r) => ["Prometheus", r] as const), ...o.alertmanagers.map((r) => ["Alertmanager", r] as const)].map(
            ([kind, r]) => `${kind} ${key(r)} ready, ${r.status?.availableReplicas}/${r.status?.replicas} replicas`,
        ),
        `${o.deployments.length + o.statefulSets.length + o.daemonSets.length} workloads Ready on ${o.nodes.length} Ready nodes; ${onNode.length} pod(s) to evict from ${node}`,
    ];
    return { refusals, held };
}
