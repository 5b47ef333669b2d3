/**
 * `npm run render -- <stack>... [--out <dir>] [--stack-dir <dir>]`: what each stack would deploy,
 * written offline to `<dir>` (one stack), `<dir>/<stack>` (several) or `rendered/<stack>`.
 *
 *   <out>/manifests/<namespace>|_cluster/<kind>-<name>.yaml   every raw Kubernetes object
 *   <out>/charts/<resource-name>/chart.yaml                   repo, chart, version, namespace, releaseName
 *   <out>/charts/<resource-name>/values.yaml                  the exact values passed
 *   <out>/charts/<resource-name>/manifests.yaml               the pinned chart rendered with them (chart-render.ts)
 *   <out>/footprint.json                                      requests per node and in total (footprint.ts)
 *
 * Charts come from the chart directory (scripts/charts.ts: OBS_CHART_DIR, else `.charts/`).
 * Secrets are written as one fixed placeholder. Exit codes: 0 written, 2 bad stack config or
 * arguments (the same message `pulumi up` prints), 1 anything else, a chart that rejects its
 * values included (with Helm's message and the chart's name).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { isConfigError } from "../components/settings";
import { ChartRenderError, chartReleases, KubeObject, renderCharts, SECRET_PLACEHOLDER } from "./chart-render";
import { chartDirectory, NoChartDirectory } from "./charts";
import { footprint } from "./footprint";
import { JsonPath, ProgramRun, RecordedResource, ROOT, runProgram, RunOptions } from "./mock-program";
import { CONSOLE, Io } from "./io";

export { SECRET_PLACEHOLDER };

export interface RenderedFile {
    readonly path: string;
    readonly content: string;
}

const CHART_TYPES = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]);
const CERT_MANAGER_TYPE = "kubernetes-cert-manager:index:CertManager";

export function masked(resource: RecordedResource): Record<string, any> {
    const copy = structuredClone(resource.inputs);
    const set = (at: JsonPath) => {
        if (at.length === 0) {
            return;
        }
        let parent: any = copy;
        for (const key of at.slice(0, -1)) {
            parent = parent?.[key];
        }
        if (parent && typeof parent === "object" && at[at.length - 1] in parent) {
            parent[at[at.length - 1]] = SECRET_PLACEHOLDER;
        }
    };
    const isSecret = copy.kind === "Secret";
    resource.secretPaths.filter((at) => !(isSecret && (at[0] === "data" || at[0] === "stringData"))).forEach(set);
    if (isSecret) {
        for (const field of ["data", "stringData"]) {
            if (copy[field] !== null && typeof copy[field] === "object") {
                for (const key of Object.keys(copy[field])) {
                    copy[field][key] = SECRET_PLACEHOLDER;
                }
            } else if (copy[field] !== undefined) {
                copy[field] = SECRET_PLACEHOLDER;
            }
        }
    }
    return copy;
}

export const dump = (value: unknown) => YAML.stringify(value, { lineWidth: 0, aliasDuplicateObjects: false });

/** A raw Kubernetes object the program declares (not a chart, not a component). */
export const isManifest = (resource: RecordedResource): boolean =>
    resource.custom && resource.type.startsWith("kubernetes:") && !CHART_TYPES.has(resource.type) && Boolean(resource.inputs.kind);

/** The files a stack renders to, in a stable order; pure, so tests can call it directly. */
export function renderFiles(resources: readonly RecordedResource[]): RenderedFile[] {
    const files: RenderedFile[] = [];
    for (const resource of resources) {
        const inputs = masked(resource);
        if (CHART_TYPES.has(resource.type)) {
            files.push({
                path: `charts/${resource.name}/chart.yaml`,
                content: dump({
                    repo: inputs.repositoryOpts?.repo,
                    chart: inputs.chart,
                    version: inputs.version,
                    namespace: inputs.namespace,
                    releaseName: inputs.name,
                }),
            });
            files.push({ path: `charts/${resource.name}/values.yaml`, content: dump(inputs.values ?? {}) });
        } else if (resource.type === CERT_MANAGER_TYPE) {
            const { helmOptions = {}, ...values } = inputs;
            files.push({
                path: `charts/${resource.name}/chart.yaml`,
                content: dump({
                    repo: helmOptions.repositoryOpts?.repo,
                    chart: helmOptions.chart ?? "cert-manager",
                    version: helmOptions.version,
                    namespace: helmOptions.namespace,
                    releaseName: helmOptions.name,
                }),
            });
            files.push({ path: `charts/${resource.name}/values.yaml`, content: dump(values) });
        } else if (isManifest(resource)) {
            const namespace = inputs.metadata?.namespace ?? "_cluster";
            const name = inputs.metadata?.name ?? resource.name;
            files.push({ path: `manifests/${namespace}/${String(inputs.kind).toLowerCase()}-${name}.yaml`, content: dump(inputs) });
        }
    }
    const seen = new Set<string>();
    for (const file of files) {
        if (seen.has(file.path)) {
            throw new Error(`two resources render to ${file.path}`);
        }
        seen.add(file.path);
    }
    return files.sort(byPath);
}

export class UsageError extends Error {}

const USAGE = "usage: npm run render -- <stack>... [--out <dir>] [--stack-dir <dir>] (stacks: dev, staging, prod or any Pulumi.<stack>.yaml)";

export interface RenderTarget {
    readonly stack: string;
    /** The stack file: `Pulumi.<stack>.yaml` in the project folder or in `--stack-dir`. */
    readonly stackFile: string;
    readonly out: string;
}

