import { describe } from "./kube";
import { Finding } from "./rule";
import { Inventory, pdbsCovering, Workload } from "./workloads";

/**
 * Findings for workloads that no PDB selects. `applies` says whether the rule cares about a
 * workload (undefined: cannot tell during preview). A workload that a PDB with an unknown
 * selector may cover is reported as not checked, never as a violation.
 */
export function uncovered(inv: Inventory, applies: (w: Workload) => boolean | string | undefined, message: (w: Workload) => string): Finding[] {
    const findings: Finding[] = [];
    for (const w of inv.workloads) {
        const wanted = applies(w);
        if (wanted === false) continue;
        const { known, unknown } = pdbsCovering(inv, w);
        if (known.length > 0) continue;
        if (typeof wanted === "string") {
            findings.push({ subject: w.subject, message: `${w.label}: ${wanted}`, unknown: wanted });
        } else if (unknown.length > 0) {
            const what = `${unknown.join(", ")} may select its pods`;
            findings.push({ subject: w.subject, message: `${w.label}: ${what}`, unknown: what });
        } else {
            findings.push({ subject: w.subject, message: message(w) });
        }
    }
    for (const u of inv.unchecked.filter((u) => !u.pdb)) {
        findings.push({ subject: u.subject, message: `${describe(u.subject)}: ${u.unknown}`, unknown: u.unknown });
    }
    return findings;
}

export function labelList(labels: Readonly<Record<string, string>>): string {
    const entries = Object.entries(labels);
    return entries.length === 0 ? "its pods carry no labels" : `pod labels ${entries.map(([k, v]) => `${k}=${v}`).join(", ")}`;
}
