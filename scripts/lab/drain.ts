/**
 * Node maintenance as the README's runbook describes it, carried out by the programs that do it
 * on a real cluster (kubectl drain, the eviction API, the disruption controller, the scheduler):
 * for each worker in turn, cordon, drain with a timeout, wait until every workload is Ready
 * again, uncordon. And the refusal the PDBs exist for: with one replica of a quorum workload
 * already gone, evicting a second one is answered 429, naming the PDB.
 */
import * as fs from "fs";
import * as path from "path";
import { Cluster, Lab } from "./kube";

type Obj = Record<string, any>;

export const DRAIN_TIMEOUT_SECONDS = 120;

export interface DrainResult {
    readonly node: string;
    readonly seconds: number;
    /** The pods the drain evicted (DaemonSet pods stay). */
    readonly evicted: readonly string[];
}

const onNode = async (lab: Cluster, node: string) =>
    (await lab.list("pods", `--field-selector=spec.nodeName=${node}`)).filter((p) => !(p.metadata.ownerReferences ?? []).some((r: Obj) => r.kind === "DaemonSet"));

const matches = (selector: Obj | undefined, labels: Obj = {}) =>
    selector !== undefined &&
    Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
    (selector.matchExpressions ?? []).every((e: Obj) =>
        e.operator === "In" ? e.values.includes(labels[e.key]) : e.operator === "NotIn" ? !e.values.includes(labels[e.key]) : e.operator === "Exists" ? e.key in labels : !(e.key in labels),
    );

/** The PDBs that select a pod, with what each allows now. */
export function pdbsOf(pod: Obj, pdbs: readonly Obj[]): Obj[] {
    return pdbs.filter((b) => b.metadata.namespace === pod.metadata.namespace && matches(b.spec.selector, pod.metadata.labels));
}

export function describePdb(b: Obj): string {
    const rule = b.spec.maxUnavailable !== undefined ? `maxUnavailable ${b.spec.maxUnavailable}` : `minAvailable ${b.spec.minAvailable}`;
    return `PodDisruptionBudget ${b.metadata.namespace}/${b.metadata.name} (${rule}; ${b.status?.currentHealthy ?? "?"} healthy of ${b.status?.expectedPods ?? "?"}, ${b.status?.disruptionsAllowed ?? 0} disruptions allowed)`;
}

/** PDBs that the disruption controller reports below their floor. */
export function pdbsBelowFloor(pdbs: readonly Obj[]): string[] {
    return pdbs.filter((b) => b.status && b.status.currentHealthy < b.status.desiredHealthy).map(describePdb);
}

/** What holds a drain: each pod still on the node, by the PDB that allows it no disruption. */
export async function drainBlockers(lab: Cluster, node: string): Promise<string[]> {
    const pods = await onNode(lab, node);
    const pdbs = await lab.list("pdb");
    return pods.flatMap((p) => pdbsOf(p, pdbs).filter((b) => (b.status?.disruptionsAllowed ?? 0) === 0).map((b) => `pod ${p.metadata.namespace}/${p.metadata.name} is held by ${describePdb(b)}`));
}

/**
 * Drains one node and brings it back. `settle` waits until every workload is Ready again and
 * every node agent is in place, the drained node's included (and throws naming what is not). While the drain runs, the PDBs are sampled: none may go below its
 * floor.
 */
export async function drainNode(lab: Cluster, node: string, settle: () => Promise<void>, timeout = DRAIN_TIMEOUT_SECONDS): Promise<DrainResult> {
    await lab.ok(["cordon", node]);
    const evicted = (await onNode(lab, node)).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    const below: string[] = [];
    let draining = true;
    const sampler = (async () => {
        while (draining) {
            below.push(...pdbsBelowFloor(await lab.list("pdb")));
            await new Promise((r) => setTimeout(r, 500));
        }
    })();
    const start = Date.now();
    const drain = await lab.kubectl(["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", `--timeout=${timeout}s`]);
    const seconds = (Date.now() - start) / 1000;
    draining = false;
    await sampler;
    if (drain.code !== 0) {
        const blockers = await drainBlockers(lab, node);
        throw new Error(`drain of ${node} did not complete within ${timeout} s: ${blockers.length ? blockers.join("; ") : drain.stderr.trim().split("\n").slice(-3).join(" ")}`);
    }
    if (below.length) {
        throw new Error(`while ${node} drained, a stateful workload went below its PDB: ${[...new Set(below)].join("; ")}`);
    }
    // Still cordoned: the node agents must have stayed on it.
    await settle();
    await lab.ok(["uncordon", node]);
    return { node, seconds, evicted };
}

/**
 * A quorum workload's second replica cannot be evicted while its first is gone. Every node is
 * cordoned, so the first replica's replacement stays Pending; the eviction API then answers the
 * second eviction with 429 and names the PDB. Returns the API's answer; the caller uncordons.
 */
