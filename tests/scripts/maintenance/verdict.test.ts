import * as assert from "assert";
import { MAINTENANCE_ANNOTATION, notGreen, Observed, preChecks } from "../../../scripts/maintenance/verdict";

type Obj = Record<string, any>;
type State = { -readonly [K in keyof Observed]: Obj[] };

const READY_NODE = { conditions: [{ type: "Ready", status: "True" }] };
const READY_POD = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
const node = (name: string): Obj => ({ metadata: { name, annotations: {} }, spec: {}, status: structuredClone(READY_NODE) });
const owner = (kind: string, name: string) => ({ kind, name, uid: `uid-${name}`, controller: true });
const pod = (namespace: string, name: string, nodeName: string, ownedBy: Obj, labels: Obj = {}): Obj => ({
    metadata: { namespace, name, uid: `uid-${name}`, labels, ownerReferences: [ownedBy] },
    spec: { nodeName },
    status: structuredClone(READY_POD),
});
const pdb = (namespace: string, name: string, app: string, expectedPods: number): Obj => ({
    metadata: { namespace, name, generation: 1 },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app } } },
    status: { observedGeneration: 1, expectedPods, currentHealthy: expectedPods, desiredHealthy: expectedPods - 1, disruptionsAllowed: 1 },
});
const available = (replicas: number) => ({ replicas, availableReplicas: replicas, conditions: [{ type: "Available", status: "True", observedGeneration: 2 }] });

/** A prod-like cluster where every check holds: two workers, one of each store and monitor, all healthy. */
function cluster(): State {
    const es = owner("StatefulSet", "logs-es-default");
    return {
        nodes: [node("worker-a1"), node("worker-b1")],
        pods: [
            pod("logging", "logs-es-default-0", "worker-a1", es, { app: "es" }),
            pod("logging", "logs-es-default-1", "worker-b1", es, { app: "es" }),
            pod("logging", "fluent-bit-x", "worker-a1", owner("DaemonSet", "fluent-bit"), { app: "fluent-bit" }),
        ],
        deployments: [],
        statefulSets: [{ metadata: { namespace: "logging", name: "logs-es-default", uid: "uid-logs-es-default" }, spec: { replicas: 2 }, status: { readyReplicas: 2 } }],
        daemonSets: [{ metadata: { namespace: "logging", name: "fluent-bit", uid: "uid-fluent-bit" }, status: { desiredNumberScheduled: 2, numberReady: 2 } }],
        events: [],
        pdbs: [pdb("logging", "logs-es-default", "es", 2)],
        elasticsearches: [{ metadata: { namespace: "logging", name: "logs", generation: 3 }, status: { health: "green", phase: "Ready", observedGeneration: 3 } }],
        mongodbs: [{ metadata: { namespace: "graylog", name: "graylog-mongodb" }, spec: { members: 3 }, status: { phase: "Running", currentMongoDBMembers: 3 } }],
        prometheuses: [{ metadata: { namespace: "monitoring", name: "kps", generation: 2 }, spec: { replicas: 2 }, status: available(2) }],
        alertmanagers: [{ metadata: { namespace: "monitoring", name: "kps", generation: 2 }, spec: { replicas: 2 }, status: available(2) }],
    };
}

const refusals = (s: State, target = "worker-a1") => preChecks(s, target).refusals;

