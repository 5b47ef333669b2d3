import { describe, groupOf, kindOf, plain, Subject } from "./lib/kube";
import { Finding, parts, ResourceRule } from "./lib/rule";

const ALWAYS_ALLOW = "AlwaysAllow";

/**
 * The PDB spec a subject carries: a PodDisruptionBudget's own, or the one ECK copies from an
 * Elasticsearch's `spec.podDisruptionBudget.spec` when that sets a budget (lib/workloads.ts
 * elasticsearchPdb; an empty spec makes no PDB). ECK's default PDB (no spec given) is ECK's to
 * set: ECK 3.5.0 (pkg/controller/elasticsearch/pdb/reconcile_default.go expectedPDB) sets only a
 * minAvailable it derives from the cluster's health, and is not judged.
 */
function pdbSpecOf(subject: Subject): { spec: any; label: string } | undefined {
    if (kindOf(subject) === "PodDisruptionBudget" && groupOf(subject) === "policy") {
        return { spec: subject.object.spec, label: describe(subject) };
    }
    const template = subject.object.spec?.podDisruptionBudget?.spec;
    const budget = (v: unknown) => v !== undefined && v !== null;
    if (kindOf(subject) === "Elasticsearch" && groupOf(subject) === "elasticsearch.k8s.elastic.co" && (budget(template?.minAvailable) || budget(template?.maxUnavailable))) {
        return { spec: template, label: `${describe(subject)} spec.podDisruptionBudget.spec` };
    }
    return undefined;
}

/** Why a PDB spec does not let unhealthy pods go; `undefined` when it does. Pure. */
export function unhealthyEvictionProblem(policy: unknown): string | undefined {
    if (policy === ALWAYS_ALLOW) {
        return undefined;
    }
    return policy === undefined || policy === null
        ? "sets no unhealthyPodEvictionPolicy, so the API server's IfHealthyBudget applies"
        : `sets unhealthyPodEvictionPolicy: ${JSON.stringify(policy)}`;
}

/**
 * Under the default `IfHealthyBudget`, a pod that is Running but not Ready may be evicted only
 * while the budget is met, so one stuck, never-ready pod uses up the budget and holds every drain
 * of its node: the pod it blocks is the one that cannot serve anyway. `AlwaysAllow` lets such
 * pods be evicted regardless (policy/v1, GA in Kubernetes 1.31). Advisory: it changes only how
 * drains treat pods that are already broken. kube-linter flags the same (pdb-unhealthy-pod-eviction-policy).
 * https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy
 */
export const pdbEvictsUnhealthyPods: ResourceRule = {
    name: "pdb-evicts-unhealthy-pods",
    description: "Every PodDisruptionBudget sets unhealthyPodEvictionPolicy: AlwaysAllow, so a stuck not-ready pod never holds a drain.",
    enforcementLevel: "advisory",
    scope: "resource",
    appliesTo: (s: Subject) => pdbSpecOf(s) !== undefined,
    check(subject: Subject, partial = false): Finding[] {
        return parts(subject, [() => {
            const { spec, label } = pdbSpecOf(subject)!;
            const policy = plain(spec?.unhealthyPodEvictionPolicy);
            // A patch that leaves the field out may be applied over a PDB that sets it.
            if (partial && policy === undefined) {
                return [];
            }
            const problem = unhealthyEvictionProblem(policy);
            return problem === undefined ? [] : [`${label} ${problem}: one pod that is running but never becomes ready holds every drain of its node. Set unhealthyPodEvictionPolicy: AlwaysAllow.`];
        }]);
    },
};
