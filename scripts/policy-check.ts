/**
 * `npm run policy:check -- <file-or-dir>... [--config <pack-config.json>] [--format text|json] [--allow-empty]`
 *
 * Applies the policy pack's rules to Kubernetes manifests: `helm template` output, the offline
 * render (`rendered/<stack>`: its manifests/ and each chart's manifests.yaml), or any
 * multi-document YAML or JSON. Exit codes: 0 no blocking
 * violation, 1 a mandatory (or remediate) rule is violated, 2 bad input, bad config or bad
 * arguments, with one line naming the file (and document) and what is wrong. Input that holds
 * no Kubernetes object is bad input unless --allow-empty says otherwise, so a failed
 * `helm template` piped in never passes.
 */
import * as fs from "fs";
import * as path from "path";
import { PackConfig, validatePackConfig } from "../policies/lib/exemptions";
import { describe, KubeObject, namespaceOf, Subject, subjectOf } from "../policies/lib/kube";
import { blocks, evaluate, Report, RULES } from "../policies/rules";
import { CONSOLE, Io } from "./io";
import { KubeYamlError, kubeYamlDocuments } from "./kube-yaml";

export class InputError extends Error {}

const oneLine = (message: string) => message.split("\n")[0].trim();

/** The objects of one parsed document: one object, or a `*List`'s items. */
function objectsIn(value: unknown, where: string): KubeObject[] {
    if (value === null || value === undefined) {
        return [];
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        throw new InputError(`${where}: not a Kubernetes object (a ${Array.isArray(value) ? "list" : typeof value}, not a mapping with apiVersion and kind)`);
    }
    const object = value as Record<string, unknown>;
    if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || object.apiVersion === "" || object.kind === "") {
        const keys = Object.keys(object);
        const cased = keys.filter((k) => ["apiversion", "kind"].includes(k.toLowerCase()) && k !== "apiVersion" && k !== "kind");
        throw new InputError(`${where}: not a Kubernetes object: ${cased.length > 0
            ? `keys are case-sensitive (found ${cased.join(", ")}; expected apiVersion and kind)`
            : `apiVersion and kind must be non-empty strings (keys: ${keys.slice(0, 5).join(", ") || "none"})`}`);
    }
    if (object.kind.endsWith("List") && "items" in object) {
        if (!Array.isArray(object.items)) {
            throw new InputError(`${where}: ${object.kind} items must be a list`);
        }
        return object.items.flatMap((item, i) => {
            const found = objectsIn(item, `${where} items[${i}]`);
            if (found.length === 0) throw new InputError(`${where} items[${i}]: empty item`);
            return found;
        });
    }
    return [object as KubeObject];
}

/**
 * Parses one file's text as kubectl reads it (kube-yaml.ts: goyaml.v2's YAML 1.1 scalars, merge
 * keys in its order, its cap on alias expansion), duplicate keys rejected; JSON for `*.json`.
 */
export function parseManifests(text: string, file: string): KubeObject[] {
    if (/\.json$/i.test(file)) {
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch (err) {
            throw new InputError(`${file}: invalid JSON: ${oneLine((err as Error).message)}`);
        }
        return objectsIn(value, file);
    }
    const objects: KubeObject[] = [];
    let document = 0;
    try {
        for (const { value } of kubeYamlDocuments(text, { uniqueKeys: true })) {
            document++;
            objects.push(...objectsIn(value, `${file} document ${document}`));
        }
    } catch (err) {
        if (!(err instanceof KubeYamlError)) {
            throw err;
        }
        const line = err.offset === undefined ? "" : ` (line ${lineAt(text, err.offset)})`;
        throw new InputError(`${file} document ${document + 1}${line}: invalid YAML: ${oneLine(err.message)}`);
    }
    return objects;
}

/** The 1-based line of an offset in text. */
function lineAt(text: string, offset: number): number {
    let line = 1;
    for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
        line++;
    }
    return line;
}

const MANIFEST = /\.(ya?ml|json)$/i;

/** A folder `npm run render` wrote: its footprint.json beside manifests/ and charts/. */
function isRender(dir: string): boolean {
    return fs.existsSync(path.join(dir, "footprint.json")) && ["manifests", "charts"].every((sub) => fs.existsSync(path.join(dir, sub)));
}

/**
 * The manifest files named, directories searched recursively in a stable order. Each file is
 * read once however many paths reach it (overlapping arguments, symlinks); a dangling symlink,
 * a symlink loop or a path that does not exist is an error.
 */
export function manifestFiles(inputs: readonly string[]): string[] {
    const files: string[] = [];
    const seen = new Set<string>();
    const walk = (p: string, named: boolean) => {
        let real: string;
        try {
            real = fs.realpathSync(p);
        } catch (err) {
            // A pipe behind /dev/stdin has no real path, yet reads fine.
            if (fs.existsSync(p)) {
                real = p;
                return read(p, real, named);
            }
            const code = (err as NodeJS.ErrnoException).code;
            const link = (() => { try { return fs.lstatSync(p).isSymbolicLink(); } catch { return false; } })();
            throw new InputError(`${p}: ${code === "ELOOP" ? "symlink loop" : link ? "dangling symlink" : code === "ENOENT" ? "no such file or directory" : oneLine((err as Error).message)}`);
        }
        read(p, real, named);
    };
    const read = (p: string, real: string, named: boolean) => {
        if (seen.has(real)) {
            return;
        }
        seen.add(real);
        const stat = fs.statSync(p);
        if (stat.isDirectory() && isRender(p)) {
            // What a render deploys; chart.yaml, values.yaml and footprint.json describe it.
            walk(path.join(p, "manifests"), false);
            const charts = path.join(p, "charts");
            for (const chart of fs.readdirSync(charts).sort()) {
                const manifests = path.join(charts, chart, "manifests.yaml");
                if (fs.existsSync(manifests)) {
                    walk(manifests, false);
                }
            }
        } else if (stat.isDirectory()) {
            let entries: string[];
            try {
                entries = fs.readdirSync(p).sort();
            } catch (err) {
                throw new InputError(`${p}: cannot read directory: ${oneLine((err as Error).message)}`);
            }
            for (const entry of entries) {
                const child = path.join(p, entry);
                const isDir = (() => { try { return fs.statSync(child).isDirectory(); } catch { return false; } })();
                if (isDir || MANIFEST.test(entry) || (() => { try { fs.statSync(child); return false; } catch { return true; } })()) {
                    walk(child, false);
                }
            }
        } else if (named || MANIFEST.test(p)) {
            files.push(p);
        }
    };
    inputs.forEach((p) => walk(p, true));
    return files;
}

