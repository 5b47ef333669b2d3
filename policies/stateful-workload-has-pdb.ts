import { describe, Subject } from "./lib/kube";
import { Finding, StackRule } from "./lib/rule";
import { inventory, pdbsCovering } from "./lib/workloads";

/**
 * Without a PodDisruptionBudget a node drain may evict every replica of a data store at once,
 * and a single-replica store loses its only copy mid-write. Operators' pods count by the labels
 * the operator sets; ECK's own default PDB counts unless the resource disables it.
 * https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export const statefulWorkloadHasPdb: StackRule = {
    name: "stateful-workload-has-pdb",
    description: "Every stateful workload has a PodDisruptionBudget in its namespace that selects its pods.",
    enforcementLevel: "mandatory",
    scope: "stack",
    check(subjects: readonly Subject[]): Finding[] {
        const inv = inventory(subjects);
        const findings: Finding[] = [];
        for (const w of inv.workloads) {
            if (!w.stateful || w.operatorPdb || pdbsCovering(inv, w).length > 0) {
                continue;
            }
            const labels = Object.entries(w.podLabels).map(([k, v]) => `${k}=${v}`).join(", ");
            const others = (inv.pdbsByNamespace.get(w.namespace) ?? []).length;
            findings.push({
                subject: w.subject,
                message: `${describe(w.subject)} is stateful but no PodDisruptionBudget in namespace ${w.namespace} selects its pods ` +
                    `(labels: ${labels || "none"}; ${others} PDB${others === 1 ? "" : "s"} in that namespace). ` +
                    "Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow.",
            });
        }
        return findings;
    },
};
