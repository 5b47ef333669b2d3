/**
 * CrossGuard front end: each pure rule wrapped as a Pulumi policy. v4 Chart children arrive
 * here as ordinary resources and are judged like any other object. Values that are unknown
 * during preview never throw: the object is skipped and the policy says what it could not check.
 */
import type {
    PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy,
} from "@pulumi/policy";
import { exemptionFor, RuleConfig } from "./lib/exemptions";
import { describe, materialize, Subject } from "./lib/kube";
import { ResourceRule, Rule, StackRule } from "./lib/rule";

/** Per-rule pack config: an enforcement level (built in) and a list of exemptions with reasons. */
export const RULE_CONFIG_SCHEMA: PolicyConfigSchema = {
    properties: {
        exemptions: {
            type: "array",
            items: {
                type: "object",
                properties: {
                    kind: { type: "string" },
                    namespace: { type: "string" },
                    name: { type: "string" },
                    urn: { type: "string" },
                    reason: { type: "string", minLength: 1 },
                },
                required: ["reason"],
                additionalProperties: false,
            },
        },
    },
};

const isKubernetes = (type: string) => type.startsWith("kubernetes:");

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    const subjectOf = (args: ResourceValidationArgs): Subject | { unknown: string; subject: Subject } => {
        const shell: Subject = { type: args.type, urn: args.urn, name: args.name, object: {} };
        const m = materialize(args.props);
        return "unknown" in m ? { unknown: m.unknown, subject: shell } : { ...shell, object: m.object };
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
            const subject = subjectOf(args);
            if ("unknown" in subject) {
                if (rule.appliesTo(subject.subject)) {
                    args.notApplicable(`could not check ${describe(subject.subject)} during preview: ${subject.unknown}`);
                }
                return;
            }
            if (!rule.appliesTo(subject) || exemptionFor(subject, args.getConfig<RuleConfig>().exemptions)) {
                return;
            }
            rule.check(subject).forEach((message) => report(message));
        },
        remediateResource: rule.remediate
            ? (args: ResourceValidationArgs) => {
                if (!isKubernetes(args.type)) {
                    return undefined;
                }
                const subject = subjectOf(args);
                if ("unknown" in subject || !rule.appliesTo(subject) || rule.check(subject).length === 0 ||
                    exemptionFor(subject, args.getConfig<RuleConfig>().exemptions)) {
                    return undefined;
                }
                return rule.remediate!(subject.object);
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
            for (const r of args.resources) {
                if (!isKubernetes(r.type)) {
                    continue;
                }
                const m = materialize(r.props);
                if ("unknown" in m) {
                    unknown.push(`${r.name} (${m.unknown})`);
                } else {
                    subjects.push({ type: r.type, urn: r.urn, name: r.name, object: m.object });
                }
            }
            const exemptions = args.getConfig<RuleConfig>().exemptions;
            const findings = rule.check(subjects).filter((f) => !exemptionFor(f.subject, exemptions));
            const note = unknown.length > 0 ? ` Not checked during preview: ${unknown.join("; ")}.` : "";
            findings.forEach((f) => report(`${f.message}${note}`, f.subject.urn));
            if (findings.length === 0 && unknown.length > 0) {
                args.notApplicable(`could not check ${unknown.length} resource(s) during preview: ${unknown.join("; ")}`);
            }
        },
    };
}

export function toCrossGuard(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    return rule.scope === "resource" ? resourcePolicy(rule) : stackPolicy(rule);
}
