/**
 * The one reviewed file of kube-score exemptions (policies/kube-score-exemptions.yaml): a list of
 * entries, each one check, the reason, the objects it covers and, optionally, the only stacks it
 * covers them in.
 *
 *   - check: container-image-pull-policy
 *     reason: Every image is pinned by tag ...
 *     stacks: [dev]                            # optional: only these stacks
 *     objects:
 *       - Deployment/logging/elasticsearch-exporter:exporter   # Kind/namespace/name[:path]
 *
 * An object's `:path` is the finding's path (findings.ts): the container, for container checks.
 * A target without one covers only the findings about the whole object. A `*` in the name stands
 * for any characters: the setup Jobs are named `<name>-<hash of their inputs>`
 * (components/shared/workloads.ts withInputsHash), a new name on every change of what they apply.
 */
import * as YAML from "yaml";
import { Finding, KnownCheck } from "./findings";

export interface Exemption {
    readonly check: string;
    readonly reason: string;
    /** Undefined: every stack. */
    readonly stacks?: readonly string[];
    readonly targets: ReadonlyArray<{ readonly object: string; readonly path: string; readonly line: number }>;
    readonly line: number;
}

export class ExemptionsError extends Error {}

const KEYS = ["check", "reason", "stacks", "objects"];
const TARGET = /^[A-Za-z][A-Za-z0-9]*\/([^/:\s*]+\/)?[^/:\s]+(:\S+)?$/;

/** Whether a target's object (a name with `*` in it) names the finding's object. */
export function objectMatches(target: string, object: string): boolean {
    if (!target.includes("*")) {
        return target === object;
    }
    const pattern = target.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*");
    return new RegExp(`^${pattern}$`).test(object);
}

/** Names ending in withInputsHash's suffix, which changes with every change of what the Job applies. */
const HASHED = /-[0-9a-f]{10}$/;

/** How the file is written back: what YAML.stringify gives its own parse, so an edit changes only what it edits. */
export const FORMAT: YAML.ToStringOptions = { lineWidth: 100, flowCollectionPadding: false };

export function parseTarget(text: string): { object: string; path: string } {
    const colon = text.indexOf(":");
    return colon < 0 ? { object: text, path: "" } : { object: text.slice(0, colon), path: text.slice(colon + 1) };
}

export const targetOf = (f: Pick<Finding, "object" | "path">): string => (f.path === "" ? f.object : `${f.object}:${f.path}`);

/**
 * The file's entries, validated completely: every problem is reported at once, each naming the
 * file, the line and the entry. `checks` are kube-score's (`kube-score list`); `enabled` the
 * optional ones the scorecard turns on; `stacks` the project's stacks. `requireReasons: false`
 * lets the file's editors (--prune, --write-missing) read skeleton entries that have none yet.
 */
