/**
 * The README's node-maintenance runbook, carried out: pre-checks, cordon, drain with a timeout,
 * wait until the cluster is green again, uncordon. kubectl does the work (the layer package's
 * v1.34, as the lab uses it): `kubectl drain` evicts through the Eviction API, so every PDB is
 * honoured and a refused eviction is retried until the budget allows it or the timeout passes.
 *
 * The node carries MAINTENANCE_ANNOTATION from before the cordon until the cluster is green again,
 * so a drain of another node is refused meanwhile, also when this one was interrupted or timed out.
 * Running the same drain again finishes it.
 */
import { Io } from "../io";
import { Cluster } from "../lab/kube";
import { drainBlockers } from "../lab/drain";
import { evictable, MAINTENANCE_ANNOTATION, notGreen, Observed, preChecks } from "./verdict";

type Obj = Record<string, any>;

export const EXIT = { done: 0, failed: 1, usage: 2, refused: 3 } as const;

export interface DrainRun {
    readonly node: string;
    readonly keepCordoned: boolean;
    readonly drainTimeoutSeconds: number;
    readonly waitTimeoutSeconds: number;
    /** How often the cluster is looked at while waiting. */
    readonly pollSeconds: number;
}

/** A custom resource list, or none when the cluster does not have its CRD (a stack without that store). */
async function customResources(cluster: Cluster, resource: string): Promise<Obj[]> {
    const r = await cluster.kubectl(["get", resource, "-A", "-o", "json"]);
    if (r.code === 0) {
        return JSON.parse(r.stdout).items;
    }
    if (/the server doesn't have a resource type/.test(r.stderr)) {
        return [];
    }
    throw new Error(`kubectl get ${resource}: ${r.stderr.trim()}`);
}

/** One look at everything the verdicts read. */
export async function observe(cluster: Cluster): Promise<Observed> {
    const [nodes, pods, deployments, statefulSets, daemonSets, events, pdbs] = await Promise.all(
        ["nodes", "pods", "deployments", "statefulsets", "daemonsets", "events", "poddisruptionbudgets"].map((k) => cluster.list(k)),
    );
    const [elasticsearches, mongodbs, prometheuses, alertmanagers] = await Promise.all(
        ["elasticsearches.elasticsearch.k8s.elastic.co", "mongodbcommunity.mongodbcommunity.mongodb.com", "prometheuses.monitoring.coreos.com", "alertmanagers.monitoring.coreos.com"].map((r) =>
            customResources(cluster, r),
        ),
    );
    return { nodes, pods, deployments, statefulSets, daemonSets, events, pdbs, elasticsearches, mongodbs, prometheuses, alertmanagers };
}

const sleep = (seconds: number) => new Promise((r) => setTimeout(r, seconds * 1000));

/**
 * Waits until the cluster is green in two looks in a row (a controller's status can lag the pod
 * it just lost by a moment), printing what it waits for whenever that changes. Returns what was
 * still not green at the deadline, or nothing.
 */
async function waitGreen(cluster: Cluster, run: DrainRun, io: Io, stamp: () => string): Promise<string[]> {
    const deadline = Date.now() + run.waitTimeoutSeconds * 1000;
    let shown = "";
    let greenBefore = false;
    for (;;) {
        const problems = notGreen(await observe(cluster));
        if (problems.length === 0 && greenBefore) {
            return [];
        }
        greenBefore = problems.length === 0;
        const now = problems.join("\n");
        if (problems.length && now !== shown) {
            io.out(`${stamp()} waiting until the cluster is green (up to ${run.waitTimeoutSeconds} s):\n    ${problems.join("\n    ")}`);
            shown = now;
        }
        if (Date.now() > deadline && problems.length) {
            return problems;
        }
        await sleep(run.pollSeconds);
    }
}