export async function refusedSecondEviction(lab: Lab, pdb: Obj): Promise<string> {
    const pods = (await lab.list("pods", "-n", pdb.metadata.namespace)).filter((p) => matches(pdb.spec.selector, p.metadata.labels) && p.status?.phase === "Running");
    if (pods.length < 2) {
        throw new Error(`${describePdb(pdb)} selects ${pods.length} running pod(s); the refusal needs two`);
    }
    for (const n of await lab.list("nodes")) {
        await lab.ok(["cordon", n.metadata.name]);
    }
    const first = await evict(lab, pods[0]);
    if (first.status !== 201) {
        throw new Error(`evicting ${pods[0].metadata.name}, the first replica, was refused: ${first.status} ${first.body}`);
    }
    // The disruption controller must see the first replica gone before the second request.
    const deadline = Date.now() + 30_000;
    for (;;) {
        const now = JSON.parse(await lab.ok(["get", "pdb", "-n", pdb.metadata.namespace, pdb.metadata.name, "-o", "json"]));
        if ((now.status?.disruptionsAllowed ?? 0) === 0) {
            break;
        }
        if (Date.now() > deadline) {
            throw new Error(`${describePdb(now)} still allows a disruption after one of its pods was evicted`);
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    const second = await evict(lab, pods[1]);
    if (second.status !== 429 || !second.body.includes(pdb.metadata.name)) {
        throw new Error(`evicting ${pods[1].metadata.name} with ${pods[0].metadata.name} gone: expected 429 naming ${pdb.metadata.name}, got ${second.status} ${second.body}`);
    }
    const answer = JSON.parse(second.body);
    return `${second.status} ${answer.message} ${(answer.details?.causes ?? []).map((c: Obj) => c.message).join("; ")}`;
}

/** POSTs an Eviction straight to the API (curl in the lab's namespace), to read its full answer. */
async function evict(lab: Lab, pod: Obj): Promise<{ status: number; body: string }> {
    const kubeconfig = fs.readFileSync(path.join(lab.dir, "kubeconfig"), "utf8");
    const token = /token: "([^"]+)"/.exec(kubeconfig)?.[1];
    const { namespace, name } = pod.metadata;
    const body = JSON.stringify({ apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace } });
    const header = path.join(lab.dir, "auth-header");
    // The token goes through a file, never a command line another process could read.
    fs.writeFileSync(header, `Authorization: Bearer ${token}\n`, { mode: 0o600 });
    const r = await lab.exec(["curl", "-sS", "--cacert", path.join(lab.dir, "pki", "ca.crt"), "-H", `@${header}`, "-H", "Content-Type: application/json", "-X", "POST", "--data-binary", "@-", "-w", "\n%{http_code}", `https://127.0.0.1:6443/api/v1/namespaces/${namespace}/pods/${name}/eviction`], body);
    const lines = r.stdout.trimEnd().split("\n");
    return { status: Number(lines.pop()), body: lines.join("\n") };
}

/**
 * The lab's own control for the drain check: a PDB turned into `minAvailable` equal to its pods
 * must hold a drain, and the failure must name it. Restores the PDB and uncordons afterwards.
 */
export async function heldDrain(lab: Lab, pdb: Obj, node: string): Promise<string> {
    const { namespace, name } = pdb.metadata;
    const original = pdb.spec;
    const patch = (spec: Obj) => lab.ok(["patch", "pdb", "-n", namespace, name, "--type=json", "-p", JSON.stringify([{ op: "replace", path: "/spec", value: spec }])]);
    await patch({ selector: original.selector, minAvailable: pdb.status.expectedPods });
    try {
        const deadline = Date.now() + 30_000;
        while ((JSON.parse(await lab.ok(["get", "pdb", "-n", namespace, name, "-o", "json"])).status?.disruptionsAllowed ?? 1) !== 0) {
            if (Date.now() > deadline) {
                throw new Error(`PodDisruptionBudget ${namespace}/${name} at minAvailable ${pdb.status.expectedPods} still allows a disruption`);
            }
            await new Promise((r) => setTimeout(r, 500));
        }
        try {
            await drainNode(lab, node, async () => undefined, 15);
        } catch (err) {
            const message = (err as Error).message;
            if (!message.includes(`PodDisruptionBudget ${namespace}/${name} `)) {
                throw new Error(`the held drain of ${node} failed without naming ${namespace}/${name}: ${message}`);
            }
            return message;
        }
        throw new Error(`a drain of ${node} completed although PodDisruptionBudget ${namespace}/${name} allowed no disruption`);
    } finally {
        await patch(original);
        await lab.ok(["uncordon", node]);
    }
}
