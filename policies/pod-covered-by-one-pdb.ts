import { Subject } from "./lib/kube";
import { Finding, StackRule } from "./lib/rule";
import { inventory, pdbsCovering } from "./lib/workloads";

/**
 * The eviction API refuses to evict a pod that more than one PDB selects ("This pod has more
 * than one PodDisruptionBudget, which the eviction subresource does not support"), so a drain
 * stalls on it. Operator-made PDBs (ECK) count too.
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
            const { known, unknown } = pdbsCovering(inv, w);
            if (known.length > 1) {
                findings.push({
                    subject: w.subject,
                    message: `${w.label} pods are selected by ${known.length} PodDisruptionBudgets (${known.map((p) => p.label).sort().join(", ")}): ` +
                        "the eviction API refuses to evict a pod with more than one, so drains stall. Keep exactly one.",
                });
            } else if (known.length + unknown.length > 1) {
                const what = `${unknown.join(", ")} may also select its pods`;
                findings.push({ subject: w.subject, message: `${w.label}: ${what}`, unknown: what });
            }
        }
        return findings;
    },
};
