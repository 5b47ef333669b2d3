import { isUnknown, kindOf, Subject } from "./lib/kube";
import { labelList, uncovered } from "./lib/coverage";
import { Finding, StackRule } from "./lib/rule";
import { inventory } from "./lib/workloads";

/**
 * Without a PodDisruptionBudget a node drain may evict every replica of a data store at once,
 * and a single-replica store loses its only copy mid-write. Operators' pods count by the labels
 * the operator sets (per shard and per nodeSet); the PDB ECK makes for an Elasticsearch counts.
 * https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export const statefulWorkloadHasPdb: StackRule = {
    name: "stateful-workload-has-pdb",
    description: "Every stateful workload has a PodDisruptionBudget in its namespace that selects its pods.",
    enforcementLevel: "mandatory",
    scope: "stack",
    check(subjects: readonly Subject[]): Finding[] {
        return uncovered(
            inventory(subjects),
            (w) => isUnknown(w.stateful) ? `whether it mounts a PersistentVolumeClaim is not known: ${w.stateful.unknown}` : w.stateful,
            (w) => `${w.label} is stateful but no PodDisruptionBudget in namespace ${w.namespace} selects its pods (${labelList(w.podLabels)}). ` +
                (kindOf(w.subject) === "Elasticsearch"
                    ? "Remove spec.podDisruptionBudget to get ECK's default PDB, or give its spec a selector that matches these pods and maxUnavailable: 1."
                    : "Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."),
        );
    },
};
