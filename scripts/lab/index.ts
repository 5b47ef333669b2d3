/**
 * `npm run test:cluster -- [<stack>...]`: every stack (default: all) applied to a fresh lab
 * cluster (tools/cluster) and held to what a real cluster would make of it:
 *   1. every object the stack deploys is accepted by kube-apiserver 1.34 (server-side apply,
 *      CRDs first and Established), with zero rejections;
 *   2. the operators turn their resources into StatefulSets, Services and PDBs;
 *   3. every workload gets all its pods, admitted, scheduled and Ready; every node agent runs on
 *      every Linux node, tainted ones included, and on none of the others; no FailedCreate in any
 *      namespace, and a privileged pod is refused in every platform namespace but the agents';
 *   4. each worker is drained in turn as the README's runbook says, within its timeout, the node
 *      agents staying and no PDB going below its floor; a second eviction from a quorum is refused;
 *   5. (prod) `npm run maintenance -- drain`: refused by a pre-check, a second node refused while
 *      the first is not green, a drain that succeeds (maintenance.ts).
 * Exit codes: 0 every check held, 1 one failed (the message names the object), 2 bad arguments.
 *
 * `npm run test:cluster -- --context <ctx>` runs checks 3 and 4 (settled, agents everywhere, each
 * schedulable worker drained in turn) against a real cluster the stack was deployed to.
 * `npm run lab -- start|stop <dir>` and `npm run lab -- exec <dir> -- <cmd>` run the lab by hand;
 * OBS_LAB_KEEP=1 leaves a failed stack's lab running to be looked at.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readStackFile, runProgram } from "../mock-program";
import { CONSOLE, Io } from "../io";
import { ROOT } from "../root";
import { certificateSecrets, throwawayPem } from "./cert-manager";
import { agentNodes, ClusterState, daemonSetCoverage, pdbProblems, podSecurityProblems, privilegedProbe, workloadProblems } from "./checks";
import { drainNode, heldDrain, pdbsOf, refusedSecondEviction } from "./drain";
import { Cluster, killChildren, Lab, terminated } from "./kube";
import { EckStandIn } from "./eck";
import { MongoDbStandIn } from "./mongodb";
import { applyPhases, LabObject, labObjects, objectName } from "./objects";
import { impersonating, operatorProcesses } from "./operators";
import { maintenanceScenarios } from "./maintenance";

const STACKS = ["dev", "staging", "prod"];
const SETTLE_SECONDS = 240;
/** How long ECK may take to make Elasticsearch's StatefulSets and PDB once it runs. */
const ECK_CREATE_SECONDS = 180;
/** The stack `npm run maintenance`'s lab scenarios run in: the one with quorum stores and zonal volumes. */
const MAINTENANCE_STACK = "prod";

export class LabFailure extends Error {}

/** Server-side apply, as the provider does it; a refused object is named with the API server's words. */
async function apply(lab: Lab, objects: readonly LabObject[]): Promise<void> {
    if (objects.length === 0) {
        return;
    }
    const args = ["apply", "--server-side", "--field-manager=pulumi-kubernetes", "-f", "-"];
    // A stream of documents, not a List: kubectl validates each document as the one object it is.
    const all = await lab.kubectl(args, objects.map((o) => JSON.stringify(o.object)).join("\n---\n"));
    if (all.code === 0) {
        return;
    }
    // Applied one by one to say which objects the server refused, and why.
    const refused: string[] = [];
    for (const o of objects) {
        const one = await lab.kubectl(args, JSON.stringify(o.object));
        if (one.code !== 0) {
            refused.push(`${objectName(o.object)} (${o.source}): ${one.stderr.trim()}`);
        }
    }
    throw new LabFailure(`the API server refused ${refused.length} object(s):\n  ${(refused.length ? refused : [all.stderr.trim()]).join("\n  ")}`);
}

async function state(lab: Cluster): Promise<ClusterState> {
    const [nodes, pods, deployments, statefulSets, daemonSets, jobs, events] = await Promise.all(
        ["nodes", "pods", "deployments", "statefulsets", "daemonsets", "jobs", "events"].map((k) => lab.list(k)),
    );
    return { nodes, pods, deployments, statefulSets, daemonSets, jobs, events };
}

/** Waits until nothing is short of its pods and every agent is in place; fails naming what is not. */
async function settle(lab: Cluster, reconcile: () => Promise<void>, seconds = SETTLE_SECONDS): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        await reconcile();
        const [now, pdbs] = await Promise.all([state(lab), lab.list("pdb")]);
        const problems = [...workloadProblems(now), ...daemonSetCoverage(now), ...pdbProblems(pdbs)];
        if (problems.length === 0) {
            return;
        }
        if (Date.now() > deadline) {
            throw new LabFailure(`not settled within ${seconds} s:\n  ${problems.join("\n  ")}`);
        }
        await new Promise((r) => setTimeout(r, 2000));
    }
}

