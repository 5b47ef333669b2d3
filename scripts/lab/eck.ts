/**
 * A stand-in for what ECK writes from Elasticsearch's health API, for the drains and the
 * maintenance scenarios.
 * No Elasticsearch runs in the lab, so ECK 3.5.0 resets `status.health` to `unknown` on every
 * reconcile (pkg/controller/elasticsearch/reconcile/state.go, NewState) and its default PDB then
 * allows no disruption of a multi-node cluster (pdb/reconcile_default.go,
 * allowedDisruptionsForSinglePDB). The scenarios need the health a real cluster reports, so the lab
 * takes the resource from ECK with its own switch, `eck.k8s.elastic.co/managed: "false"` (ECK skips
 * reconciling it entirely, elasticsearch_controller.go) once ECK has made the StatefulSets and the
 * PDB, and writes what ECK would:
 *   - status: the health the scenario sets (green unless told otherwise; yellow, as after a node
 *     loss, while any of its pods is not Ready), phase Ready, observedGeneration, availableNodes;
 *   - the default PDB `<name>-es-default`: minAvailable = nodes, less one when the cluster is green
 *     and has more than one node, or when it has exactly one.
 */
import { Lab } from "./kube";

type Obj = Record<string, any>;

export type Health = "green" | "yellow" | "red";

const CLUSTER_LABEL = "elasticsearch.k8s.elastic.co/cluster-name";

const isReady = (p: Obj) => p.status?.phase === "Running" && (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True");

/** What ECK would write for one Elasticsearch whose health API answers `health`, given its pods. */
export function standInStatus(es: Obj, pods: readonly Obj[], health: Health): { status: Obj; minAvailable: number } {
    const nodes = (es.spec?.nodeSets ?? []).reduce((n: number, s: Obj) => n + (s.count ?? 0), 0);
    const mine = pods.filter((p) => p.metadata.namespace === es.metadata.namespace && p.metadata.labels?.[CLUSTER_LABEL] === es.metadata.name && !p.metadata.deletionTimestamp);
    const available = mine.filter(isReady).length;
    const actual: Health = health === "green" && available < nodes ? "yellow" : health;
    const allowed = nodes === 1 ? 1 : actual === "green" ? 1 : 0;
    return {
        status: { health: actual, phase: "Ready", observedGeneration: es.metadata.generation, availableNodes: available, version: es.spec?.version },
        minAvailable: nodes - allowed,
    };
}

/** Whether the stand-in has taken `es` from ECK (ECK skips a resource annotated so). */
const taken = (es: Obj) => es.metadata.annotations?.["eck.k8s.elastic.co/managed"] === "false";

export class EckStandIn {
    /** The health Elasticsearch's API would answer while every pod is Ready. */
    health: Health = "green";

    constructor(private readonly lab: Lab) {}

    /**
     * Once ECK has made every Elasticsearch's StatefulSets and default PDB (which it does only
     * when the HTTP certificate's Secret exists), takes each from ECK.
     */
    async takeOverWhenCreated(timeoutSeconds: number): Promise<void> {
        const deadline = Date.now() + timeoutSeconds * 1000;
        for (;;) {
            const clusters = await this.list();
            const [sets, pdbs] = await Promise.all([this.lab.list("statefulsets", "-l", CLUSTER_LABEL), this.lab.list("pdb", "-l", CLUSTER_LABEL)]);
            const missing = clusters.filter((es) => !sets.some((s) => s.metadata.namespace === es.metadata.namespace && s.metadata.labels?.[CLUSTER_LABEL] === es.metadata.name)
                || !pdbs.some((p) => p.metadata.namespace === es.metadata.namespace && p.metadata.name === `${es.metadata.name}-es-default`));
            if (missing.length === 0) {
                return this.takeOver();
            }
            if (Date.now() > deadline) {
                throw new Error(`ECK made no StatefulSet or default PDB within ${timeoutSeconds} s for ${missing.map((es) => `Elasticsearch ${es.metadata.namespace}/${es.metadata.name}`).join(", ")} (its log: logs/eck-operator.log)`);
            }
            await new Promise((r) => setTimeout(r, 1000));
        }
    }

    /**
     * One pass of `takeOverWhenCreated` that never waits: takes each Elasticsearch whose
     * StatefulSets and default PDB ECK has made. For a lab whose objects arrive while it runs
     * (`pulumi up`, serve.ts).
     */
    async takeOverCreated(): Promise<void> {
        const [clusters, sets, pdbs] = await Promise.all([this.list(), this.lab.list("statefulsets", "-l", CLUSTER_LABEL), this.lab.list("pdb", "-l", CLUSTER_LABEL)]);
        for (const es of clusters.filter((c) => !taken(c))) {
            const { namespace, name } = es.metadata;
            if (sets.some((s) => s.metadata.namespace === namespace && s.metadata.labels?.[CLUSTER_LABEL] === name) && pdbs.some((p) => p.metadata.namespace === namespace && p.metadata.name === `${name}-es-default`)) {
                await this.lab.ok(["annotate", "elasticsearch", "-n", namespace, name, "eck.k8s.elastic.co/managed=false", "--overwrite"]);
            }
        }
    }

    /** Takes every Elasticsearch from ECK (the operator stops touching it). */
    async takeOver(): Promise<void> {
        for (const es of await this.list()) {
            await this.lab.ok(["annotate", "elasticsearch", "-n", es.metadata.namespace, es.metadata.name, "eck.k8s.elastic.co/managed=false", "--overwrite"]);
        }
    }

    private async list(): Promise<Obj[]> {
        const found = await this.lab.kubectl(["get", "elasticsearch", "-A", "-o", "json"]);
        return found.code === 0 ? JSON.parse(found.stdout).items : [];
    }

    /** One pass: each Elasticsearch taken from ECK gets the status and default PDB ECK would write. */
    async reconcile(): Promise<void> {
        for (const es of (await this.list()).filter(taken)) {
            const { namespace, name } = es.metadata;
            const pods = await this.lab.list("pods", "-n", namespace, "-l", `${CLUSTER_LABEL}=${name}`);
            const { status, minAvailable } = standInStatus(es, pods, this.health);
            if (Object.entries(status).some(([k, v]) => es.status?.[k] !== v)) {
                await this.lab.ok(["patch", "elasticsearch", "-n", namespace, name, "--subresource=status", "--type=merge", "-p", JSON.stringify({ status })]);
            }
            const pdb = await this.lab.kubectl(["get", "pdb", "-n", namespace, `${name}-es-default`, "-o", "json"]);
            if (pdb.code === 0 && JSON.parse(pdb.stdout).spec.minAvailable !== minAvailable) {
                await this.lab.ok(["patch", "pdb", "-n", namespace, `${name}-es-default`, "--type=merge", "-p", JSON.stringify({ spec: { minAvailable } })]);
            }
        }
    }
}
