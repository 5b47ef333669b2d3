/**
 * Plain Kubernetes objects as the rules see them, whichever front end supplied them: CrossGuard
 * resource inputs, YAML manifests, or test fixtures. Pure: no Pulumi, no I/O.
 */

export interface KubeObject {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly metadata?: {
        readonly name?: string;
        readonly namespace?: string;
        readonly labels?: Readonly<Record<string, string>>;
        readonly annotations?: Readonly<Record<string, string>>;
    };
    readonly spec?: any;
    readonly [key: string]: unknown;
}

/** One object under judgement: its Pulumi type token, a display name and its body. */
export interface Subject {
    /** `kubernetes:apps/v1:DaemonSet`, or the same derived from apiVersion/kind for manifests. */
    readonly type: string;
    /** Pulumi URN when judged by CrossGuard; absent for manifests. */
    readonly urn?: string;
    /** Name used when `metadata.name` is absent (Pulumi autonaming). */
    readonly name: string;
    readonly object: KubeObject;
}

/** The Pulumi type token a manifest would have: `kubernetes:<group or core>/<version>:<Kind>`. */
export function typeOf(object: KubeObject): string {
    const [group, version] = (object.apiVersion ?? "").includes("/") ? object.apiVersion!.split("/") : ["core", object.apiVersion ?? ""];
    return `kubernetes:${group}/${version}:${object.kind ?? ""}`;
}

export function subjectOf(object: KubeObject, source?: string): Subject {
    return { type: typeOf(object), name: object.metadata?.name ?? source ?? "(unnamed)", object };
}

export function kindOf(s: Subject): string {
    return s.object.kind ?? s.type.split(":").pop() ?? "";
}

export function namespaceOf(s: Subject): string {
    return s.object.metadata?.namespace ?? "default";
}

export function nameOf(s: Subject): string {
    return s.object.metadata?.name ?? s.name;
}

/** `Kind namespace/name`, as messages and reports print it. */
export function describe(s: Subject): string {
    return `${kindOf(s)} ${namespaceOf(s)}/${nameOf(s)}`;
}

export interface LabelSelectorRequirement {
    readonly key: string;
    readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
    readonly values?: readonly string[];
}

export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>>;
    readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * Kubernetes label-selector semantics: every matchLabels entry and every expression must hold.
 * An empty selector matches everything, a missing one nothing (policy/v1 PDB behaviour).
 */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Readonly<Record<string, string>>): boolean {
    if (!selector) {
        return false;
    }
    for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
        if (labels[key] !== value) {
            return false;
        }
    }
    for (const req of selector.matchExpressions ?? []) {
        const has = Object.prototype.hasOwnProperty.call(labels, req.key);
        const values = req.values ?? [];
        switch (req.operator) {
            case "In":
                if (!has || !values.includes(labels[req.key])) return false;
                break;
            case "NotIn":
                if (has && values.includes(labels[req.key])) return false;
                break;
            case "Exists":
                if (!has) return false;
                break;
            case "DoesNotExist":
                if (has) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/** The pod template spec of a workload kind that has one. */
export function podSpecOf(object: KubeObject): any | undefined {
    switch (object.kind) {
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return object.spec?.template?.spec;
        case "CronJob":
            return object.spec?.jobTemplate?.spec?.template?.spec;
        default:
            return undefined;
    }
}

/**
 * A UnknownValueError from @pulumi/policy, recognised by shape so pure code needs no import.
 */
export function isUnknownValueError(err: unknown): err is Error & { props?: string[] } {
    return err instanceof Error && err.constructor?.name === "UnknownValueError";
}

/**
 * A plain copy of a (possibly proxied) object, or the path of the first value that is unknown
 * during preview.
 */
export function materialize(object: unknown): { object: KubeObject } | { unknown: string } {
    try {
        return { object: JSON.parse(JSON.stringify(object ?? {})) };
    } catch (err) {
        if (isUnknownValueError(err)) {
            return { unknown: err.message };
        }
        throw err;
    }
}
