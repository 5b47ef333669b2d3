/**
 * CrossGuard front end: each pure rule wrapped as a Pulumi policy. v4 Chart children arrive
 * here as ordinary resources and are judged like any other object. Rules read the resource
 * inputs through @pulumi/policy's proxy, which throws on a value unknown during preview; such a
 * read only affects the rule (or part of a rule) that makes it, which then says what it could
 * not check. `*Patch` resources are judged on the fields they set, `*List` resources item by item.
 */
import type {
    PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { exemptionFor, LEVELS, RuleConfig } from "./lib/exemptions";
import { attempt, isUnknown, KubeObject, plain, Subject } from "./lib/kube";
import { Finding, ResourceRule, Rule, StackRule } from "./lib/rule";

/** Per-rule pack config: an enforcement level (built in) and a list of exemptions with reasons. */
export const RULE_CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        exemptions: {
            type: "array",
            items: {
                type: "object",
                properties: {
                    kind: { type: "string", minLength: 1 },
                    namespace: { type: "string", minLength: 1 },
                    name: { type: "string", minLength: 1 },
                    urn: { type: "string", minLength: 1 },
                    reason: { type: "string", minLength: 1 },
                },
                // Entries that name neither kind/namespace/name nor urn match nothing here; the checker's
                // config validation (validatePackConfig) reports them.
                required: ["reason"],
                additionalProperties: false,
            },
        },
    },
};

interface Resource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly props: Record<string, any>;
}

/**
 * The subjects a resource stands for: itself, or the items of a `*List` (each typed as its
 * item kind). `partial` marks a `*Patch`, typed as the kind it patches.
 */
export function subjectsOf(r: Resource): { subjects: Subject[]; partial: boolean } | { unknown: string } {
    const kind = r.type.split(":").pop()!;
    const base = r.type.slice(0, r.type.length - kind.length);
    if (kind.endsWith("Patch")) {
        return { subjects: [{ type: `${base}${kind.slice(0, -"Patch".length)}`, urn: r.urn, name: r.name, object: r.props }], partial: true };
    }
    if (kind.endsWith("List") && kind !== "List") {
        const items = attempt(() => Array.from<any>(r.props.items ?? []));
        if (isUnknown(items)) return items;
        const type = `${base}${kind.slice(0, -"List".length)}`;
        return { subjects: items.map((object, i) => ({ type, urn: r.urn, name: `${r.name}[${i}]`, object })), partial: false };
    }
    return { subjects: [{ type: r.type, urn: r.urn, name: r.name, object: r.props }], partial: false };
}

const isKubernetes = (type: string) => type.startsWith("kubernetes:");

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    const judged = (args: ResourceValidationArgs) => {
        const expanded = subjectsOf(args);
        if ("unknown" in expanded) return { findings: [] as Finding[], unknown: [expanded.unknown] };
        const exemptions = (args.getConfig<RuleConfig>() ?? {}).exemptions;
        const findings = expanded.subjects
            .filter((s) => rule.appliesTo(s) && !exemptionFor(s, exemptions))
            .flatMap((s) => rule.check(s, expanded.partial));
        return { findings: findings.filter((f) => f.unknown === undefined), unknown: findings.filter((f) => f.unknown !== undefined).map((f) => f.message) };
    };
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: RULE_CONFIG_SCHEMA,
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            if (!isKubernetes(args.type)) {
                return;
            }
            const { findings, unknown } = judged(args);
            findings.forEach((f) => report(f.message));
            if (findings.length === 0 && unknown.length > 0) {
                args.notApplicable(`could not check during preview: ${unknown.join("; ")}`);
            }
        },
        remediateResource: rule.remediate
            ? (args: ResourceValidationArgs) => {
                // Only a whole object is rewritten, and only once every value in it is known.
                const kind = args.type.split(":").pop()!;
                if (!isKubernetes(args.type) || kind.endsWith("Patch") || kind.endsWith("List") || judged(args).findings.length === 0) {
                    return undefined;
                }
                const object = attempt(() => plain(args.props) as KubeObject);
                return isUnknown(object) ? undefined : rule.remediate!(object);
            }
            : undefined,
    };
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        configSchema: RULE_CONFIG_SCHEMA,
        validateStack: (args: StackValidationArgs, report: ReportViolation) => {
            const subjects: Subject[] = [];
            const unknown: string[] = [];
            for (const r of args.resources.filter((r) => isKubernetes(r.type))) {
                const expanded = subjectsOf(r);
                if ("unknown" in expanded) unknown.push(`${r.name}: ${expanded.unknown}`);
                // A patch keeps its own kind here: stack rules must not take it for a whole new object.
                else subjects.push(...(expanded.partial ? [{ type: r.type, urn: r.urn, name: r.name, object: r.props }] : expanded.subjects));
            }
            const exemptions = (args.getConfig<RuleConfig>() ?? {}).exemptions;
            const findings = rule.check(subjects).filter((f) => !exemptionFor(f.subject, exemptions));
            unknown.push(...findings.filter((f) => f.unknown !== undefined).map((f) => f.message));
            const note = unknown.length > 0 ? ` Not checked during preview: ${unknown.join("; ")}.` : "";
            const definite = findings.filter((f) => f.unknown === undefined);
            definite.forEach((f) => report(`${f.message}${note}`, f.subject.urn));
            if (definite.length === 0 && unknown.length > 0) {
                args.notApplicable(`could not check during preview: ${unknown.join("; ")}`);
            }
        },
    };
}

export function toCrossGuard(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    return rule.scope === "resource" ? resourcePolicy(rule) : stackPolicy(rule);
}

export { LEVELS };
