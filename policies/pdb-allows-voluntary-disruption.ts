import { attempt, describe, groupOf, isUnknown, kindOf, plain, Subject } from "./lib/kube";
import { Finding, StackRule } from "./lib/rule";
import { Budget, inventory, Pdb, workloadsSelectedBy } from "./lib/workloads";

const PERCENT = /^([0-9]+)%$/;

/**
 * The pods a PDB lets the eviction API take when every selected pod is healthy, computed as the
 * disruption controller does (k8s pkg/controller/disruption getExpectedPodCount): maxUnavailable
 * and a percentage minAvailable are scaled against the controllers' replicas with
 * intstr.GetScaledValueFromIntOrPercent(..., roundUp=true), so both round *up*; an integer
 * minAvailable is compared with the pod count. `expected` is that replica count.
 */
export function allowedDisruptions(budget: Budget, expected: number): number {
    const scaled = (value: unknown) => {
        const m = typeof value === "string" ? PERCENT.exec(value) : null;
        return m ? Math.ceil(Number(m[1]) * expected / 100) : Number(value);
    };
    if (budget.maxUnavailable !== undefined && budget.maxUnavailable !== null) {
        return Math.min(expected, scaled(budget.maxUnavailable));
    }
    if (budget.minAvailable !== undefined && budget.minAvailable !== null) {
        return Math.max(0, expected - scaled(budget.minAvailable));
    }
    // Neither set: nothing defaults either field and the controller leaves the expected count at 0,
    // which allows no disruption (fail-closed).
    return 0;
}

/**
 * A PDB that allows zero disruptions makes `kubectl drain` (and every node upgrade, autoscaler
 * scale-down and spot reclaim that uses it) wait forever. ECK's own default PDB is left to ECK:
 * it allows one eviction while the cluster is green and none otherwise, by design.
 * https://kubernetes.io/docs/concepts/workloads/pods/disruptions/#pod-disruption-budgets
 */
export const pdbAllowsVoluntaryDisruption: StackRule = {
    name: "pdb-allows-voluntary-disruption",
    description: "Every PodDisruptionBudget is valid and allows at least one pod to be evicted, so node drains finish.",
    enforcementLevel: "mandatory",
    scope: "stack",
    check(subjects: readonly Subject[]): Finding[] {
        const inv = inventory(subjects);
        const findings: Finding[] = [];
        const fix = (pdb: Pdb) => kindOf(pdb.subject) !== "Elasticsearch"
            ? "Use maxUnavailable: 1."
            : "Set spec.podDisruptionBudget.spec.maxUnavailable: 1 on the Elasticsearch, or remove spec.podDisruptionBudget to get ECK's default.";
        const fail = (pdb: Pdb, why: string) => findings.push({
            subject: pdb.subject,
            message: `${pdb.label} ${why}, so kubectl drain waits forever on nodes running those pods. ${fix(pdb)}`,
        });
        const unknown = (pdb: Pdb, what: string) => findings.push({ subject: pdb.subject, message: `${pdb.label}: ${what}`, unknown: what });
        for (const pdb of inv.pdbs) {
            if (pdb.invalid) {
                findings.push({ subject: pdb.subject, message: `${pdb.label} is rejected by the API server (${pdb.invalid}), so it protects nothing. Fix the spec; use maxUnavailable: 1.` });
                continue;
            }
            const budget = pdb.budget;
            if (pdb.managed) {
                continue;
            }
            if (isUnknown(budget)) {
                unknown(pdb, budget.unknown);
                continue;
            }
            const absolute = blocksWhatever(budget);
            if (absolute) {
                fail(pdb, absolute);
                continue;
            }
            // A positive maxUnavailable lets at least one of any number of pods go.
            if (budget.maxUnavailable !== undefined && budget.maxUnavailable !== null) {
                continue;
            }
            if (isUnknown(pdb.selector)) {
                unknown(pdb, pdb.selector.unknown);
                continue;
            }
            const selected = workloadsSelectedBy(inv, pdb);
            const replicas = selected.map((w) => w.replicas);
            const unknownReplicas = replicas.find(isUnknown);
            if (unknownReplicas) {
                unknown(pdb, unknownReplicas.unknown);
                continue;
            }
            const uncheckedHere = inv.unchecked.find((u) => !u.pdb);
            if (uncheckedHere) {
                unknown(pdb, `${describe(uncheckedHere.subject)} may be selected: ${uncheckedHere.unknown}`);
                continue;
            }
            // DaemonSet pods follow the node count (and kubectl drain skips them): nothing to compute.
            if (selected.length === 0 || replicas.some((r) => r === undefined)) {
                continue;
            }
            const expected = (replicas as number[]).reduce((sum, r) => sum + r, 0);
            if (expected > 0 && allowedDisruptions(budget, expected) === 0) {
                const field = budget.maxUnavailable !== undefined && budget.maxUnavailable !== null ? "maxUnavailable" : "minAvailable";
                const value = (budget as any)[field];
                const rounded = typeof value === "string" ? ` (${value} of ${expected} rounds up to ${Math.ceil(Number(value.slice(0, -1)) * expected / 100)})` : "";
                fail(pdb, `sets ${field}: ${JSON.stringify(value)} for ${expected} pod${expected === 1 ? "" : "s"}${rounded} of ${selected.map((w) => w.label).join(", ")}, which allows no eviction`);
            }
        }
        // A *Patch sets some fields of a PDB declared elsewhere: only values that block whatever the PDB selects are judged.
        for (const subject of subjects) {
            if (kindOf(subject) !== "PodDisruptionBudgetPatch" || groupOf(subject) !== "policy") continue;
            const budget = attempt(() => ({ minAvailable: plain(subject.object.spec?.minAvailable), maxUnavailable: plain(subject.object.spec?.maxUnavailable) }));
            const untouched = isUnknown(budget) || ((budget.minAvailable === undefined || budget.minAvailable === null) && (budget.maxUnavailable === undefined || budget.maxUnavailable === null));
            const absolute = untouched ? undefined : blocksWhatever(budget);
            if (absolute) {
                findings.push({ subject, message: `${describe(subject)} ${absolute}, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1.` });
            }
        }
        return findings;
    },
};

/** Values that allow no eviction whatever the replica count. */
function blocksWhatever(budget: Budget): string | undefined {
    if (budget.maxUnavailable === 0 || budget.maxUnavailable === "0%") {
        return `sets maxUnavailable: ${JSON.stringify(budget.maxUnavailable)}, which allows no eviction`;
    }
    const maxSet = budget.maxUnavailable !== undefined && budget.maxUnavailable !== null;
    if (!maxSet && budget.minAvailable === "100%") {
        return "sets minAvailable: \"100%\", which allows no eviction";
    }
    if (!maxSet && (budget.minAvailable === undefined || budget.minAvailable === null)) {
        return "sets neither minAvailable nor maxUnavailable: nothing defaults them, and the disruption controller then allows no eviction";
    }
    return undefined;
}