async function startOperators(lab: Lab, objects: readonly LabObject[], io: Io): Promise<void> {
    const kubeconfig = fs.readFileSync(path.join(lab.dir, "kubeconfig"), "utf8");
    const bin = path.join(lab.dir, "bin");
    for (const op of operatorProcesses(objects, lab.dir)) {
        for (const [name, content] of Object.entries(op.files)) {
            fs.writeFileSync(path.join(lab.dir, name), content);
        }
        const own = path.join(lab.dir, `${op.binary}.kubeconfig`);
        fs.writeFileSync(own, op.kubeconfigImpersonation ? impersonating(kubeconfig, op.serviceAccount) : kubeconfig, { mode: 0o600 });
        const env = Object.entries({ ...op.env, KUBECONFIG: own }).map(([k, v]) => `${k}=${v}`);
        const r = await lab.script("spawn", op.binary, "--", "env", ...env, path.join(bin, op.binary), ...op.args);
        if (r.code !== 0) {
            throw new LabFailure(`${op.binary} did not start (its log: ${path.join(lab.dir, "logs", `${op.binary}.log`)})`);
        }
        io.out(`  ${op.binary} runs as ${op.serviceAccount}`);
    }
}

/**
 * The lab's own control for the node agent check: a copy of a node agent without its tolerations
 * must be reported missing from the tainted nodes, by name. The copy is removed afterwards.
 */
async function untoleratedAgentIsCaught(lab: Lab, agent: any): Promise<string> {
    const name = `${agent.metadata.name}-control`;
    const labels = { "lab.observability/control": name };
    const template = structuredClone(agent.spec.template);
    template.metadata = { ...template.metadata, labels };
    delete template.spec.tolerations;
    const copy = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: agent.metadata.namespace }, spec: { selector: { matchLabels: labels }, template } };
    await lab.ok(["apply", "--server-side", "--field-manager=lab-control", "-f", "-"], JSON.stringify(copy));
    try {
        const deadline = Date.now() + 60_000;
        for (;;) {
            const problems = daemonSetCoverage(await state(lab)).filter((p) => p.startsWith(`DaemonSet ${agent.metadata.namespace}/${name}: `));
            const tainted = problems.filter((p) => / pods on node \S+ \(taints /.test(p));
            // Settled: one pod on each untainted agent node, none on the tainted ones.
            if (tainted.length > 0 && tainted.length === problems.length) {
                return tainted.join("; ");
            }
            if (Date.now() > deadline) {
                throw new LabFailure(`a copy of DaemonSet ${agent.metadata.namespace}/${agent.metadata.name} without tolerations was not caught on the tainted nodes: ${problems.join("; ") || "no problem reported"}`);
            }
            await new Promise((r) => setTimeout(r, 1000));
        }
    } finally {
        // Foreground, so its pods are gone too: a drain refuses pods whose DaemonSet no longer exists.
        await lab.ok(["delete", "daemonset", "-n", agent.metadata.namespace, name, "--cascade=foreground", "--wait=true"]);
        await lab.ok(["wait", "--for=delete", "pod", "-n", agent.metadata.namespace, "-l", `lab.observability/control=${name}`, "--timeout=60s"]);
    }
}

/**
 * The stack's config as the lab runs it: each alerting secret (a Slack or webhook URL, a routing
 * key) a URL that still carries its mock value. Alertmanager refuses a URL-less mock ("unsupported
 * scheme"), and the Prometheus Operator then creates no Alertmanager StatefulSet at all.
 */
export function labConfig(config: Readonly<Record<string, string>>): Record<string, string> {
    const key = "observability-platform:alertingSecrets";
    if (config[key] === undefined) {
        return {};
    }
    const secrets = JSON.parse(config[key]) as Record<string, string>;
    return { [key]: JSON.stringify(Object.fromEntries(Object.entries(secrets).map(([name, value]) => [name, `https://alerting.invalid/${encodeURIComponent(value)}`]))) };
}

/** Nodes the runbook drains: schedulable Linux agent nodes that are not control-plane nodes. */
export function drainableNodes(nodes: readonly any[]): string[] {
    const agents = new Set(agentNodes(nodes));
    return nodes
        .filter((n) => agents.has(n.metadata.name) && !n.spec?.unschedulable && !("node-role.kubernetes.io/control-plane" in (n.metadata.labels ?? {})))
        .filter((n) => !(n.spec?.taints ?? []).some((t: any) => t.effect === "NoSchedule" || t.effect === "NoExecute"))
        .map((n) => n.metadata.name)
        .sort();
}

