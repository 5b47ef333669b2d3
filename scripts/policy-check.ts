/**
 * `npm run policy:check -- <file-or-dir>... [--config <pack-config.json>] [--format text|json]`
 *
 * Applies the policy pack's rules to Kubernetes manifests: `helm template` output, the offline
 * render (`rendered/<stack>`), or any multi-document YAML or JSON. Exit codes: 0 no blocking
 * violation, 1 a mandatory (or remediate) rule is violated, 2 unreadable input or bad arguments.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PackConfig, validatePackConfig } from "../policies/lib/exemptions";
import { describe, KubeObject, Subject, subjectOf } from "../policies/lib/kube";
import { blocks, evaluate, Report, RULES } from "../policies/rules";

export class InputError extends Error {}

function isKubeObject(value: unknown): value is KubeObject {
    return value !== null && typeof value === "object" && typeof (value as KubeObject).kind === "string" && typeof (value as KubeObject).apiVersion === "string";
}

/** Objects in one document, expanding `kind: List`; anything without apiVersion and kind is skipped. */
function objectsIn(value: unknown): KubeObject[] {
    if (Array.isArray(value)) {
        return value.flatMap(objectsIn);
    }
    if (isKubeObject(value)) {
        const items = (value as { items?: unknown }).items;
        return Array.isArray(items) && value.kind!.endsWith("List") ? items.flatMap(objectsIn) : [value];
    }
    return [];
}

/** Parses one file's text; throws an InputError naming the file (and line, for YAML). */
export function parseManifests(text: string, file: string): KubeObject[] {
    if (file.endsWith(".json")) {
        try {
            return objectsIn(JSON.parse(text));
        } catch (err) {
            throw new InputError(`${file}: invalid JSON: ${(err as Error).message}`);
        }
    }
    const docs = YAML.parseAllDocuments(text, { uniqueKeys: false });
    const objects: KubeObject[] = [];
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
        const error = doc.errors[0];
        if (error) {
            const line = error.linePos?.[0]?.line;
            throw new InputError(`${file}${line ? `:${line}` : ""}: invalid YAML: ${error.message.split("\n")[0]}`);
        }
        objects.push(...objectsIn(doc.toJS({ maxAliasCount: 1000 })));
    }
    return objects;
}

/** The manifest files named, directories searched recursively in a stable order. */
export function manifestFiles(inputs: readonly string[]): string[] {
    const files: string[] = [];
    const walk = (p: string) => {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(p);
        } catch {
            throw new InputError(`${p}: no such file or directory`);
        }
        if (stat.isDirectory()) {
            for (const entry of fs.readdirSync(p).sort()) {
                const child = path.join(p, entry);
                if (fs.statSync(child).isDirectory() || /\.(ya?ml|json)$/.test(entry)) {
                    walk(child);
                }
            }
        } else {
            files.push(p);
        }
    };
    inputs.forEach(walk);
    return files;
}

export function loadSubjects(inputs: readonly string[]): Subject[] {
    const subjects: Subject[] = [];
    for (const file of manifestFiles(inputs)) {
        let text: string;
        try {
            text = fs.readFileSync(file, "utf8");
        } catch (err) {
            throw new InputError(`${file}: cannot read: ${(err as Error).message}`);
        }
        subjects.push(...parseManifests(text, file).map((o) => subjectOf(o, file)));
    }
    return subjects;
}

export function loadConfig(file: string): PackConfig {
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new InputError(`${file}: cannot read the policy config: ${(err as Error).message}`);
    }
    const problems = validatePackConfig(config, RULES.map((r) => r.name));
    if (problems.length > 0) {
        throw new InputError(`${file}: invalid policy config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
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
    const ref = (s: Subject) => ({ kind: describe(s).split(" ")[0], namespace: s.object.metadata?.namespace ?? "default", name: s.object.metadata?.name ?? s.name });
    return JSON.stringify({
        objects: report.objects,
        violations: report.violations.map((v) => ({ rule: v.rule, level: v.level, resource: ref(v.subject), message: v.message })),
        exempted: report.exempted.map((e) => ({ rule: e.rule, resource: ref(e.subject), reason: e.reason })),
        blocking: report.violations.some((v) => blocks(v.level)),
    }, null, 2);
}

const USAGE = "usage: npm run policy:check -- <file-or-dir>... [--config <pack-config.json>] [--format text|json]";

export function main(argv: readonly string[]): number {
    try {
        const rest = [...argv];
        const inputs: string[] = [];
        let format = "text";
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
            } else if (arg.startsWith("-")) {
                throw new InputError(`unknown option ${arg}; ${USAGE}`);
            } else {
                inputs.push(arg);
            }
        }
        if (inputs.length === 0) {
            throw new InputError(USAGE);
        }
        const report = evaluate(loadSubjects(inputs), config);
        console.log(format === "json" ? formatJson(report) : formatText(report));
        return report.violations.some((v) => blocks(v.level)) ? 1 : 0;
    } catch (err) {
        if (err instanceof InputError) {
            console.error(`error: ${err.message}`);
            return 2;
        }
        throw err;
    }
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
