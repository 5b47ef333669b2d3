/**
 * `pulumi.com/waitFor` as pulumi-kubernetes reads it (provider/pkg/metadata/overrides.go
 * `ReadyCondition`, pkg/jsonpath/jsonpath.go `Parse` and `Matches`, await/condition/jsonpath.go
 * and all.go; master after v4.32.0, the nearest source to the pinned 4.34.2): a JSON string array
 * or one expression; each `jsonpath={<path>}[=<value>]` with one `=` at most (`==` kept for
 * filters), the path in braces, no shell quotes; a value compares with the selected scalar's
 * text; nothing holds while `status.observedGeneration` is below `metadata.generation`; an array
 * holds when every expression holds on the same object. Only dotted field paths are evaluated
 * here, which is all the program writes; anything else fails loudly rather than guess.
 */
export interface WaitFor {
    readonly expressions: ReadonlyArray<{ readonly path: string[]; readonly value?: string }>;
}

export function parseWaitFor(annotation: string): WaitFor {
    let values: unknown;
    try {
        values = JSON.parse(annotation);
    } catch {
        values = [annotation];
    }
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) {
        throw new Error(`waitFor: expected a non-empty JSON array of strings or one expression, got ${annotation}`);
    }
    return {
        expressions: values.map((expr: string) => {
            if (!expr.startsWith("jsonpath=")) {
                throw new Error(`waitFor: only jsonpath= expressions are evaluated here, got ${expr}`);
            }
            const parts = expr.slice("jsonpath=".length).replaceAll("==", "\u0000").split("=");
            if (parts.length > 2) {
                throw new Error(`waitFor: format should be {.path}=value or {.path}, got ${expr}`);
            }
            if (parts.length === 2 && parts[1] === "") {
                throw new Error(`waitFor: ${parts[0]}= requires a value`);
            }
            const inBraces = /^\{\s*(\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\s*\}$/.exec(parts[0]);
            if (!inBraces) {
                throw new Error(`waitFor: ${parts[0]} is not a dotted field path in braces`);
            }
            return { path: inBraces[1].slice(1).split("."), value: parts[1] };
        }),
    };
}

/** Whether the provider's await would be satisfied by this observed object. */
export function waitForMet(annotation: string, observed: Record<string, any>): boolean {
    const generation = observed.metadata?.generation;
    const observedGeneration = observed.status?.observedGeneration;
    if (typeof generation === "number" && typeof observedGeneration === "number" && observedGeneration < generation) {
        return false;
    }
    return parseWaitFor(annotation).expressions.every(({ path, value }) => {
        const found = path.reduce<any>((v, k) => (v !== null && typeof v === "object" ? v[k] : undefined), observed);
        if (found === undefined) {
            return false;
        }
        if (value === undefined) {
            return true;
        }
        if (found !== null && typeof found === "object") {
            throw new Error(`waitFor: ${path.join(".")} has a non-primitive value`);
        }
        return String(found) === value;
    });
}
