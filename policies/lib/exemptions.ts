/**
 * Exemptions live in the policy pack's config (`pulumi preview --policy-pack-config <file>`),
 * one list per rule, each entry naming a resource and a reason. The checker reads the same file.
 */
import { kindOf, nameOf, namespaceOf, Subject } from "./kube";
import { EnforcementLevel } from "./rule";

export interface Exemption {
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
    /** Matches a Pulumi URN exactly, or by suffix after `::` (the resource name). */
    readonly urn?: string;
    readonly reason: string;
}

export interface RuleConfig {
    readonly enforcementLevel?: EnforcementLevel;
    readonly exemptions?: readonly Exemption[];
}

export type PackConfig = Readonly<Record<string, RuleConfig>>;

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];
const FIELDS = ["kind", "namespace", "name", "urn", "reason"];

/** Checks a parsed pack config; returns every problem, each naming the rule and entry. */
export function validatePackConfig(config: unknown, ruleNames: readonly string[]): string[] {
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        return ["the policy config must be an object keyed by rule name"];
    }
    const problems: string[] = [];
    for (const [rule, value] of Object.entries(config)) {
        if (rule === "all") {
            continue;
        }
        if (!ruleNames.includes(rule)) {
            problems.push(`unknown rule "${rule}"; rules: ${ruleNames.join(", ")}`);
            continue;
        }
        if (typeof value === "string") {
            if (!LEVELS.includes(value)) problems.push(`${rule}: enforcement level "${value}" is not one of ${LEVELS.join(", ")}`);
            continue;
        }
        const rc = value as RuleConfig;
        if (rc.enforcementLevel !== undefined && !LEVELS.includes(rc.enforcementLevel)) {
            problems.push(`${rule}.enforcementLevel: "${rc.enforcementLevel}" is not one of ${LEVELS.join(", ")}`);
        }
        if (rc.exemptions !== undefined && !Array.isArray(rc.exemptions)) {
            problems.push(`${rule}.exemptions: must be a list`);
            continue;
        }
        (rc.exemptions ?? []).forEach((e, i) => {
            const at = `${rule}.exemptions[${i}]`;
            if (e === null || typeof e !== "object") {
                problems.push(`${at}: must be an object {kind?, namespace?, name?, urn?, reason}`);
                return;
            }
            for (const key of Object.keys(e)) {
                if (!FIELDS.includes(key)) problems.push(`${at}.${key}: unknown field; allowed: ${FIELDS.join(", ")}`);
            }
            if (typeof e.reason !== "string" || e.reason.trim() === "") {
                problems.push(`${at}.reason: every exemption needs a reason`);
            }
            if (!e.name && !e.urn) {
                problems.push(`${at}: name or urn is required, so an exemption never covers more than one resource by accident`);
            }
        });
    }
    return problems;
}

/** The exemption that covers a subject for a rule, if any. */
export function exemptionFor(subject: Subject, exemptions: readonly Exemption[] | undefined): Exemption | undefined {
    return (exemptions ?? []).find((e) =>
        (e.urn === undefined || subject.urn === e.urn || (subject.urn ?? "").endsWith(`::${e.urn}`)) &&
        (e.kind === undefined || e.kind === kindOf(subject)) &&
        (e.namespace === undefined || e.namespace === namespaceOf(subject)) &&
        (e.name === undefined || e.name === nameOf(subject)));
}

export function levelOf(rule: { name: string; enforcementLevel: EnforcementLevel }, config: PackConfig | undefined): EnforcementLevel {
    const rc = config?.[rule.name] as RuleConfig | string | undefined;
    const all = config?.all as unknown as EnforcementLevel | undefined;
    return typeof rc === "string" ? (rc as EnforcementLevel) : rc?.enforcementLevel ?? all ?? rule.enforcementLevel;
}
