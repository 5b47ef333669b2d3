/**
 * Exemptions live in the policy pack's config (`pulumi preview --policy-pack-config <file>`),
 * one list per rule, each entry naming a resource and a reason. The checker reads the same file.
 */
import { kindOf, nameOf, namespaceOf, Subject } from "./kube";
import { EnforcementLevel } from "./rule";

/**
 * Either `kind`, `namespace` and `name` (each a value, or "*" to say explicitly that any value is
 * covered), or `urn`: a full Pulumi URN, or `::<name>` style suffix, which matches every
 * Pulumi resource of that name (CrossGuard only; manifests have no URN).
 */
export interface Exemption {
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly urn?: string;
    readonly reason: string;
}

export interface RuleConfig {
    readonly enforcementLevel?: EnforcementLevel;
    readonly exemptions?: readonly Exemption[];
}

export type PackConfig = Readonly<Record<string, RuleConfig | EnforcementLevel>>;

export const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];
const RULE_KEYS = ["enforcementLevel", "exemptions"];
const FIELDS = ["kind", "namespace", "name", "urn", "reason"];

/** What an exemption covers, in words. */
export function coverage(e: Exemption): string {
    if (e.urn !== undefined) {
        return e.urn.startsWith("urn:pulumi:") ? `the Pulumi resource ${e.urn}` : `every Pulumi resource whose URN ends with ::${e.urn}`;
    }
    const kind = e.kind === "*" ? "every kind" : e.kind;
    const where = e.namespace === "*" ? "in every namespace" : `in namespace ${e.namespace}`;
    const name = e.name === "*" ? "of any name" : `named ${e.name}`;
    return `${kind} ${name} ${where}`;
}

const isText = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";

function exemptionProblems(e: unknown, at: string): string[] {
    if (e === null || typeof e !== "object" || Array.isArray(e)) {
        return [`${at}: must be an object {kind, namespace, name, reason} or {urn, reason}`];
    }
    const entry = e as Record<string, unknown>;
    const problems = Object.keys(entry).filter((k) => !FIELDS.includes(k)).map((k) => `${at}.${k}: unknown field; allowed: ${FIELDS.join(", ")}`);
    for (const k of FIELDS.filter((f) => f in entry && !isText(entry[f]))) {
        problems.push(`${at}.${k}: must be a non-empty string`);
    }
    if (!isText(entry.reason)) {
        return [...problems.filter((p) => !p.startsWith(`${at}.reason`)), `${at}.reason: every exemption needs a reason`];
    }
    const named = ["kind", "namespace", "name"].filter((f) => f in entry);
    if ("urn" in entry) {
        if (named.length > 0) problems.push(`${at}: give either urn or kind/namespace/name, not both`);
    } else if (named.length < 3) {
        const missing = ["kind", "namespace", "name"].filter((f) => !(f in entry));
        const filled = { kind: "*", namespace: "*", name: "*", ...entry } as Exemption;
        problems.push(`${at}: names no ${missing.join(" or ")}, so it would cover ${coverage(filled)}; ` +
            `name ${missing.length === 1 ? "it" : "them"}, or write "*" to mean that`);
    }
    return problems;
}

/** Checks a parsed pack config completely; returns every problem, each naming where it is. */
export function validatePackConfig(config: unknown, ruleNames: readonly string[]): string[] {
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        return ["the policy config must be an object keyed by rule name (or all)"];
    }
    const problems: string[] = [];
    for (const [rule, value] of Object.entries(config)) {
        if (rule !== "all" && !ruleNames.includes(rule)) {
            problems.push(`unknown rule "${rule}"; rules: ${ruleNames.join(", ")}, or all`);
            continue;
        }
        if (typeof value === "string") {
            if (!LEVELS.includes(value as EnforcementLevel)) problems.push(`${rule}: enforcement level "${value}" is not one of ${LEVELS.join(", ")}`);
            continue;
        }
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
            problems.push(`${rule}: must be an enforcement level (${LEVELS.join(", ")}) or an object {enforcementLevel, exemptions}`);
            continue;
        }
        const rc = value as Record<string, unknown>;
        for (const key of Object.keys(rc).filter((k) => !RULE_KEYS.includes(k) || (rule === "all" && k === "exemptions"))) {
            problems.push(`${rule}.${key}: unknown key; allowed: ${rule === "all" ? "enforcementLevel" : RULE_KEYS.join(", ")}`);
        }
        if ("enforcementLevel" in rc && !LEVELS.includes(rc.enforcementLevel as EnforcementLevel)) {
            problems.push(`${rule}.enforcementLevel: ${JSON.stringify(rc.enforcementLevel)} is not one of ${LEVELS.join(", ")}`);
        }
        if (rule === "all" || !("exemptions" in rc)) {
            continue;
        }
        if (!Array.isArray(rc.exemptions)) {
            problems.push(`${rule}.exemptions: must be a list`);
            continue;
        }
        rc.exemptions.forEach((e, i) => problems.push(...exemptionProblems(e, `${rule}.exemptions[${i}]`)));
    }
    return problems;
}

const matches = (wanted: string | undefined, actual: string) => wanted === "*" || wanted === actual;

/** The exemption that covers a subject for a rule, if any. */
export function exemptionFor(subject: Subject, exemptions: readonly Exemption[] | undefined): Exemption | undefined {
    return (exemptions ?? []).find((e) => e.urn !== undefined
        ? subject.urn === e.urn || (subject.urn ?? "").endsWith(`::${e.urn}`)
        : matches(e.kind, kindOf(subject)) && matches(e.namespace, namespaceOf(subject)) && matches(e.name, nameOf(subject)));
}

/** The rule's level: its own entry, else `all`, else its default. */
export function levelOf(rule: { name: string; enforcementLevel: EnforcementLevel }, config: PackConfig | undefined): EnforcementLevel {
    const level = (entry: RuleConfig | EnforcementLevel | undefined) => typeof entry === "string" ? entry : entry?.enforcementLevel;
    return level(config?.[rule.name]) ?? level(config?.all) ?? rule.enforcementLevel;
}

export function exemptionsOf(rule: string, config: PackConfig | undefined): readonly Exemption[] | undefined {
    const entry = config?.[rule];
    return typeof entry === "object" ? entry.exemptions : undefined;
}