/** Checks 3 and 4 on a cluster that runs the stack: the lab, or a context of the user's kubeconfig. */
export async function verify(cluster: Cluster, io: Io, reconcile: () => Promise<void>, lap: (what: string) => void): Promise<void> {
    const settleAll = () => settle(cluster, reconcile);
    await settleAll();
    const settled = await state(cluster);
    lap(`settled: ${settled.pods.length} pods Ready on ${settled.nodes.length} nodes, every node agent on every Linux node`);
    for (const node of drainableNodes(settled.nodes)) {
        const drained = await drainNode(cluster, node, settleAll);
        io.out(`  drained ${node} in ${drained.seconds.toFixed(1)} s (${drained.evicted.length} pods evicted), every workload Ready again, agents stayed`);
    }
}

/** The node agents' namespace (components/settings NAMESPACES.nodeAgents), the only privileged one. */
const AGENTS_NAMESPACE = "node-agents";

/**
 * Pod Security, by the API server's own admission: no controller reported a FailedCreate in any
 * namespace, every platform namespace enforces what the plan says, and a pod with a privileged
 * container is refused in every platform namespace but the agents' (server-side dry runs, so
 * admission runs and nothing is created), where the same pod is admitted: the control that the
 * refusal comes from the namespace's level.
 */
async function podSecurityHolds(cluster: Lab, io: Io): Promise<void> {
    const [namespaces, events] = await Promise.all([cluster.list("namespaces"), cluster.list("events")]);
    const problems = podSecurityProblems(namespaces, events, AGENTS_NAMESPACE);
    if (problems.length > 0) {
        throw new LabFailure(`Pod Security:\n  ${problems.join("\n  ")}`);
    }
    const platform = namespaces.filter((n) => n.metadata.labels?.["app.kubernetes.io/part-of"] === "observability-platform").map((n) => n.metadata.name as string).sort();
    const tryPrivileged = (ns: string) => cluster.kubectl(["apply", "--dry-run=server", "-f", "-"], JSON.stringify(privilegedProbe(ns)));
    for (const ns of platform.filter((n) => n !== AGENTS_NAMESPACE)) {
        const r = await tryPrivileged(ns);
        if (r.code === 0 || !/violates PodSecurity/.test(r.stderr)) {
            throw new LabFailure(`a privileged pod in namespace ${ns} was not refused by Pod Security: ${(r.stderr || r.stdout).trim()}`);
        }
    }
    const control = await tryPrivileged(AGENTS_NAMESPACE);
    if (control.code !== 0) {
        throw new LabFailure(`the control failed: a privileged pod in ${AGENTS_NAMESPACE} was refused: ${control.stderr.trim()}`);
    }
    io.out(`  Pod Security: no FailedCreate; a privileged pod is refused in ${platform.length - 1} namespaces and admitted in ${AGENTS_NAMESPACE} only`);
}

/** The lab's own controls, and the eviction API's refusal: what only a throwaway cluster may be put through. */
async function controls(lab: Lab, io: Io, reconcile: () => Promise<void>): Promise<void> {
    const settled = await state(lab);
    const workers = drainableNodes(settled.nodes);
    const caught = await untoleratedAgentIsCaught(lab, settled.daemonSets[0]);
    io.out(`  control: an agent without tolerations is caught (${caught.split("; ").length} tainted nodes): ${caught.split("; ")[0]}`);
    const pdbs = await lab.list("pdb");
    const statefulPods = settled.pods.filter((p) => (p.metadata.ownerReferences ?? []).some((r: any) => r.kind === "StatefulSet"));
    const held = statefulPods.filter((p) => workers.includes(p.spec?.nodeName)).map((p) => ({ pod: p, pdb: pdbsOf(p, pdbs)[0] })).find((c) => c.pdb);
    if (!held) {
        throw new LabFailure("no StatefulSet pod on a worker is covered by a PDB: the drain control has nothing to hold");
    }
    io.out(`  control: a PDB at minAvailable = its pods holds the drain: ${await heldDrain(lab, held.pdb, held.pod.spec.nodeName)}`);
    await settle(lab, reconcile);
    const quorum = pdbs.find((b) => (b.status?.expectedPods ?? 0) >= 2 && statefulPods.some((p) => pdbsOf(p, [b]).length > 0));
    if (!quorum) {
        io.out("  no stateful workload with two or more replicas under a PDB: the refusal is shown in the larger stacks");
        return;
    }
    io.out(`  second eviction from ${quorum.metadata.namespace}/${quorum.metadata.name} refused: ${await refusedSecondEviction(lab, quorum)}`);
    for (const n of settled.nodes) {
        await lab.ok(["uncordon", n.metadata.name]);
    }
    await settle(lab, reconcile);
}

