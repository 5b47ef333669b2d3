import { KubeObject, Subject } from "./kube";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

export interface Finding {
    readonly subject: Subject;
    readonly message: string;
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
    /** Messages for each way the object fails; empty when it passes. */
    check(subject: Subject): string[];
    /** The object fixed, for enforcement level `remediate`. */
    remediate?(object: KubeObject): KubeObject;
}

/** Judges objects against each other (a PDB and the pods it selects). */
export interface StackRule extends RuleBase {
    readonly scope: "stack";
    check(subjects: readonly Subject[]): Finding[];
}

export type Rule = ResourceRule | StackRule;
