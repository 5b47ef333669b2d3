import { attempt, isUnknown, KubeObject, Subject } from "./kube";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface Finding {
    readonly subject: Subject;
    readonly message: string;
    /**
     * Set when the rule could not decide because a value it reads is unknown during preview
     * (CrossGuard only): the message then says what was not checked, and nothing is violated.
     */
    readonly unknown?: string;
}

interface RuleBase {
    /** Fixed kebab-case name; exemptions and pack config refer to it. */
    readonly name: string;
    /** One sentence. */
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
}

/** Judges one object at a time. */
export interface ResourceRule extends RuleBase {
    readonly scope: "resource";
    appliesTo(subject: Subject): boolean;
    /**
     * Messages for each way the object fails; empty when it passes. A `*Patch` resource arrives
     * with `partial` set: judge only the fields it sets.
     */
    check(subject: Subject, partial?: boolean): Finding[];
    /** The object fixed, for enforcement level `remediate`. */
    remediate?(object: KubeObject): KubeObject;
}

/** Judges objects against each other (a PDB and the pods it selects). */
export interface StackRule extends RuleBase {
    readonly scope: "stack";
    check(subjects: readonly Subject[]): Finding[];
}

export type Rule = ResourceRule | StackRule;

/**
 * Runs independent parts of a resource rule. A part that reads a value unknown during preview
 * yields one `unknown` finding instead of hiding the other parts' verdicts.
 */
export function parts(subject: Subject, checks: ReadonlyArray<() => string[]>): Finding[] {
    return checks.flatMap((check) => {
        const messages = attempt(check);
        return isUnknown(messages) ? [{ subject, message: `not checked: ${messages.unknown}`, unknown: messages.unknown }]
            : messages.map((message) => ({ subject, message }));
    });
}
