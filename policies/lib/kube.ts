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
    const apiVersion = object.apiVersion ?? "";
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
    return `kubernetes:${group}/${version}:${object.kind ?? ""}`;
}

export function subjectOf(object: KubeObject, source?: string): Subject {
    return { type: typeOf(object), name: object.metadata?.name ?? source ?? "(unnamed)", object };
}

/** The kind, from the type token: always known, even when the body holds unknown values. */
export function kindOf(s: Subject): string {
    return s.type.split(":").pop()!;
}

/** The API group, from the type token (`core` for the legacy group). */
export function groupOf(s: Subject): string {
    return s.type.split(":")[1].split("/")[0];
}

/**
 * A value that CrossGuard cannot know during preview. Rules read the body through @pulumi/policy's
 * proxy, which throws UnknownValueError on such a read; `attempt` turns that into this marker so
 * only the rule (or the part of a rule) that reads it is affected. Recognised by shape, so pure
 * code needs no import of the SDK.
 */
export interface Unknown {
    readonly unknown: string;
}

export function isUnknownValueError(err: unknown): err is Error {
    return err instanceof Error && err.constructor.name === "UnknownValueError";
}

export function isUnknown(value: unknown): value is Unknown {
    return value instanceof UnknownValue;
}

class UnknownValue implements Unknown {
    constructor(readonly unknown: string) {}
}

/** Runs a read; an unknown value met on the way becomes an Unknown naming its path. */
export function attempt<T>(read: () => T): T | Unknown {
    try {
        return read();
    } catch (err) {
        if (isUnknownValueError(err)) {
            return new UnknownValue(err.message);
        }
        throw err;
    }
}

/** A plain deep copy (reads every value, so an unknown anywhere inside throws). */
export function plain<T>(value: T): T {
    return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** `metadata.namespace`; unset or "" is `default`, as kubectl applies it with the default context. */
export function namespaceOf(s: Subject): string {
    const ns = s.object.metadata?.namespace;
    return ns === undefined || ns === null || ns === "" ? "default" : ns;
}

export function nameOf(s: Subject): string {
    return s.object.metadata?.name ?? s.name;
}

/** `Kind namespace/name`, as messages and reports print it; never throws on an unknown. */
export function describe(s: Subject): string {
    const ns = attempt(() => namespaceOf(s));
    const name = attempt(() => nameOf(s));
    return `${kindOf(s)} ${isUnknown(ns) ? "(namespace unknown during preview)" : ns}/${isUnknown(name) ? s.name : name}`;
}

export interface LabelSelectorRequirement {
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[] | null;
}

export interface LabelSelector {
    readonly matchLabels?: Readonly<Record<string, string>> | null;
    readonly matchExpressions?: readonly LabelSelectorRequirement[] | null;
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"];

/**
 * Why the API server would reject this selector (apimachinery ValidateLabelSelector): an unknown
 * operator, In/NotIn without values, Exists/DoesNotExist with values. Undefined when valid.
 */
export function selectorProblem(selector: LabelSelector | null | undefined): string | undefined {
    for (const req of selector?.matchExpressions ?? []) {
        const values = req?.values ?? [];
        if (!OPERATORS.includes(req?.operator)) {
            return `operator ${JSON.stringify(req?.operator)} is not one of ${OPERATORS.join(", ")}`;
        }
        if ((req.operator === "In" || req.operator === "NotIn") && values.length === 0) {
            return `${req.key} ${req.operator} needs at least one value`;
        }
        if ((req.operator === "Exists" || req.operator === "DoesNotExist") && values.length > 0) {
            return `${req.key} ${req.operator} must have no values`;
        }
    }
    return undefined;
}

/**
 * Kubernetes label-selector semantics (policy/v1): every matchLabels entry and every expression
 * must hold; an empty selector selects every pod in the namespace, a null one none.
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
        const holds = req.operator === "In" ? has && values.includes(labels[req.key])
            : req.operator === "NotIn" ? !(has && values.includes(labels[req.key]))
                : req.operator === "Exists" ? has
                    : req.operator === "DoesNotExist" && !has;
        if (!holds) {
            return false;
        }
    }
    return true;
}

/** The pod template of a workload kind that has one. */
export function podTemplateOf(object: KubeObject, kind: string): any | undefined {
    switch (kind) {
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return object.spec?.template;
        case "CronJob":
            return object.spec?.jobTemplate?.spec?.template;
        default:
            return undefined;
    }
}