/**
 * Stacks, their files and where each goes: `<out>` for a single stack, `<out>/<stack>` for
 * several, and `rendered/<stack>` without `--out`. `--stack-dir` reads the stack files from
 * another folder (a repository that holds the stacks); the project stays this one.
 */
export function parseArgs(argv: readonly string[]): RenderTarget[] {
    const rest = [...argv];
    let out: string | undefined;
    let stackDir = ROOT;
    const stacks: string[] = [];
    const value = (option: string) => {
        const v = rest.shift();
        if (!v) {
            throw new UsageError(`${option} needs a directory; ${USAGE}`);
        }
        return v;
    };
    while (rest.length > 0) {
        const arg = rest.shift()!;
        if (arg === "--out") {
            out = value(arg);
        } else if (arg === "--stack-dir") {
            stackDir = path.resolve(value(arg));
        } else if (arg.startsWith("-")) {
            throw new UsageError(`unknown option ${arg}; ${USAGE}`);
        } else if (stacks.includes(arg)) {
            throw new UsageError(`stack ${arg} is named twice; ${USAGE}`);
        } else {
            stacks.push(arg);
        }
    }
    if (stacks.length === 0) {
        throw new UsageError(USAGE);
    }
    for (const stack of stacks) {
        if (!fs.existsSync(path.join(stackDir, `Pulumi.${stack}.yaml`))) {
            throw new UsageError(`no stack file Pulumi.${stack}.yaml in ${stackDir}`);
        }
    }
    return stacks.map((stack) => ({
        stack,
        stackFile: path.join(stackDir, `Pulumi.${stack}.yaml`),
        out: path.resolve(out === undefined ? path.join(ROOT, "rendered", stack) : stacks.length === 1 ? out : path.join(out, stack)),
    }));
}

export interface RenderedStack {
    readonly stack: string;
    readonly files: readonly RenderedFile[];
    /** Every object the stack deploys: raw manifests, then each chart's objects, each with where it was written. */
    readonly objects: ReadonlyArray<{ readonly file: string; readonly object: KubeObject }>;
}

const byPath = (a: RenderedFile, b: RenderedFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

const written = new Map<string, string>();

/**
 * A chart's objects as one YAML stream, written once per process for the same objects: the test
 * suite renders the same CRD chart (4.5 MB of YAML, most of a render's time) for five stacks.
 * The key is the objects' JSON with the values JSON cannot tell apart (NaN, Infinity, -0,
 * undefined) marked; parsed YAML holds nothing else JSON would lose.
 */
function manifestsYaml(objects: readonly KubeObject[]): string {
    const key = JSON.stringify(objects, (_, v) => ((typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) || v === undefined ? `\u0000${Object.is(v, -0) ? "-0" : String(v)}` : v));
    let text = written.get(key);
    if (text === undefined) {
        text = objects.map((o) => `---\n${dump(o)}`).join("");
        written.set(key, text);
    }
    return text;
}

/** The whole render of a stack, in memory: the program under mocks, then every chart through Helm. */
export async function renderStack(stack: string, options: RunOptions = {}): Promise<RenderedStack> {
    return renderRun(await runProgram(stack, options));
}

/** The render of a program run that already happened (tests share one run per stack). */
export async function renderRun(run: ProgramRun): Promise<RenderedStack> {
    const stack = run.stack;
    const files = renderFiles(run.resources);
    const objects: Array<{ file: string; object: KubeObject }> = files
        .filter((f) => f.path.startsWith("manifests/"))
        .map((f) => ({ file: f.path, object: YAML.parse(f.content) }));
    const charts = await renderCharts(chartReleases(run.resources, masked, () => chartDirectory()));
    for (const [name, chartObjects] of charts) {
        const file = `charts/${name}/manifests.yaml`;
        files.push({ path: file, content: manifestsYaml(chartObjects) });
        objects.push(...chartObjects.map((object) => ({ file, object })));
    }
    files.push({ path: "footprint.json", content: `${JSON.stringify(footprint(objects.map((o) => o.object)), null, 2)}\n` });
    return { stack, files: files.sort(byPath), objects };
}

export async function main(argv: readonly string[], io: Io = CONSOLE): Promise<number> {
    try {
        const targets = parseArgs(argv);
        // Every stack is rendered before any is written: a bad stack leaves the others' renders as they were.
        const renders: RenderedStack[] = [];
        for (const { stack, stackFile } of targets) {
            renders.push(await renderStack(stack, { stackFile }));
        }
        for (const [i, { stack, out }] of targets.entries()) {
            const { files } = renders[i];
            for (const sub of ["manifests", "charts", "footprint.json"]) {
                fs.rmSync(path.join(out, sub), { recursive: true, force: true });
            }
            for (const file of files) {
                const target = path.join(out, file.path);
                fs.mkdirSync(path.dirname(target), { recursive: true });
                fs.writeFileSync(target, file.content);
            }
            const charts = files.filter((f) => f.path.endsWith("/chart.yaml")).length;
            const manifests = files.filter((f) => f.path.startsWith("manifests/")).length;
            io.out(`rendered stack ${stack}: ${manifests} manifests, ${charts} charts -> ${path.relative(process.cwd(), out) || "."}`);
        }
        return 0;
    } catch (err) {
        if (isConfigError(err) || err instanceof UsageError) {
            io.err(`error: ${err.message}`);
            return 2;
        }
        if (err instanceof ChartRenderError || err instanceof NoChartDirectory) {
            io.err(`error: ${err.message}`);
            return 1;
        }
        io.err(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code));
}
