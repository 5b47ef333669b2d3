import { describe, kindOf, KubeObject, Subject } from "./lib/kube";
import { Finding, parts, ResourceRule } from "./lib/rule";

interface Toleration {
    readonly key?: string;
    readonly operator?: string;
    readonly value?: string;
    readonly effect?: string;
    readonly tolerationSeconds?: number | null;
}

/**
 * Tolerations the DaemonSet controller adds to (or overwrites in) every DaemonSet pod
 * (k8s pkg/controller/daemon/util AddOrUpdateDaemonPodTolerations, through
 * AddOrUpdateTolerationInPodSpec, which replaces a toleration with the same key, operator,
 * value and effect): agents already stay on cordoned, NotReady, unreachable and pressured nodes.
 */
const CONTROLLER_ADDED: ReadonlyArray<readonly [string, string]> = [
    ["node.kubernetes.io/not-ready", "NoExecute"],
    ["node.kubernetes.io/unreachable", "NoExecute"],
    ["node.kubernetes.io/disk-pressure", "NoSchedule"],
    ["node.kubernetes.io/memory-pressure", "NoSchedule"],
    ["node.kubernetes.io/pid-pressure", "NoSchedule"],
    ["node.kubernetes.io/unschedulable", "NoSchedule"],
];

const timed = (t: Toleration) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null;

function isTolerateAll(t: Toleration): boolean {
    return t.operator === "Exists" && !t.key && !t.effect && !timed(t);
}

/** A timed toleration the controller overwrites with an unlimited one. */
function overwritten(t: Toleration): boolean {
    return t.operator === "Exists" && !t.value && CONTROLLER_ADDED.some(([key, effect]) => key === t.key && effect === t.effect);
}

const keylessFor = (tolerations: readonly Toleration[], effect: string) =>
    tolerations.some((t) => t.operator === "Exists" && !t.key && (!t.effect || t.effect === effect) && !timed(t));

/**
 * Node agents (log shippers, metrics exporters, trace agents) must run on every node, or those
 * nodes become blind spots exactly when something goes wrong there. Stricter than Kubernetes on
 * purpose: it asks for the one toleration `{operator: Exists}` (no key, effect or
 * tolerationSeconds) rather than any set that happens to cover today's taints, so a reviewer
 * sees at a glance that no taint (a new GPU pool, a dedicated-node taint) can keep the agent off.
 * Any `tolerationSeconds` evicts after that long: the taint manager honours the shortest
 * matching toleration. https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
export const daemonsetToleratesAllTaints: ResourceRule = {
    name: "daemonset-tolerates-all-taints",
    description: "Every DaemonSet's pods tolerate every taint, so node agents run on every node.",
    enforcementLevel: "mandatory",
    scope: "resource",
    appliesTo: (s: Subject) => kindOf(s) === "DaemonSet",
    check(subject: Subject, partial = false): Finding[] {
        const fix = "Add the toleration {operator: Exists} (no key, effect or tolerationSeconds)";
        return parts(subject, [() => {
            const spec = subject.object.spec?.template?.spec;
            if (partial && (spec?.tolerations === undefined)) {
                return [];
            }
            const tolerations: Toleration[] = (spec?.tolerations ?? []).map((t: Toleration) => ({ ...t }));
            const problems: string[] = [];
            if (!tolerations.some(isTolerateAll)) {
                const effects = ["NoSchedule", "NoExecute"].filter((e) => !keylessFor(tolerations, e));
                // A keyed toleration exempts only taints of its own effect (or of every effect when it names none).
                const exceptFor = (effect: string) => {
                    const named = tolerations.filter((t) => t.key && (!t.effect || t.effect === effect)).map((t) => `${t.key}${t.effect ? `:${t.effect}` : ""}`);
                    return named.length > 0 ? ` other than ${named.join(", ")}` : "";
                };
                const what = effects.length === 0
                    ? "tolerates every NoSchedule and NoExecute taint through per-effect tolerations, which Kubernetes accepts; this pack asks for the single toleration instead so no taint effect can be missed"
                    : `does not tolerate every taint: ${effects.map((e) => e === "NoSchedule"
                        ? `a NoSchedule taint${exceptFor("NoSchedule")} (e.g. node-role.kubernetes.io/control-plane, nvidia.com/gpu, a dedicated-pool taint) keeps its pods off that node`
                        : `a NoExecute taint${exceptFor("NoExecute")} (e.g. a dedicated-node or maintenance taint) keeps its pods off that node and evicts those already running`).join("; ")}` +
                    " (the DaemonSet controller itself adds tolerations for cordoned, NotReady, unreachable and pressured nodes; a PreferNoSchedule taint is only a soft preference)";
                problems.push(`${describe(subject)} ${what}. ${fix}.`);
            }
            for (const t of tolerations.filter((t) => timed(t) && !overwritten(t))) {
                problems.push(
                    `${describe(subject)} tolerates ${t.key ? `${t.key}${t.effect ? `:${t.effect}` : ""}` : `every ${t.effect ?? ""} taint`.replace("  ", " ")} for only ${t.tolerationSeconds}s: ` +
                    "the taint manager evicts its pods that long after a matching NoExecute taint appears. Drop tolerationSeconds.",
                );
            }
            return problems;
        }]);
    },
    remediate(object: KubeObject): KubeObject {
        const tolerations: Toleration[] = object.spec?.template?.spec?.tolerations ?? [];
        const kept = tolerations.filter((t) => !timed(t) && !isTolerateAll(t));
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