describe("maintenance: pre-checks", () => {
    it("let a drain start on a healthy cluster, listing what held", () => {
        const verdict = preChecks(cluster(), "worker-a1");
        assert.deepStrictEqual(verdict.refusals, []);
        assert.deepStrictEqual(verdict.held, [
            "1 PodDisruptionBudget(s) each allow a disruption",
            "Elasticsearch logging/logs green, phase Ready",
            "MongoDBCommunity graylog/graylog-mongodb Running, 3/3 members",
            "Prometheus monitoring/kps ready, 2/2 replicas",
            "Alertmanager monitoring/kps ready, 2/2 replicas",
            "2 workloads Ready on 2 Ready nodes; 1 pod(s) to evict from worker-a1",
        ]);
    });

    it("refuse a node that does not exist, listing the nodes", () => {
        assert.deepStrictEqual(refusals(cluster(), "worker-z9"), ["node worker-z9 does not exist (nodes: worker-a1, worker-b1)"]);
    });

    it("refuse a PDB that allows no disruption, naming the pods it covers on the node", () => {
        const s = cluster();
        s.pdbs[0].status.disruptionsAllowed = 0;
        assert.deepStrictEqual(refusals(s), [
            "PodDisruptionBudget logging/logs-es-default (maxUnavailable 1; 2 healthy of 2, 0 disruptions allowed) allows no disruption; it covers logs-es-default-0 on worker-a1",
        ]);
    });

    it("refuse a PDB at zero disruptions elsewhere in the cluster too", () => {
        const s = cluster();
        s.pdbs.push({ ...pdb("graylog", "graylog-mongodb", "mongo", 3), status: { ...pdb("graylog", "x", "y", 3).status, disruptionsAllowed: 0 } });
        assert.deepStrictEqual(refusals(s), ["PodDisruptionBudget graylog/graylog-mongodb (maxUnavailable 1; 3 healthy of 3, 0 disruptions allowed) allows no disruption"]);
    });

    it("ignore a PDB that selects no pods", () => {
        const s = cluster();
        s.pdbs.push({ ...pdb("graylog", "arbiters", "arb", 0), status: { observedGeneration: 1, expectedPods: 0, currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0 } });
        assert.deepStrictEqual(refusals(s), []);
    });

    it("refuse a yellow Elasticsearch, as ECK reports it", () => {
        const s = cluster();
        s.elasticsearches[0].status.health = "yellow";
        assert.deepStrictEqual(refusals(s), ["Elasticsearch logging/logs: health yellow, not green"]);
    });

    it("refuse an Elasticsearch whose health ECK could not read", () => {
        const s = cluster();
        s.elasticsearches[0].status = { health: "unknown", phase: "ApplyingChanges", observedGeneration: 3 };
        assert.deepStrictEqual(refusals(s), ["Elasticsearch logging/logs: health unknown, not green; phase ApplyingChanges, not Ready"]);
    });

    it("refuse an Elasticsearch whose latest change ECK has not reconciled", () => {
        const s = cluster();
        s.elasticsearches[0].metadata.generation = 4;
        assert.deepStrictEqual(refusals(s), ["Elasticsearch logging/logs: ECK has not yet reconciled generation 4"]);
    });

    it("refuse a MongoDB the operator does not report Running", () => {
        const s = cluster();
        s.mongodbs[0].status = { phase: "Pending", currentMongoDBMembers: 2, message: "ReplicaSet is not yet ready, retrying in 10 seconds" };
        assert.deepStrictEqual(refusals(s), ["MongoDBCommunity graylog/graylog-mongodb: phase Pending, 2/3 members (ReplicaSet is not yet ready, retrying in 10 seconds): no primary confirmed"]);
    });

    it("refuse a MongoDB without status", () => {
        const s = cluster();
        delete s.mongodbs[0].status;
        assert.deepStrictEqual(refusals(s), ["MongoDBCommunity graylog/graylog-mongodb: phase not reported, 0/3 members: no primary confirmed"]);
    });

    it("refuse a Prometheus the operator reports Degraded, with its replica count", () => {
        const s = cluster();
        s.prometheuses[0].status = { replicas: 2, availableReplicas: 1, conditions: [{ type: "Available", status: "Degraded", reason: "SomePodsNotReady", observedGeneration: 2 }] };
        assert.deepStrictEqual(refusals(s), ["Prometheus monitoring/kps: 1/2 replicas available, Available Degraded (SomePodsNotReady)"]);
    });

    it("refuse an Alertmanager without an Available condition", () => {
        const s = cluster();
        s.alertmanagers[0].status = {};
        assert.deepStrictEqual(refusals(s), ["Alertmanager monitoring/kps: 0/2 replicas available, no Available condition (is the Prometheus Operator running?)"]);
    });

    it("refuse an Alertmanager whose Available condition is of an older generation", () => {
        const s = cluster();
        s.alertmanagers[0].metadata.generation = 3;
        assert.deepStrictEqual(refusals(s), ["Alertmanager monitoring/kps: the operator has not yet reconciled generation 3"]);
    });

    it("refuse a workload short of Ready pods, with the pod's reason", () => {
        const s = cluster();
        s.statefulSets[0].status.readyReplicas = 1;
        s.pods[1].status = { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", message: "0/2 nodes are available: 2 node(s) were unschedulable." }] };
        delete s.pods[1].spec.nodeName;
        assert.deepStrictEqual(refusals(s), [
            "StatefulSet logging/logs-es-default: 1/2 pods Ready (pod logs-es-default-1 is Pending, not scheduled: 0/2 nodes are available: 2 node(s) were unschedulable.)",
        ]);
    });

    it("refuse a node that is not Ready", () => {
        const s = cluster();
        s.nodes[1].status.conditions = [{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." }];
        assert.deepStrictEqual(refusals(s), ["node worker-b1 is not Ready (NodeStatusUnknown: Kubelet stopped posting node status.)"]);
    });

    it("refuse while another node's drain has not seen the cluster green again", () => {
        const s = cluster();
        s.nodes[1].metadata.annotations[MAINTENANCE_ANNOTATION] = "2026-12-02T10:00:00.000Z";
        assert.deepStrictEqual(refusals(s), [
            "node worker-b1 is still under maintenance (drain started 2026-12-02T10:00:00.000Z) and the cluster has not been seen green since: one node at a time. Run `npm run maintenance -- drain worker-b1` again to finish it",
        ]);
    });

    it("let the node's own unfinished drain run again to finish it, even while the cluster is not green", () => {
        const s = cluster();
        s.nodes[0].metadata.annotations[MAINTENANCE_ANNOTATION] = "2026-12-02T10:00:00.000Z";
        s.elasticsearches[0].status.health = "yellow";
        assert.deepStrictEqual(preChecks(s, "worker-a1"), { refusals: [], held: ["worker-a1 is marked from a drain started 2026-12-02T10:00:00.000Z: finishing it (1 pod(s) left to evict)"] });
    });

    it("refuse a finishing drain while another node is marked too", () => {
        const s = cluster();
        s.nodes[0].metadata.annotations[MAINTENANCE_ANNOTATION] = "t0";
        s.nodes[1].metadata.annotations[MAINTENANCE_ANNOTATION] = "t1";
        assert.strictEqual(refusals(s).length, 1);
        assert.match(refusals(s)[0], /^node worker-b1 is still under maintenance/);
    });
});

describe("maintenance: green again", () => {
    it("holds on the healthy cluster", () => {
        assert.deepStrictEqual(notGreen(cluster()), []);
    });

    it("does not hold while a PDB still counts an evicted pod as missing", () => {
        const s = cluster();
        s.pdbs[0].status.currentHealthy = 1;
        assert.deepStrictEqual(notGreen(s), ["PodDisruptionBudget logging/logs-es-default: 1 of 2 pods healthy"]);
    });

    it("does not wait for Jobs", () => {
        const s = cluster() as State & { jobs?: Obj[] };
        s.jobs = [{ metadata: { namespace: "logging", name: "setup", uid: "j" }, status: { conditions: [{ type: "Failed", status: "True" }] } }];
        assert.deepStrictEqual(notGreen(s), []);
    });
});