/** `kubectl drain` with the runbook's flags, printing what is left on the node and what holds it while it runs. */
async function drainWithProgress(cluster: Cluster, run: DrainRun, io: Io, stamp: () => string): Promise<{ code: number; stderr: string }> {
    const drain = cluster.kubectl(["drain", run.node, "--ignore-daemonsets", "--delete-emptydir-data", `--timeout=${run.drainTimeoutSeconds}s`]);
    let done = false;
    void drain.then(() => (done = true), () => (done = true));
    let shown = "";
    const progress = Math.max(run.pollSeconds, 10);
    for (;;) {
        await Promise.race([drain, sleep(progress)]);
        if (done) {
            return drain;
        }
        const left = evictable(await cluster.list("pods", `--field-selector=spec.nodeName=${run.node}`), run.node);
        const held = await drainBlockers(cluster, run.node);
        const now = `${left.length} pod(s) left on ${run.node}${held.length ? `; held: ${held.join("; ")}` : ""}`;
        if (now !== shown && !done) {
            io.out(`${stamp()} draining: ${now}`);
            shown = now;
        }
    }
}

/** The whole runbook for one node. Returns the exit code; every step is printed as it happens. */
export async function maintainNode(cluster: Cluster, run: DrainRun, io: Io): Promise<number> {
    const started = Date.now();
    const stamp = () => `[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s]`;
    const { node } = run;
    const context = cluster.context ?? (await cluster.ok(["config", "current-context"])).trim();
    io.out(`${stamp()} drain ${node} on context ${context}: pre-checks`);
    const before = await observe(cluster);
    const verdict = preChecks(before, node);
    if (verdict.refusals.length) {
        io.err(`REFUSED: ${node} was not touched:\n  - ${verdict.refusals.join("\n  - ")}`);
        return EXIT.refused;
    }
    for (const line of verdict.held) {
        io.out(`    ok: ${line}`);
    }
    if (before.nodes.find((n) => n.metadata.name === node)?.metadata.annotations?.[MAINTENANCE_ANNOTATION] === undefined) {
        await cluster.ok(["annotate", "node", node, `${MAINTENANCE_ANNOTATION}=${new Date().toISOString()}`]);
    }
    await cluster.ok(["cordon", node]);
    io.out(`${stamp()} cordoned ${node}; draining ${evictable(before.pods, node).length} pod(s) (timeout ${run.drainTimeoutSeconds} s; DaemonSet pods stay)`);
    const drained = await drainWithProgress(cluster, run, io, stamp);
    if (drained.code !== 0) {
        const held = await drainBlockers(cluster, node);
        io.err(
            `FAILED: the drain of ${node} did not complete within ${run.drainTimeoutSeconds} s: ${held.length ? held.join("; ") : drained.stderr.trim().split("\n").slice(-3).join(" ")}\n` +
                `  ${node} stays cordoned and marked; fix what holds it (see README "Node maintenance") and run the same command again.`,
        );
        return EXIT.failed;
    }
    io.out(`${stamp()} drained ${node}`);
    const left = await waitGreen(cluster, run, io, stamp);
    if (left.length) {
        io.err(
            `FAILED: the cluster is not green ${run.waitTimeoutSeconds} s after the drain of ${node}:\n    ${left.join("\n    ")}\n` +
                `  ${node} stays cordoned and marked, and other nodes' drains are refused until the cluster is green; run the same command again to finish.`,
        );
        return EXIT.failed;
    }
    io.out(`${stamp()} the cluster is green again`);
    if (run.keepCordoned) {
        io.out(`${stamp()} ${node} stays cordoned (--keep-cordoned)`);
    } else {
        await cluster.ok(["uncordon", node]);
        io.out(`${stamp()} uncordoned ${node}`);
    }
    await cluster.ok(["annotate", "node", node, `${MAINTENANCE_ANNOTATION}-`]);
    io.out(`${stamp()} done: ${node} maintained; the next node may be drained`);
    return EXIT.done;
}
