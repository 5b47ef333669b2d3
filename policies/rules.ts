/**
 * The rule set and an engine that applies it to plain objects. The CrossGuard pack
 * (index.ts), the manifest checker (scripts/policy-check.ts) and the tests all use this.
 */
import { daemonsetToleratesAllTaints } from "./daemonset-tolerates-all-taints";
import { helmReleaseIsInspectable } from "./helm-release-is-inspectable";
import { exemptionFor, levelOf, PackConfig, RuleConfig } from "./lib/exemptions";
import { describe, Subject } from "./lib/kube";
import { EnforcementLevel, Rule } from "./lib/rule";
import { nodeAgentRequestsAndPriority } from "./node-agent-requests-and-priority";
import { pdbAllowsVoluntaryDisruption } from "./pdb-allows-voluntary-disruption";
import { podCoveredByOnePdb } from "./pod-covered-by-one-pdb";
import { statefulWorkloadHasPdb } from "./stateful-workload-has-pdb";

export const RULES: readonly Rule[] = [
    daemonsetToleratesAllTaints,
    statefulWorkloadHasPdb,
    pdbAllowsVoluntaryDisruption,
    podCoveredByOnePdb,
    helmReleaseIsInspectable,
    nodeAgentRequestsAndPriority,
];

export interface Violation {
    readonly rule: string;
    readonly level: EnforcementLevel;
    readonly subject: Subject;
    readonly message: string;
}

export interface Exempted {
    readonly rule: string;
    readonly subject: Subject;
    readonly reason: string;
}

export interface Report {
    readonly violations: Violation[];
    readonly exempted: Exempted[];
    readonly objects: number;
}

/** Applies every rule to the subjects; linear in their number (PDBs are indexed by namespace). */
export function evaluate(subjects: readonly Subject[], config?: PackConfig): Report {
    const violations: Violation[] = [];
    const exempted: Exempted[] = [];
    for (const rule of RULES) {
        const level = levelOf(rule, config);
        if (level === "disabled") {
            continue;
        }
        const exemptions = (config?.[rule.name] as RuleConfig | undefined)?.exemptions;
        const findings = rule.scope === "resource"
            ? subjects.filter((s) => rule.appliesTo(s)).flatMap((s) => rule.check(s).map((message) => ({ subject: s, message })))
            : rule.check(subjects);
        for (const f of findings) {
            const exemption = exemptionFor(f.subject, exemptions);
            if (exemption) {
                exempted.push({ rule: rule.name, subject: f.subject, reason: exemption.reason });
            } else {
                violations.push({ rule: rule.name, level, subject: f.subject, message: f.message });
            }
        }
    }
    return { violations, exempted, objects: subjects.length };
}

/** True when a violation at this level fails a run (remediate fails when it cannot fix). */
export function blocks(level: EnforcementLevel): boolean {
    return level === "mandatory" || level === "remediate";
}

export { describe };