export function parseExemptions(text: string, file: string, checks: readonly KnownCheck[], enabled: readonly string[], stacks: readonly string[],
    { requireReasons }: { readonly requireReasons: boolean } = { requireReasons: true }): Exemption[] {
    const lines = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter: lines, uniqueKeys: true });
    const at = (node: YAML.Node | null | undefined) => lines.linePos(node?.range?.[0] ?? 0).line;
    if (doc.errors.length > 0) {
        throw new ExemptionsError(doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split("\n")[0]}`).join("\n"));
    }
    const root = doc.contents;
    if (root === null || (YAML.isScalar(root) && root.value === null)) {
        return [];
    }
    if (!YAML.isSeq(root)) {
        throw new ExemptionsError(`${file}:${at(root)}: must be a list of exemptions ({check, reason, objects, stacks?})`);
    }
    const problems: string[] = [];
    const entries: Exemption[] = [];
    const known = new Map(checks.map((c) => [c.id, c]));
    root.items.forEach((item, i) => {
        const line = at(item as YAML.Node);
        const checkName = YAML.isMap(item) ? item.get("check") : undefined;
        const where = `${file}:${line}: entry ${i + 1}${typeof checkName === "string" ? ` (${checkName})` : ""}`;
        const problem = (text: string) => problems.push(`${where}: ${text}`);
        if (!YAML.isMap(item)) {
            problem("must be a mapping {check, reason, objects, stacks?}");
            return;
        }
        for (const pair of item.items) {
            const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
            if (!KEYS.includes(key)) {
                problem(`unknown key "${key}"; allowed: ${KEYS.join(", ")}`);
            }
        }
        const check: unknown = item.get("check");
        if (typeof check !== "string" || check === "") {
            problem("check: must name a kube-score check id (kube-score list)");
        } else if (!known.has(check)) {
            problem(`check: unknown check id "${check}"; kube-score 1.20.0 checks: ${[...known.keys()].join(", ")}`);
        } else if (known.get(check)!.optional && !enabled.includes(check)) {
            problem(`check: "${check}" is an optional check the scorecard does not enable (it enables: ${enabled.join(", ") || "none"}), so nothing can match`);
        }
        const reason: unknown = item.get("reason");
        if (typeof reason !== "string" || (requireReasons && reason.trim() === "")) {
            problem("reason: empty; write why this finding is not fixed (\"not yet hardened: issue N item M\" for one that simply is not fixed yet)");
        }
        let only: string[] | undefined;
        if (item.has("stacks")) {
            const list = item.get("stacks");
            const values = YAML.isSeq(list) ? list.items.map((s) => (YAML.isScalar(s) ? s.value : s)) : [];
            if (values.length === 0 || values.some((s) => typeof s !== "string")) {
                problem(`stacks: must be a non-empty list of stacks (${stacks.join(", ")}); leave it out to cover every stack`);
            } else {
                for (const s of values as string[]) {
                    if (!stacks.includes(s)) problem(`stacks: unknown stack "${s}"; stacks: ${stacks.join(", ")}`);
                }
                if (new Set(values).size < values.length) problem("stacks: names a stack twice");
                only = values as string[];
            }
        }
        const objects = item.get("objects");
        const targets: Array<{ object: string; path: string; line: number }> = [];
        if (!YAML.isSeq(objects) || objects.items.length === 0) {
            problem("objects: must be a non-empty list of Kind/namespace/name[:container] (Kind/name when cluster-scoped)");
        } else {
            for (const node of objects.items) {
                const value = YAML.isScalar(node) ? node.value : undefined;
                if (typeof value !== "string" || !TARGET.test(value)) {
                    problem(`objects: ${JSON.stringify(value ?? String(node))} (line ${at(node as YAML.Node)}) is not Kind/namespace/name[:container] (Kind/name when cluster-scoped)`);
                } else {
                    targets.push({ ...parseTarget(value), line: at(node as YAML.Node) });
                }
            }
        }
        if (typeof check === "string" && typeof reason === "string") {
            entries.push({ check, reason, stacks: only, targets, line });
        }
    });
    // One finding, one reason: a target named twice for a check, in stacks that overlap, is ambiguous.
    const seen = new Map<string, Exemption>();
    for (const e of entries) {
        for (const t of e.targets) {
            for (const stack of e.stacks ?? stacks) {
                const key = `${e.check} ${stack} ${targetOf(t)}`;
                const first = seen.get(key);
                if (first && first !== e) {
                    problems.push(`${file}:${t.line}: ${e.check} exempts ${targetOf(t)} in ${stack} again (first at line ${first.line}); keep one entry`);
                    break;
                }
                seen.set(key, e);
            }
        }
    }
    if (problems.length > 0) {
        throw new ExemptionsError([...new Set(problems)].join("\n"));
    }
    return entries;
}

/** The entry that exempts a finding, if any. */
export function exemptionFor(f: Finding, exemptions: readonly Exemption[]): Exemption | undefined {
    return exemptions.find((e) => e.check === f.check && (e.stacks === undefined || e.stacks.includes(f.stack))
        && e.targets.some((t) => t.path === f.path && objectMatches(t.object, f.object)));
}

/** A target no finding matches any more, in the stacks its entry covers: the fix landed, or the object is gone. */
export interface Stale {
    readonly exemption: Exemption;
    readonly target: string;
    readonly line: number;
}

/** `stacks`: the stacks scored, which an entry without `stacks` covers. */
export function staleExemptions(exemptions: readonly Exemption[], findings: readonly Finding[], stacks: readonly string[]): Stale[] {
    const stale: Stale[] = [];
    for (const e of exemptions) {
        const covered = e.stacks ?? stacks;
        const candidates = findings.filter((f) => f.check === e.check && covered.includes(f.stack));
        for (const t of e.targets) {
            if (!candidates.some((f) => f.path === t.path && objectMatches(t.object, f.object))) {
                stale.push({ exemption: e, target: targetOf(t), line: t.line });
            }
        }
    }
    return stale;
}

/**
 * The file with `stale` targets removed, and entries left with none removed whole; comments and
 * the other entries stay as they were.
 */
export function pruned(text: string, stale: readonly Stale[]): string {
    const lines = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter: lines });
    const root = doc.contents;
    if (!YAML.isSeq(root)) {
        return text;
    }
    const gone = new Set(stale.map((s) => s.line));
    for (const item of [...root.items]) {
        const objects = YAML.isMap(item) ? item.get("objects") : undefined;
        if (!YAML.isSeq(objects)) continue;
        objects.items = objects.items.filter((n) => !gone.has(lines.linePos((n as YAML.Node).range![0]).line));
        if (objects.items.length === 0) {
            root.items.splice(root.items.indexOf(item), 1);
        }
    }
    return doc.toString(FORMAT);
}

/**
 * The file with a skeleton entry appended per check for the findings no entry exempts: no reason,
 * which validation refuses until one is written. A target flagged in some stacks but passing in
 * another (`passingIn`) gets `stacks`, so the exemption does not also cover that stack later.
 */
export function withMissing(text: string, missing: readonly Finding[], passingIn: (check: string, object: string) => readonly string[], stacks: readonly string[]): string {
    const doc = YAML.parseDocument(text);
    if (doc.contents === null || (YAML.isScalar(doc.contents) && doc.contents.value === null)) {
        doc.contents = doc.createNode([]) as unknown as typeof doc.contents;
    }
    const root = doc.contents as YAML.YAMLSeq;
    const groups = new Map<string, { check: string; stacks?: string[]; objects: string[] }>();
    const byTarget = new Map<string, Finding[]>();
    for (const f of missing) {
        const key = `${f.check} ${targetOf({ object: f.object.replace(HASHED, "-*"), path: f.path })}`;
        byTarget.set(key, [...(byTarget.get(key) ?? []), f]);
    }
    for (const fs of byTarget.values()) {
        const { check, object } = fs[0];
        const flagged = stacks.filter((s) => fs.some((f) => f.stack === s));
        const only = passingIn(check, object).some((s) => !flagged.includes(s)) ? flagged : undefined;
        const key = `${check} ${only?.join(",") ?? ""}`;
        const group = groups.get(key) ?? { check, ...(only ? { stacks: only } : {}), objects: [] };
        group.objects.push(targetOf({ object: object.replace(HASHED, "-*"), path: fs[0].path }));
        groups.set(key, group);
    }
    for (const g of [...groups.values()].sort((a, b) => (a.check < b.check ? -1 : a.check > b.check ? 1 : 0))) {
        const node = doc.createNode({ check: g.check, reason: "", ...(g.stacks ? { stacks: g.stacks } : {}), objects: g.objects.sort() });
        if (g.stacks) (node.get("stacks", true) as unknown as YAML.YAMLSeq).flow = true;
        root.items.push(node);
    }
    return doc.toString(FORMAT);
}
