import * as assert from "assert";
import { agentNodes, ClusterState, daemonSetCoverage, podProblem, podSecurityProblems, workloadProblems } from "../../../scripts/lab/checks";

type Obj = Record<string, any>;

const LINUX = { "kubernetes.io/os": "linux" };
const node = (name: string, labels: Obj = LINUX, taints?: Obj[]) => ({ metadata: { name, labels }, spec: taints ? { taints } : {} });
const INFRA_TAINTS = [
    { key: "dedicated", value: "infra", effect: "NoSchedule" },
    { key: "node-role.kubernetes.io/infra", effect: "NoExecute" },
];

const owner = (kind: string, name: string) => ({ apiVersion: kind === "Job" ? "batch/v1" : "apps/v1", kind, name, uid: `uid-${name}`, controller: true });
const READY = { phase: "Running", conditions: [{ type: "PodScheduled", status: "True" }, { type: "Ready", status: "True" }] };
const UNSCHEDULABLE = "0/5 nodes are available: 2 node(s) had untolerated taint {dedicated: infra}, 3 node(s) didn't match Pod's node affinity/selector.";
const pending = (message?: string) => ({ phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", ...(message ? { message } : {}) }] });
const pod = (name: string, ownedBy: Obj, nodeName?: string, status: Obj = READY): Obj => ({
    metadata: { namespace: "obs", name, uid: `uid-${name}`, ownerReferences: [ownedBy] },
    spec: nodeName ? { nodeName } : {},
    status,
});
const event = (reason: string, involvedObject: Obj, message: string, lastTimestamp = "2026-01-01T00:00:00Z") => ({ reason, involvedObject, message, lastTimestamp });

const WEB_RS = owner("ReplicaSet", "web-5d8f7c9b4");
const AGENT = owner("DaemonSet", "agent");
const DB = owner("StatefulSet", "db");
const MIGRATE = owner("Job", "migrate");

/** What the API server returns, as the cases change it. */
type State = { -readonly [K in keyof ClusterState]: Obj[] };

/** A cluster where everything holds: two Linux workers (one tainted), the nodes agents stay off, and one of each workload, all Ready. */
function cluster(): State {
    return {
        nodes: [
            node("lab-worker-1"),
            node("lab-worker-2", LINUX, INFRA_TAINTS),
            node("win-1", { "kubernetes.io/os": "windows" }),
            node("virtual-1", { ...LINUX, type: "virtual-kubelet" }),
            node("fargate-1", { ...LINUX, "eks.amazonaws.com/compute-type": "fargate" }),
        ],
        pods: [
            pod("agent-7xk2p", AGENT, "lab-worker-1"),
            pod("agent-q9m4d", AGENT, "lab-worker-2"),
            pod("web-5d8f7c9b4-x2x7q", WEB_RS, "lab-worker-1"),
            pod("db-0", DB, "lab-worker-1"),
            pod("migrate-4hb8z", MIGRATE, "lab-worker-1", { phase: "Succeeded", conditions: [{ type: "PodScheduled", status: "True" }] }),
        ],
        deployments: [{ metadata: { namespace: "obs", name: "web", uid: "uid-web" }, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1, updatedReplicas: 1 } }],
        statefulSets: [{ metadata: { namespace: "obs", name: "db", uid: "uid-db" }, spec: { replicas: 1 }, status: { replicas: 1, readyReplicas: 1 } }],
        daemonSets: [{ metadata: { namespace: "obs", name: "agent", uid: "uid-agent" }, status: { desiredNumberScheduled: 2, numberReady: 2 } }],
        jobs: [{ metadata: { namespace: "obs", name: "migrate", uid: "uid-migrate" }, status: { conditions: [{ type: "Complete", status: "True" }] } }],
        events: [],
    };
}

describe("lab checks: agentNodes", () => {
    it("counts every Linux node as an agent node, tainted ones included, sorted by name", () => {
        assert.deepStrictEqual(agentNodes([node("b"), node("a", LINUX, INFRA_TAINTS)]), ["a", "b"]);
    });

    it("leaves out Windows nodes", () => {
        assert.deepStrictEqual(agentNodes([node("a"), node("win", { "kubernetes.io/os": "windows" })]), ["a"]);
    });

    it("leaves out virtual-kubelet nodes, though they say they run Linux", () => {
        assert.deepStrictEqual(agentNodes([node("a"), node("vk", { ...LINUX, type: "virtual-kubelet" })]), ["a"]);
    });

    it("leaves out EKS Fargate nodes, though they say they run Linux", () => {
        assert.deepStrictEqual(agentNodes([node("a"), node("fargate", { ...LINUX, "eks.amazonaws.com/compute-type": "fargate" })]), ["a"]);
    });

    it("keeps an EKS node of another compute type", () => {
        assert.deepStrictEqual(agentNodes([node("a", { ...LINUX, "eks.amazonaws.com/compute-type": "ec2" })]), ["a"]);
    });
});

describe("lab checks: daemonSetCoverage", () => {
    it("passes one pod on each agent node and none on the others", () => {
        assert.deepStrictEqual(daemonSetCoverage(cluster()), []);
    });

    it("reports a tainted agent node without a pod, naming the DaemonSet, the node and its taints", () => {
        const state = cluster();
        state.pods = state.pods.filter((p) => p.metadata.name !== "agent-q9m4d");
        assert.deepStrictEqual(daemonSetCoverage(state), ["DaemonSet obs/agent: 0 pods on node lab-worker-2 (taints dedicated=infra:NoSchedule, node-role.kubernetes.io/infra:NoExecute), expected 1"]);
    });

    it("reports an untainted agent node without a pod, with no taints to list", () => {
        const state = cluster();
        state.pods = state.pods.filter((p) => p.metadata.name !== "agent-7xk2p");
        assert.deepStrictEqual(daemonSetCoverage(state), ["DaemonSet obs/agent: 0 pods on node lab-worker-1, expected 1"]);
    });

    it("reports two pods of one DaemonSet on one node", () => {
        const state = cluster();
        state.pods.push(pod("agent-zz8wd", AGENT, "lab-worker-1"));
        assert.deepStrictEqual(daemonSetCoverage(state), ["DaemonSet obs/agent: 2 pods on node lab-worker-1, expected 1"]);
    });

    it("does not count a terminating pod beside its replacement", () => {
        const state = cluster();
        state.pods.push({ ...pod("agent-old01", AGENT, "lab-worker-1"), metadata: { ...pod("agent-old01", AGENT).metadata, deletionTimestamp: "2026-01-01T00:00:00Z" } });
        assert.deepStrictEqual(daemonSetCoverage(state), []);
    });

    it("reports a pod on the Windows node, which agents must stay off", () => {
        const state = cluster();
        state.pods.push(pod("agent-w1n2k", AGENT, "win-1"));
        assert.deepStrictEqual(daemonSetCoverage(state), ["DaemonSet obs/agent: 1 pod(s) on node win-1, which node agents must stay off"]);
    });

    it("reports a pod on a virtual-kubelet node, which agents must stay off", () => {
        const state = cluster();
        state.pods.push(pod("agent-v1r7t", AGENT, "virtual-1"));
        assert.deepStrictEqual(daemonSetCoverage(state), ["DaemonSet obs/agent: 1 pod(s) on node virtual-1, which node agents must stay off"]);
    });

    it("reports a Pending pod with no node, and the agent node it is missing from", () => {
        const state = cluster();
        state.pods = state.pods.map((p) => (p.metadata.name === "agent-q9m4d" ? pod("agent-q9m4d", AGENT, undefined, pending(UNSCHEDULABLE)) : p));
        assert.deepStrictEqual(daemonSetCoverage(state), [
            "DaemonSet obs/agent: 0 pods on node lab-worker-2 (taints dedicated=infra:NoSchedule, node-role.kubernetes.io/infra:NoExecute), expected 1",
            "DaemonSet obs/agent: 1 pod(s) on no node (Pending)",
        ]);
    });

    it("holds each DaemonSet to every agent node on its own, by the pods it owns", () => {
        const state = cluster();
        state.daemonSets.push({ metadata: { namespace: "obs", name: "exporter", uid: "uid-exporter" }, status: { desiredNumberScheduled: 2, numberReady: 1 } });
        state.pods.push(pod("exporter-d7f2s", owner("DaemonSet", "exporter"), "lab-worker-1"));
        assert.deepStrictEqual(daemonSetCoverage(state), ["DaemonSet obs/exporter: 0 pods on node lab-worker-2 (taints dedicated=infra:NoSchedule, node-role.kubernetes.io/infra:NoExecute), expected 1"]);
    });
});

describe("lab checks: workloadProblems", () => {
    it("finds nothing when every workload has its pods Ready and every Job completed", () => {
        assert.deepStrictEqual(workloadProblems(cluster()), []);
    });

    it("reports a Deployment short of Ready pods with the scheduler's message for its Pending pod", () => {
        const state = cluster();
        state.deployments[0].status = { replicas: 1, readyReplicas: 0, updatedReplicas: 1 };
        state.pods = state.pods.map((p) => (p.metadata.name === "web-5d8f7c9b4-x2x7q" ? pod("web-5d8f7c9b4-x2x7q", WEB_RS, undefined, pending(UNSCHEDULABLE)) : p));
        assert.deepStrictEqual(workloadProblems(state), [`Deployment obs/web: 0/1 pods Ready (pod web-5d8f7c9b4-x2x7q is Pending, not scheduled: ${UNSCHEDULABLE})`]);
    });

    it("reports a Deployment without pods with its ReplicaSet's FailedCreate message", () => {
        const state = cluster();
        state.deployments[0].status = { replicas: 0, readyReplicas: 0, updatedReplicas: 0 };
        state.pods = state.pods.filter((p) => p.metadata.name !== "web-5d8f7c9b4-x2x7q");
        const refusal = 'pods "web-5d8f7c9b4-x2x7q" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true';
        state.events.push(event("FailedCreate", { kind: "ReplicaSet", namespace: "obs", name: "web-5d8f7c9b4", uid: "uid-web-5d8f7c9b4" }, `Error creating: ${refusal}\n`));
        assert.deepStrictEqual(workloadProblems(state), [`Deployment obs/web: 0/1 pods Ready (FailedCreate: Error creating: ${refusal})`]);
    });

    it("does not give a Deployment the FailedCreate of another Deployment's ReplicaSet whose name starts with its own", () => {
        const state = cluster();
        state.deployments[0].status = { replicas: 0, readyReplicas: 0, updatedReplicas: 0 };
        state.pods = state.pods.filter((p) => p.metadata.name !== "web-5d8f7c9b4-x2x7q");
        state.events.push(event("FailedCreate", { kind: "ReplicaSet", namespace: "obs", name: "web-api-6c9d7f8b5", uid: "uid-web-api-6c9d7f8b5" }, "Error creating: exceeded quota"));
        assert.deepStrictEqual(workloadProblems(state), ["Deployment obs/web: 0/1 pods Ready"]);
    });

    it("does not give a Deployment the Pending pods of another Deployment whose name starts with its own", () => {
        const state = cluster();
        state.deployments[0].status = { replicas: 0, readyReplicas: 0, updatedReplicas: 0 };
        state.pods = state.pods.map((p) => (p.metadata.name === "web-5d8f7c9b4-x2x7q" ? pod("web-api-6c9d7f8b5-k2w9p", owner("ReplicaSet", "web-api-6c9d7f8b5"), undefined, pending(UNSCHEDULABLE)) : p));
        assert.deepStrictEqual(workloadProblems(state), ["Deployment obs/web: 0/1 pods Ready"]);
    });

    it("does not give a Deployment the FailedCreate of a ReplicaSet of the same name in another namespace", () => {
        const state = cluster();
        state.deployments[0].status = { replicas: 0, readyReplicas: 0, updatedReplicas: 0 };
        state.pods = state.pods.filter((p) => p.metadata.name !== "web-5d8f7c9b4-x2x7q");
        state.events.push(event("FailedCreate", { kind: "ReplicaSet", namespace: "other", name: "web-5d8f7c9b4", uid: "uid-other" }, "Error creating: exceeded quota"));
        assert.deepStrictEqual(workloadProblems(state), ["Deployment obs/web: 0/1 pods Ready"]);
    });

    it("reports a Deployment whose pods are Ready but not all updated, naming it", () => {
        const state = cluster();
        state.deployments[0].status = { replicas: 1, readyReplicas: 1, updatedReplicas: 0 };
        assert.deepStrictEqual(workloadProblems(state), ["Deployment obs/web: 1/1 pods Ready"]);
    });

    it("expects one pod of a Deployment that sets no replicas", () => {
        const state = cluster();
        state.deployments[0].spec = {};
        state.deployments[0].status = {};
        state.pods = state.pods.filter((p) => p.metadata.name !== "web-5d8f7c9b4-x2x7q");
        assert.deepStrictEqual(workloadProblems(state), ["Deployment obs/web: 0/1 pods Ready"]);
    });

    it("reports a StatefulSet short of Ready pods with its FailedCreate and its Pending pod's scheduler message", () => {
        const state = cluster();
        state.statefulSets[0].spec.replicas = 2;
        state.pods.push(pod("db-1", DB, undefined, pending(UNSCHEDULABLE)));
        state.events.push(event("FailedCreate", { kind: "StatefulSet", namespace: "obs", name: "db", uid: "uid-db" }, "create Claim data-db-2 for Pod db-2 in StatefulSet db failed error: exceeded quota"));
        assert.deepStrictEqual(workloadProblems(state), [
            `StatefulSet obs/db: 1/2 pods Ready (FailedCreate: create Claim data-db-2 for Pod db-2 in StatefulSet db failed error: exceeded quota; pod db-1 is Pending, not scheduled: ${UNSCHEDULABLE})`,
        ]);
    });

    it("gives the newest FailedCreate message of a StatefulSet, by time and not by list order", () => {
        const state = cluster();
        state.statefulSets[0].status.readyReplicas = 0;
        const db = { kind: "StatefulSet", namespace: "obs", name: "db", uid: "uid-db" };
        state.events.push(event("FailedCreate", db, "the newer refusal", "2026-01-01T00:05:00Z"), event("FailedCreate", db, "the older refusal", "2026-01-01T00:01:00Z"));
        assert.deepStrictEqual(workloadProblems(state), ["StatefulSet obs/db: 0/1 pods Ready (FailedCreate: the newer refusal)"]);
    });

    it("reports a DaemonSet short of Ready pods with its FailedCreate and its Pending pod's scheduler message", () => {
        const state = cluster();
        state.daemonSets[0].status.numberReady = 1;
        state.pods = state.pods.map((p) => (p.metadata.name === "agent-q9m4d" ? pod("agent-q9m4d", AGENT, undefined, pending(UNSCHEDULABLE)) : p));
        state.events.push(event("FailedCreate", { kind: "DaemonSet", namespace: "obs", name: "agent", uid: "uid-agent" }, 'Error creating: pods "agent-m2n8c" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes'));
        assert.deepStrictEqual(workloadProblems(state), [
            `DaemonSet obs/agent: 1/2 pods Ready (FailedCreate: Error creating: pods "agent-m2n8c" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes; pod agent-q9m4d is Pending, not scheduled: ${UNSCHEDULABLE})`,
        ]);
    });

    it("lists only the pods that are not Ready among a workload's reasons", () => {
        const state = cluster();
        state.statefulSets[0].spec.replicas = 2;
        state.pods.push(pod("db-1", DB, "lab-worker-2", { phase: "Pending", conditions: [{ type: "PodScheduled", status: "True" }] }));
        assert.deepStrictEqual(workloadProblems(state), ["StatefulSet obs/db: 1/2 pods Ready (pod db-1 on lab-worker-2 is Pending, not Ready)"]);
    });

    it("reports a Job that has not completed", () => {
        const state = cluster();
        state.jobs[0].status = { active: 1 };
        assert.deepStrictEqual(workloadProblems(state), ["Job obs/migrate: not complete"]);
    });

    it("reports a Failed Job with its Failed condition's message", () => {
        const state = cluster();
        state.jobs[0].status = { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] };
        assert.deepStrictEqual(workloadProblems(state), ["Job obs/migrate: not complete (Failed: Job has reached the specified backoff limit)"]);
    });

    it("reports a Failed Job by its reason when the condition has no message", () => {
        const state = cluster();
        state.jobs[0].status = { failed: 1, conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded" }] };
        assert.deepStrictEqual(workloadProblems(state), ["Job obs/migrate: not complete (Failed: DeadlineExceeded)"]);
    });

    it("lists a Job's Failed pod among its reasons, and not the pod that Succeeded", () => {
        const state = cluster();
        state.jobs[0].status = { succeeded: 1, failed: 1, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" }] };
        state.pods.push(pod("migrate-9xk2d", MIGRATE, "lab-worker-2", { phase: "Failed", conditions: [{ type: "PodScheduled", status: "True" }] }));
        assert.deepStrictEqual(workloadProblems(state), ["Job obs/migrate: not complete (Failed: Job has reached the specified backoff limit; pod migrate-9xk2d on lab-worker-2 is Failed, not Ready)"]);
    });

    it("reports a Job whose Complete condition is False", () => {
        const state = cluster();
        state.jobs[0].status = { conditions: [{ type: "Complete", status: "False" }] };
        assert.deepStrictEqual(workloadProblems(state), ["Job obs/migrate: not complete"]);
    });
});

describe("lab checks: podProblem", () => {
    it("gives a Pending pod's PodScheduled message", () => {
        const p = pod("db-1", DB, undefined, pending(UNSCHEDULABLE));
        assert.strictEqual(podProblem(p, []), `pod db-1 is Pending, not scheduled: ${UNSCHEDULABLE}`);
    });

    it("falls back to the pod's FailedScheduling events when its condition has no message", () => {
        const p = pod("db-1", DB, undefined, pending());
        const events = [event("FailedScheduling", { kind: "Pod", namespace: "obs", name: "db-1", uid: "uid-db-1" }, UNSCHEDULABLE)];
        assert.strictEqual(podProblem(p, events), `pod db-1 is Pending, not scheduled: FailedScheduling: ${UNSCHEDULABLE}`);
    });

    it("ignores another pod's FailedScheduling events", () => {
        const p = pod("db-1", DB, undefined, pending());
        const events = [event("FailedScheduling", { kind: "Pod", namespace: "obs", name: "db-2", uid: "uid-db-2" }, UNSCHEDULABLE)];
        assert.strictEqual(podProblem(p, events), "pod db-1 is Pending, not scheduled");
    });

    it("names the node and phase of a scheduled pod that is not Ready", () => {
        assert.strictEqual(podProblem(pod("db-0", DB, "lab-worker-1", { phase: "Running", conditions: [{ type: "Ready", status: "False" }] }), []), "pod db-0 on lab-worker-1 is Running, not Ready");
    });

    it("says a scheduled pod has no status yet", () => {
        const p = pod("db-0", DB, "lab-worker-1");
        delete p.status;
        assert.strictEqual(podProblem(p, []), "pod db-0 on lab-worker-1 is without status, not Ready");
    });
});

describe("lab checks: podSecurityProblems", () => {
    const ns = (name: string, level?: string) => ({ metadata: { name, labels: { "app.kubernetes.io/part-of": "observability-platform", ...(level ? { "pod-security.kubernetes.io/enforce": level } : {}) } } });
    const planned = [ns("node-agents", "privileged"), ns("logging", "restricted"), ns("graylog", "baseline"), { metadata: { name: "kube-system", labels: {} } }];

    it("passes a cluster without FailedCreate whose namespaces enforce what the plan allows", () => {
        assert.deepStrictEqual(podSecurityProblems(planned, [{ reason: "Scheduled", message: "ok" }], "node-agents"), []);
    });

    it("names every FailedCreate, in any namespace, once", () => {
        const refused = { reason: "FailedCreate", involvedObject: { kind: "StatefulSet", namespace: "logging", name: "logs-es-default" }, message: 'pods "logs-es-default-0" is forbidden: violates PodSecurity "restricted:latest": privileged ' };
        assert.deepStrictEqual(podSecurityProblems(planned, [refused, refused], "node-agents"),
            ['FailedCreate for StatefulSet logging/logs-es-default: pods "logs-es-default-0" is forbidden: violates PodSecurity "restricted:latest": privileged']);
    });

    it("refuses a privileged platform namespace other than the agents', and an agents' namespace that is not privileged", () => {
        assert.deepStrictEqual(podSecurityProblems([ns("node-agents", "baseline"), ns("logging", "privileged"), ns("tracing")], [], "node-agents"), [
            "namespace node-agents enforces baseline, not privileged",
            "namespace logging enforces privileged, not restricted or baseline",
            "namespace tracing enforces nothing, not restricted or baseline",
        ]);
    });
});
