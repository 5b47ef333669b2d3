/**
 * The rule set and an engine that applies it to plain objects. The CrossGuard pack
 * (index.ts), the manifest checker (scripts/policy-check.ts) and the tests all use this.
 */
import { daemonsetToleratesAllTaints } from "./daemonset-tolerates-all-taints";
import { helmReleaseIsInspectable } from "./helm-release-is-inspectable";
import { exemptionFor, exemptionsOf, levelOf, PackConfig } from "./lib/exemptions";
import { describe, Subject } from "./lib/kube";
import { EnforcementLevel, Finding, Rule } from "./lib/rule";
import { nodeAgentRequestsAndPriority } from "./node-agent-requests-and-priority";
import { pdbAllowsVoluntaryDisruption } from "./pdb-allows-voluntary-disruption";
import { pdbEvictsUnhealthyPods } from "./pdb-evicts-unhealthy-pods";
import { podCoveredByOnePdb } from "./pod-covered-by-one-pdb";
import { replicatedDeploymentHasPdb } from "./replicated-deployment-has-pdb";
import { statefulWorkloadHasPdb } from "./stateful-workload-has-pdb";

export const RULES: readonly Rule[] = [
    daemonsetToleratesAllTaints,
    statefulWorkloadHasPdb,
    pdbAllowsVoluntaryDisruption,
    podCoveredByOnePdb,
    helmReleaseIsInspectable,
    nodeAgentRequestsAndPriority,
    replicatedDeploymentHasPdb,
    pdbEvictsUnhealthyPods,
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

/** One rule's findings over the subjects (resource rules object by object). */
export function findingsOf(rule: Rule, subjects: readonly Subject[]): Finding[] {
    return rule.scope === "resource"
        ? subjects.filter((s) => rule.appliesTo(s)).flatMap((s) => rule.check(s))
        : rule.check(subjects);
}

/** Applies every rule to the subjects; near-linear in their number (see lib/workloads.ts). */
export function evaluate(subjects: readonly Subject[], config?: PackConfig): Report {
    const violations: Violation[] = [];
    const exempted: Exempted[] = [];
    for (const rule of RULES) {
        const level = levelOf(rule, config);
        if (level === "disabled") {
            continue;
        }
        // Manifests hold no unknown values, so every finding is a verdict.
        for (const f of findingsOf(rule, subjects)) {
            const exemption = exemptionFor(f.subject, exemptionsOf(rule.name, config));
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
