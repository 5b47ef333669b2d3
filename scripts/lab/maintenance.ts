/**
 * `npm run maintenance -- drain` against the lab, in the three cases the command exists for:
 *   1. refused by a pre-check: Elasticsearch yellow, nothing touched;
 *   2. a second node refused while the first is not green again: the first node's StatefulSet pod
 *      cannot come back (every other node of its volume's zone cordoned), its drain times out
 *      waiting and leaves the node cordoned and marked; a drain of another node is refused,
 *      naming it; with the zone open again, the same drain finishes;
 *   3. a drain that succeeds: pre-checks, cordon, drain, green again, uncordon.
 * The operators' stand-ins (MongoDB, ECK's health) run all along, as operators do. Elasticsearch
 * has pods to drain because cert-manager's stand-in (cert-manager.ts) wrote the certificate
 * Secret ECK waits for before any operator started.
 */
import { Io } from "../io";
import { EXIT, maintainNode } from "../maintenance/drain";
import { MAINTENANCE_ANNOTATION } from "../maintenance/verdict";
import { pdbsOf } from "./drain";
import { EckStandIn } from "./eck";
import { Lab } from "./kube";

type Obj = Record<string, any>;

export class ScenarioFailure extends Error {}

const ZONE = "topology.kubernetes.io/zone";
const POLL_SECONDS = 1;

/** An Io that keeps every line, indented under the scenario, and prints it too. */
function recording(io: Io): Io & { text: () => string } {
    const lines: string[] = [];
    const keep = (t: string) => {
        lines.push(t);
        io.out(t.replace(/^/gm, "      "));
    };
    return { out: keep, err: keep, text: () => lines.join("\n") };
}

async function nodeState(lab: Lab, node: string): Promise<{ cordoned: boolean; marked: boolean }> {
    const n = JSON.parse(await lab.ok(["get", "node", node, "-o", "json"]));
    return { cordoned: n.spec?.unschedulable === true, marked: n.metadata.annotations?.[MAINTENANCE_ANNOTATION] !== undefined };
}

function expect(condition: boolean, what: string, output: string): void {
    if (!condition) {
        throw new ScenarioFailure(`${what}; the command said:\n${output}`);
    }
}

/**
 * Runs the three scenarios on a settled lab whose workers are `workers`; `eck` is the health
 * stand-in that `reconcile` runs, which the scenarios turn yellow and back. Leaves every node
 * uncordoned.
 */
