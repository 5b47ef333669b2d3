/** Runs the CrossGuard wrappers the way the analyzer does, with the policy SDK's own proxy for unknowns. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { toCrossGuard } from "../../policies/crossguard";
import { KubeObject, typeOf } from "../../policies/lib/kube";
import { RULES } from "../../policies/rules";

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const sdk = require("@pulumi/policy/proxy") as {
    unknownArrayValue: any;
    unknownStringValue: any;
    unknownObjectValue: any;
    unknownNumberValue: any;
    unknownCheckingProxy: <T>(o: T) => T;
};

export class NotApplicable extends Error {}

export interface Resource {
    readonly type: string;
    readonly name: string;
    readonly props: any;
}

export function resourceOf(object: KubeObject, type = typeOf(object)): Resource {
    return { type, name: object.metadata?.name ?? "x", props: object };
}

const urnOf = (r: Resource) => `urn:pulumi:dev::observability-platform::${r.type}::${r.name}`;

/** One resource policy on one resource: its reports, or the not-applicable reason. */
export function runResource(policy: ResourceValidationPolicy, r: Resource, config: object = {}): { messages: string[]; notApplicable?: string } {
    const messages: string[] = [];
    try {
        (policy.validateResource as (a: any, report: (m: string) => void) => void)({
            type: r.type, props: sdk.unknownCheckingProxy(r.props), urn: urnOf(r), name: r.name, opts: {}, stackTags: new Map(),
            getConfig: () => config,
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        }, (m) => messages.push(m));
    } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
        return { messages, notApplicable: err.message };
    }
    return { messages };
}

/** One stack policy over the resources: its reports (with URNs), or the not-applicable reason. */
export function runStack(policy: StackValidationPolicy, resources: readonly Resource[], config: object = {}): { messages: string[]; urns: (string | undefined)[]; notApplicable?: string } {
    const messages: string[] = [];
    const urns: (string | undefined)[] = [];
    try {
        policy.validateStack!({
            resources: resources.map((r) => ({ type: r.type, name: r.name, urn: urnOf(r), props: sdk.unknownCheckingProxy(r.props), opts: {}, dependencies: [], propertyDependencies: {} })),
            stackTags: new Map(),
            getConfig: () => config,
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        } as any, (m: string, urn?: string) => {
            messages.push(m);
            urns.push(urn);
        });
    } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
        return { messages, urns, notApplicable: err.message };
    }
    return { messages, urns };
}

/** Every rule's reported messages for these objects, sorted, through the wrappers. */
export function crossGuardMessages(objects: readonly KubeObject[], resources: readonly Resource[] = objects.map((o) => resourceOf(o))): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const rule of RULES) {
        const policy = toCrossGuard(rule);
        out[rule.name] = (rule.scope === "resource"
            ? resources.flatMap((r) => runResource(policy as ResourceValidationPolicy, r).messages)
            : runStack(policy as StackValidationPolicy, resources).messages).sort();
    }
    return out;
}
