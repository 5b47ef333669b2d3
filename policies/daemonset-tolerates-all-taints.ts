import { describe, kindOf, KubeObject, Subject } from "./lib/kube";
import { ResourceRule } from "./lib/rule";

/** Taints a cluster really carries, by effect, to make the message concrete. */
const EXAMPLES: Readonly<Record<string, string>> = {
    NoSchedule: "node-role.kubernetes.io/control-plane, nvidia.com/gpu, node.kubernetes.io/unschedulable (cordoned)",
    PreferNoSchedule: "DeletionCandidateOfClusterAutoscaler",
    NoExecute: "node.kubernetes.io/not-ready, node.kubernetes.io/unreachable, custom dedicated-node taints",
};

interface Toleration {
    readonly key?: string;
    readonly operator?: string;
    readonly value?: string;
    readonly effect?: string;
    readonly tolerationSeconds?: number;
}

function isTolerateAll(t: Toleration): boolean {
    return t.operator === "Exists" && !t.key && !t.effect && (t.tolerationSeconds === undefined || t.tolerationSeconds === null);
}

function tolerationsOf(object: KubeObject): Toleration[] {
    return object.spec?.template?.spec?.tolerations ?? [];
}

/**
 * Node agents (log shippers, metrics exporters, trace agents) must run on every node, including
 * cordoned, draining, NotReady, control-plane and GPU nodes, or those nodes become blind spots
 * exactly when something goes wrong there. Only `{operator: Exists}` with no key, effect or
 * tolerationSeconds tolerates every taint; any `tolerationSeconds` still evicts the pod after
 * that long, because the taint manager honours the shortest matching toleration.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export const daemonsetToleratesAllTaints: ResourceRule = {
    name: "daemonset-tolerates-all-taints",
    description: "Every DaemonSet's pods tolerate every taint, so node agents run on every node.",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: (s: Subject) => kindOf(s) === "DaemonSet",
    check(subject: Subject): string[] {
        const tolerations = tolerationsOf(subject.object);
        const problems: string[] = [];
        const timed = tolerations.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null);
        if (!tolerations.some(isTolerateAll)) {
            const keyless = (effect: string) => tolerations.some((t) => t.operator === "Exists" && !t.key && (!t.effect || t.effect === effect));
            const blocked = Object.keys(EXAMPLES).filter((e) => !keyless(e));
            const keys = tolerations.filter((t) => t.key).map((t) => t.key);
            const which = blocked.map((e) => `${e} (e.g. ${EXAMPLES[e]})`).join("; ");
            problems.push(
                `${describe(subject)} does not tolerate every taint (needs a toleration {operator: Exists} with no key, effect or tolerationSeconds). ` +
                `Taints with effect ${which}${keys.length ? `, other than ${keys.join(", ")},` : ""} ` +
                `${blocked.includes("NoExecute") ? "keep its pods off those nodes or evict them" : "keep its pods off those nodes"}.`,
            );
        }
        for (const t of timed) {
            problems.push(
                `${describe(subject)} tolerates ${t.key ?? "every taint"}${t.effect ? `:${t.effect}` : ""} for only ${t.tolerationSeconds}s: ` +
                `its pods are evicted from nodes with such a NoExecute taint after that long; drop tolerationSeconds.`,
            );
        }
        return problems;
    },
    remediate(object: KubeObject): KubeObject {
        const kept = tolerationsOf(object).filter((t) => (t.tolerationSeconds === undefined || t.tolerationSeconds === null) && !isTolerateAll(t));
        return {
            ...object,
            spec: {
                ...object.spec,
                template: {
                    ...object.spec?.template,
                    spec: { ...object.spec?.template?.spec, tolerations: [...kept, { operator: "Exists" }] },
                },
            },
        };
    },
};