export async function maintenanceScenarios(lab: Lab, io: Io, workers: readonly string[], eck: EckStandIn, reconcile: () => Promise<void>, settle: () => Promise<void>): Promise<void> {
    await settle();
    let running = true;
    const operators = (async () => {
        while (running) {
            await reconcile();
            await new Promise((r) => setTimeout(r, 500));
        }
    })();
    const run = (node: string, waitTimeoutSeconds = 120) => {
        const out = recording(io);
        return maintainNode(lab, { node, keepCordoned: false, drainTimeoutSeconds: 120, waitTimeoutSeconds, pollSeconds: POLL_SECONDS }, out).then((code) => ({ code, text: out.text() }));
    };
    const nodes: Obj[] = (await lab.list("nodes")).filter((n) => !n.spec?.unschedulable);
    const cordonedHere: string[] = [];
    try {
        // A worker with a StatefulSet pod on a volume, whose zone can be closed around it; and no
        // two of its pods under one PDB, or the drain itself would wait on the pod that cannot return.
        const [pods, pdbs] = await Promise.all([lab.list("pods"), lab.list("pdb")]);
        const evictable = (node: string) => pods.filter((p) => p.spec?.nodeName === node && !(p.metadata.ownerReferences ?? []).some((r: Obj) => r.kind === "DaemonSet"));
        const oneEachBudget = (node: string) => pdbs.every((b) => evictable(node).filter((p) => pdbsOf(p, [b]).length > 0).length <= 1);
        const held = pods.find(
            (p) =>
                workers.includes(p.spec?.nodeName) &&
                oneEachBudget(p.spec.nodeName) &&
                (p.metadata.ownerReferences ?? []).some((r: Obj) => r.kind === "StatefulSet") &&
                (p.spec?.volumes ?? []).some((v: Obj) => v.persistentVolumeClaim),
        );
        if (!held) {
            throw new ScenarioFailure("no StatefulSet pod with a volume runs on a worker: the scenarios have nothing to hold");
        }
        const first = held.spec.nodeName as string;
        const zone = nodes.find((n) => n.metadata.name === first)?.metadata.labels?.[ZONE];
        const zoneMates = nodes.filter((n) => n.metadata.labels?.[ZONE] === zone && n.metadata.name !== first).map((n) => n.metadata.name);
        const second = workers.find((w) => !zoneMates.includes(w) && w !== first);
        if (!second) {
            throw new ScenarioFailure(`no worker outside zone ${zone} for the second drain`);
        }

        // 1. Refused by a pre-check.
        eck.health = "yellow";
        await waitFor("Elasticsearch reported yellow", async () => (await lab.list("elasticsearch")).every((es) => es.status?.health === "yellow"));
        const refused = await run(second);
        const untouched = await nodeState(lab, second);
        expect(refused.code === EXIT.refused, `a drain of ${second} with Elasticsearch yellow exited ${refused.code}, not ${EXIT.refused}`, refused.text);
        expect(/Elasticsearch \S+: health yellow, not green/.test(refused.text), "the refusal does not name Elasticsearch's health", refused.text);
        expect(!untouched.cordoned && !untouched.marked, `the refused drain touched ${second} (${JSON.stringify(untouched)})`, refused.text);
        io.out(`  maintenance: drain of ${second} refused by a pre-check (Elasticsearch yellow), the node untouched`);
        eck.health = "green";
        await waitFor("Elasticsearch reported green", async () => (await lab.list("elasticsearch")).every((es) => es.status?.health === "green"));

        // 2. The first node not green again: a second one refused; the first finished once its zone opens.
        for (const n of zoneMates) {
            await lab.ok(["cordon", n]);
            cordonedHere.push(n);
        }
        const stuck = await run(first, 10);
        const left = await nodeState(lab, first);
        expect(stuck.code === EXIT.failed, `a drain of ${first} whose ${held.metadata.name} cannot come back exited ${stuck.code}, not ${EXIT.failed}`, stuck.text);
        expect(stuck.text.includes(`pod ${held.metadata.name} is Pending`), `the timed-out wait does not name ${held.metadata.name} as Pending`, stuck.text);
        expect(left.cordoned && left.marked, `after its timed-out wait ${first} is not left cordoned and marked (${JSON.stringify(left)})`, stuck.text);
        const next = await run(second);
        expect(next.code === EXIT.refused, `a drain of ${second} while ${first} is not green exited ${next.code}, not ${EXIT.refused}`, next.text);
        expect(next.text.includes(`node ${first} is still under maintenance`), `the refusal of ${second} does not name ${first}'s unfinished maintenance`, next.text);
        io.out(`  maintenance: drain of ${second} refused while ${first} is not green (${held.metadata.name} Pending in zone ${zone})`);
        for (const n of cordonedHere.splice(0)) {
            await lab.ok(["uncordon", n]);
        }
        const finished = await run(first);
        const back = await nodeState(lab, first);
        expect(finished.code === EXIT.done && !back.cordoned && !back.marked, `running the drain of ${first} again did not finish it (exit ${finished.code}, ${JSON.stringify(back)})`, finished.text);
        io.out(`  maintenance: the drain of ${first} run again finished it once its zone had room`);

        // 3. A drain that succeeds.
        const ok = await run(second);
        const after = await nodeState(lab, second);
        expect(ok.code === EXIT.done, `a drain of ${second} on a green cluster exited ${ok.code}`, ok.text);
        expect(["cordoned", "drained", "the cluster is green again", "uncordoned"].every((s) => ok.text.includes(s)), "the drain did not report each step", ok.text);
        expect(!after.cordoned && !after.marked, `after its drain ${second} is not uncordoned and unmarked (${JSON.stringify(after)})`, ok.text);
        io.out(`  maintenance: drain of ${second} done: pre-checks, cordon, drain, green again, uncordon`);
    } finally {
        running = false;
        await operators;
        for (const n of cordonedHere) {
            await lab.ok(["uncordon", n]);
        }
    }
}

async function waitFor(what: string, test: () => Promise<boolean>, seconds = 30): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!(await test())) {
        if (Date.now() > deadline) {
            throw new ScenarioFailure(`${what}: not within ${seconds} s`);
        }
        await new Promise((r) => setTimeout(r, 500));
    }
}
