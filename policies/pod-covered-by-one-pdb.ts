import { describe, nameOf, Subject } from "./lib/kube";
import { Finding, StackRule } from "./lib/rule";
import { inventory, pdbsCovering } from "./lib/workloads";

/**
 * The eviction API refuses to evict a pod that more than one PDB selects ("This pod has more
 * than one PodDisruptionBudget"), so a drain stalls on it. Operator-made PDBs (ECK) count too.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/api-eviction/
 */
export const podCoveredByOnePdb: StackRule = {
    name: "pod-covered-by-one-pdb",
    description: "No pod is selected by more than one PodDisruptionBudget, which would make it unevictable.",
    enforcementLevel: "mandatory",
    scope: "stack",
    check(subjects: readonly Subject[]): Finding[] {
        const inv = inventory(subjects);
        const findings: Finding[] = [];
        for (const w of inv.workloads) {
            const names = [...(w.operatorPdb ? [`${w.operatorPdb} (made by the operator)`] : []), ...pdbsCovering(inv, w).map((p) => nameOf(p.subject)).sort()];
            if (names.length > 1) {
                findings.push({
                    subject: w.subject,
                    message: `${describe(w.subject)} pods are selected by ${names.length} PodDisruptionBudgets (${names.join(", ")}): ` +
                        "the eviction API refuses to evict them and drains stall. Keep exactly one.",
                });
            }
        }
        return findings;
    },
};
