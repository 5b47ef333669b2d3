/**
 * kube-score's machine-readable output, read: `kube-score score --output-format json` (its v2
 * shape, renderer/json_v2/api.go at v1.20.0) and `kube-score list` (CSV: id, target type,
 * comment, default|optional; cmd/kube-score/main.go listChecks).
 */

/** The objects kube-score scores are named `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export const objectRef = (kind: string, namespace: string | undefined, name: string): string =>
    namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;

/**
 * One thing kube-score says is wrong: a check graded below "all OK" on one object. `path` is the
 * comment's path: for container checks the container's name (score/container, score/security
 * pass `container.Name`), a label key for label-values, an Ingress path; "" for checks about the
 * whole object. kube-score may say several things under one path (a low user ID and a low group
 * ID; a missing ephemeral-storage request and limit): they are one finding with several summaries.
 */
export interface Finding {
    readonly stack: string;
    readonly check: string;
    readonly object: string;
    readonly path: string;
    readonly summaries: readonly string[];
}

/** One object a check ran on (not skipped) in one stack, and whether it passed. */
export interface Graded {
    readonly stack: string;
    readonly check: string;
    readonly object: string;
    readonly passed: boolean;
}

export interface StackScore {
    readonly findings: Finding[];
    readonly graded: Graded[];
}

/** kube-score's grades (scorecard/scorecard.go): 1 critical, 5 warning, 7 almost OK, 10 all OK. */
const ALL_OK = 10;

interface ScoredObject {
    readonly type_meta?: { readonly kind?: string };
    readonly object_meta?: { readonly name?: string; readonly namespace?: string };
    readonly checks?: ReadonlyArray<{
        readonly check: { readonly id: string };
        readonly grade: number;
        readonly skipped: boolean;
        readonly comments: ReadonlyArray<{ readonly path: string; readonly summary: string }> | null;
    }> | null;
}

/**
 * The findings and graded objects of one stack from kube-score's JSON (v2). A check below
 * "all OK" counts, "almost OK" included: that is how kube-score grades a pod without a liveness
 * probe (score/probes/probes.go). Skipped checks (not applicable, optional and not enabled) count
 * neither way. kube-score prints `null` when it scored no object.
 */
export function parseScore(stack: string, json: string): StackScore {
    const objects = JSON.parse(json) as ScoredObject[] | null;
    if (objects !== null && !Array.isArray(objects)) {
        throw new Error(`kube-score's JSON for ${stack} is not a list of scored objects`);
    }
    const findings: Finding[] = [];
    const graded: Graded[] = [];
    for (const o of objects ?? []) {
        const kind = o.type_meta?.kind;
        const name = o.object_meta?.name;
        if (!kind || !name) {
            throw new Error(`kube-score's JSON for ${stack} has an object without kind or name`);
        }
        const object = objectRef(kind, o.object_meta?.namespace, name);
        for (const c of o.checks ?? []) {
            if (c.skipped) {
                continue;
            }
            const passed = c.grade >= ALL_OK;
            graded.push({ stack, check: c.check.id, object, passed });
            if (passed) {
                continue;
            }
            const byPath = new Map<string, string[]>();
            for (const comment of c.comments ?? [{ path: "", summary: "graded below OK without a comment" }]) {
                byPath.set(comment.path, [...(byPath.get(comment.path) ?? []), comment.summary]);
            }
            for (const [path, summaries] of byPath) {
                findings.push({ stack, check: c.check.id, object, path, summaries });
            }
        }
    }
    const order = (a: Finding, b: Finding) => compare(a.check, b.check) || compare(a.object, b.object) || compare(a.path, b.path);
    return { findings: findings.sort(order), graded };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A check kube-score knows, and whether it runs only when enabled. */
export interface KnownCheck {
    readonly id: string;
    readonly optional: boolean;
}

/** `kube-score list`: one CSV line per check; the id (first field) and default|optional (last) hold no comma. */
export function parseCheckList(csv: string): KnownCheck[] {
    const checks = csv.split("\n").filter((line) => line.trim() !== "").map((line) => {
        const id = line.slice(0, line.indexOf(","));
        const kind = line.slice(line.lastIndexOf(",") + 1).trim();
        if (!id || (kind !== "default" && kind !== "optional")) {
            throw new Error(`kube-score list: unexpected line ${JSON.stringify(line)}`);
        }
        return { id, optional: kind === "optional" };
    });
    if (checks.length === 0) {
        throw new Error("kube-score list printed no check");
    }
    return checks;
}