export async function testStack(stack: string, io: Io): Promise<void> {
    const started = Date.now();
    const lap = (what: string) => io.out(`  ${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    const objects = await labObjects(await runProgram(stack, { config: labConfig(readStackFile(path.join(ROOT, `Pulumi.${stack}.yaml`)).config) }));
    const lab = new Lab(fs.mkdtempSync(path.join(os.tmpdir(), `obs-lab-${stack}-`)));
    io.out(`${stack}: ${objects.length} objects, lab in ${lab.dir}`);
    const up = await lab.script("start");
    if (up.code !== 0) {
        throw new LabFailure(`${stack}: the lab did not start (logs in ${path.join(lab.dir, "logs")})`);
    }
    let passed = false;
    try {
        const phases = applyPhases(objects);
        await apply(lab, phases.crds);
        await lab.ok(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
        await apply(lab, phases.namespaces);
        await apply(lab, phases.objects);
        await apply(lab, certificateSecrets(phases.objects, throwawayPem()));
        await apply(lab, phases.webhooks);
        lap(`accepted: ${objects.length} objects, zero rejections`);
        await startOperators(lab, objects, io);
        const mongo = new MongoDbStandIn(lab);
        // Without a health API to ask, ECK holds every drain of a multi-node cluster (eck.ts).
        const eck = new EckStandIn(lab);
        await eck.takeOverWhenCreated(ECK_CREATE_SECONDS);
        const reconcile = async () => {
            await mongo.reconcile();
            await eck.reconcile();
        };
        await verify(lab, io, reconcile, lap);
        // In the lab only: on a shared cluster other teams' FailedCreates are not the stack's.
        await podSecurityHolds(lab, io);
        await controls(lab, io, reconcile);
        if (stack === MAINTENANCE_STACK) {
            await maintenanceScenarios(lab, io, drainableNodes((await state(lab)).nodes), eck, reconcile, () => settle(lab, reconcile));
            lap("npm run maintenance: a drain refused by a pre-check, a second node refused until the first is green, a drain done");
        }
        lap(`${stack} passed`);
        passed = true;
    } finally {
        if (!passed && process.env.OBS_LAB_KEEP === "1") {
            io.err(`OBS_LAB_KEEP=1: the lab stays up for a look (npm run lab -- exec ${lab.dir} -- kubectl ...); npm run lab -- stop ${lab.dir} ends it`);
        } else {
            await lab.script("stop");
            if (passed) {
                fs.rmSync(lab.dir, { recursive: true, force: true });
            }
        }
    }
}

async function passThrough(argv: readonly string[]): Promise<number> {
    const [command, dir, ...rest] = argv;
    const lab = new Lab(path.resolve(dir));
    if (command === "exec") {
        const r = await lab.exec(rest[0] === "--" ? rest.slice(1) : rest);
        process.stdout.write(r.stdout);
        process.stderr.write(r.stderr);
        return r.code;
    }
    const r = await lab.script(command as "start" | "stop");
    return r.code;
}

export async function main(argv: readonly string[], io: Io = CONSOLE): Promise<number> {
    if (["start", "stop", "exec"].includes(argv[0])) {
        if (argv.length < 2) {
            io.err("usage: npm run lab -- start|stop <dir> | exec <dir> -- <command>");
            return 2;
        }
        return passThrough(argv);
    }
    if (argv[0] === "--context") {
        if (argv.length !== 2) {
            io.err("usage: npm run test:cluster -- --context <kubeconfig context>   (checks a cluster the stack was deployed to with pulumi up)");
            return 2;
        }
        const started = Date.now();
        try {
            await verify(new Cluster(argv[1]), io, async () => undefined, (what) => io.out(`  ${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`));
            return 0;
        } catch (err) {
            io.err(`CLUSTER CHECK FAILED (${argv[1]}): ${err instanceof Error ? err.message : String(err)}`);
            return 1;
        }
    }
    const unknown = argv.filter((s) => !STACKS.includes(s) && !fs.existsSync(path.join(ROOT, `Pulumi.${s}.yaml`)));
    if (unknown.length) {
        io.err(`error: no stack file Pulumi.${unknown[0]}.yaml; stacks here: ${STACKS.join(", ")}`);
        return 2;
    }
    for (const stack of argv.length ? argv : STACKS) {
        try {
            await testStack(stack, io);
        } catch (err) {
            io.err(`LAB FAILED (${stack}): ${err instanceof Error ? err.message : String(err)}`);
            return 1;
        }
    }
    return 0;
}

if (require.main === module) {
    const stop = () => killChildren();
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    main(process.argv.slice(2)).then((code) => process.exit(terminated() ? 143 : code));
}