/** `group/Kind namespace/name`: what the API server keys an object by. */
function identity(o: KubeObject): string {
    const group = o.apiVersion!.includes("/") ? o.apiVersion!.split("/")[0] : "";
    return `${group}/${o.kind} ${namespaceOf(subjectOf(o))}/${o.metadata?.name ?? ""}`;
}

export function loadSubjects(inputs: readonly string[]): Subject[] {
    const subjects: Subject[] = [];
    const declared = new Map<string, { file: string; object: KubeObject }>();
    for (const file of manifestFiles(inputs)) {
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (err) {
            throw new InputError(`${file}: cannot read: ${oneLine((err as Error).message)}`);
        }
        for (const object of parseManifests(text, file)) {
            // The API server holds one object per identity: the same object twice is counted once,
            // two different bodies for one identity is an input error, not a guess.
            // Bodies are serialised only when identities collide: rare, and as costly as the parse.
            const key = identity(object);
            const before = declared.get(key);
            if (before && object.metadata?.name) {
                if (JSON.stringify(before.object) !== JSON.stringify(object)) {
                    throw new InputError(`${file}: ${describe(subjectOf(object))} is also declared in ${before.file} with a different body; only one can exist`);
                }
                continue;
            }
            declared.set(key, { file, object });
            subjects.push(subjectOf(object, file));
        }
    }
    return subjects;
}

export function loadConfig(file: string): PackConfig {
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new InputError(`${file}: cannot read the policy config: ${oneLine((err as Error).message)}`);
    }
    const problems = validatePackConfig(config, RULES.map((r) => r.name));
    if (problems.length > 0) {
        throw new InputError(`${file}: invalid policy config: ${problems.join("; ")}`);
    }
    return config as PackConfig;
}

export function formatText(report: Report): string {
    const lines = report.violations.map((v) => `${v.rule} [${v.level}] ${describe(v.subject)}: ${v.message}`);
    for (const e of report.exempted) {
        lines.push(`${e.rule} [exempt] ${describe(e.subject)}: ${e.reason}`);
    }
    const blocking = report.violations.filter((v) => blocks(v.level)).length;
    lines.push(`${report.objects} objects checked: ${report.violations.length} violations (${blocking} mandatory, ${report.violations.length - blocking} advisory), ${report.exempted.length} exempted`);
    return lines.join("\n");
}

export function formatJson(report: Report): string {
    const ref = (s: Subject) => ({ kind: describe(s).split(" ")[0], namespace: namespaceOf(s), name: s.object.metadata?.name ?? s.name });
    return JSON.stringify({
        objects: report.objects,
        violations: report.violations.map((v) => ({ rule: v.rule, level: v.level, resource: ref(v.subject), message: v.message })),
        exempted: report.exempted.map((e) => ({ rule: e.rule, resource: ref(e.subject), reason: e.reason })),
        blocking: report.violations.some((v) => blocks(v.level)),
    }, null, 2);
}

const USAGE = "usage: npm run policy:check -- <file-or-dir>... [--config <pack-config.json>] [--format text|json] [--allow-empty]";

export function main(argv: readonly string[], io: Io = CONSOLE): number {
    try {
        const rest = [...argv];
        const inputs: string[] = [];
        let format = "text";
        let allowEmpty = false;
        let config: PackConfig | undefined;
        while (rest.length > 0) {
            const arg = rest.shift()!;
            if (arg === "--format") {
                format = rest.shift() ?? "";
                if (format !== "text" && format !== "json") {
                    throw new InputError(`--format takes text or json, not "${format}"; ${USAGE}`);
                }
            } else if (arg === "--config") {
                const file = rest.shift();
                if (!file) throw new InputError(`--config needs a file; ${USAGE}`);
                config = loadConfig(file);
            } else if (arg === "--allow-empty") {
                allowEmpty = true;
            } else if (arg.startsWith("-") && arg !== "-") {
                throw new InputError(`unknown option ${arg}; ${USAGE}`);
            } else {
                inputs.push(arg === "-" ? "/dev/stdin" : arg);
            }
        }
        if (inputs.length === 0) {
            throw new InputError(USAGE);
        }
        const subjects = loadSubjects(inputs);
        if (subjects.length === 0 && !allowEmpty) {
            throw new InputError(`${inputs.join(", ")}: no Kubernetes object found (did the render fail?); pass --allow-empty if empty input is expected`);
        }
        const report = evaluate(subjects, config);
        io.out(format === "json" ? formatJson(report) : formatText(report));
        return report.violations.some((v) => blocks(v.level)) ? 1 : 0;
    } catch (err) {
        const message = err instanceof InputError ? err.message : `internal error: ${oneLine(String((err as Error)?.message ?? err))}`;
        io.err(`error: ${message}`);
        return 2;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
