import { describe, Subject } from "./lib/kube";
import { Finding, StackRule } from "./lib/rule";
import { inventory, workloadsSelectedBy } from "./lib/workloads";

function percent(value: unknown): number | undefined {
    const m = typeof value === "string" ? /^(\d+)%$/.exec(value) : null;
    return m ? Number(m[1]) : undefined;
}

/**
 * A PDB that allows zero disruptions makes `kubectl drain` (and every node upgrade, autoscaler
 * scale-down and spot reclaim that uses it) wait forever.
 * https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets
 */
export const pdbAllowsVoluntaryDisruption: StackRule = {
    name: "pdb-allows-voluntary-disruption",
    description: "Every PodDisruptionBudget allows at least one pod to be evicted, so node drains finish.",
    enforcementLevel: "mandatory",
    scope: "stack",
    check(subjects: readonly Subject[]): Finding[] {
        const inv = inventory(subjects);
        const findings: Finding[] = [];
        for (const pdbs of inv.pdbsByNamespace.values()) {
            for (const pdb of pdbs) {
                const spec = pdb.subject.object.spec ?? {};
                const fail = (why: string) => findings.push({
                    subject: pdb.subject,
                    message: `${describe(pdb.subject)} ${why}, so kubectl drain never finishes on nodes running those pods. Use maxUnavailable: 1.`,
                });
                if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
                    if (spec.maxUnavailable === 0 || percent(spec.maxUnavailable) === 0) {
                        fail(`sets maxUnavailable: ${JSON.stringify(spec.maxUnavailable)}: no pod may ever be evicted`);
                    }
                    continue;
                }
                if (spec.minAvailable === undefined || spec.minAvailable === null) {
                    continue;
                }
                if (percent(spec.minAvailable) !== undefined) {
                    if (percent(spec.minAvailable)! >= 100) {
                        fail(`sets minAvailable: ${JSON.stringify(spec.minAvailable)}: every selected pod must stay up`);
                    }
                    continue;
                }
                const selected = workloadsSelectedBy(inv, pdb).filter((w) => w.replicas !== undefined);
                const replicas = selected.reduce((sum, w) => sum + (w.replicas ?? 0), 0);
                if (selected.length > 0 && Number(spec.minAvailable) >= replicas) {
                    fail(`requires minAvailable: ${spec.minAvailable} of ${replicas} pod${replicas === 1 ? "" : "s"} (${selected.map((w) => describe(w.subject)).join(", ")})`);
                }
            }
        }
        return findings;
    },
};
