/**
 * Runs the whole Pulumi program under `pulumi.runtime.setMocks` for a named stack, with the
 * stack's own `Pulumi.<stack>.yaml` loaded as the CLI would load it, and returns every resource
 * the program registered: type, name, parent, inputs (with their secret paths) and the options
 * that matter. The offline render and every test use it; it needs no CLI, plugin or cluster.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ROOT } from "./root";
import { chartFile } from "../components/shared/charts";

export { ROOT };
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Stands in for each stack secret; tests look for this prefix to prove no secret leaks. */
export const MOCK_SECRET_PREFIX = "MOCKSECRET-";

export type JsonPath = ReadonlyArray<string | number>;

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent?: string;
    readonly provider?: string;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    readonly dependsOn: readonly string[];
    /** The `customTimeouts` option's update timeout (a Go duration such as "30m"), when set. */
    readonly updateTimeout?: string;
    /** The `aliases` option as the SDK sends it: URNs, or specs the engine resolves (`{name, parenturn, ...}`). */
    readonly aliases: ReadonlyArray<string | Record<string, unknown>>;
    /** Plain inputs; secrets appear in their (mock) plaintext. */
    readonly inputs: Record<string, any>;
    /** Where in `inputs` a value was a Pulumi secret. */
    readonly secretPaths: readonly JsonPath[];
    /**
     * The program's own `transforms` from the resource options. Mocks never run them; the full
     * render applies those of a chart to the chart's objects, as the engine does to its children.
     */
    readonly transforms: readonly pulumi.ResourceTransform[];
}

export interface ProgramRun {
    readonly stack: string;
    readonly resources: readonly RecordedResource[];
    readonly outputs: Record<string, unknown>;
}

export interface StackFile {
    /** `project:key` -> string, as the language host receives it. */
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

/** Reads `Pulumi.<stack>.yaml`: scalars as strings, objects as JSON, `secure:` values as mock secrets. */
export function readStackFile(file: string): StackFile {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
        let secret = false;
        const reveal = (v: unknown, at: string): unknown => {
            if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v) {
                secret = true;
                return `${MOCK_SECRET_PREFIX}${at}`;
            }
            if (Array.isArray(v)) {
                return v.map((x, i) => reveal(x, `${at}[${i}]`));
            }
            if (v && typeof v === "object") {
                return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x, `${at}.${k}`)]));
            }
            return v;
        };
        const plain = reveal(value, key);
        config[key] = typeof plain === "string" ? plain : plain !== null && typeof plain === "object" ? JSON.stringify(plain) : String(plain);
        if (secret) {
            secretKeys.push(key);
        }
    }
    return { config, secretKeys };
}

interface Capture {
    options: Map<string, Omit<RecordedResource, "inputs" | "secretPaths"> & { raw: unknown }>;
}

let capture: Capture | undefined;
let patched = false;

/** Wraps the mock monitor once so each registration's options are recorded too. */
function patchMonitor(): void {
    if (patched) {
        return;
    }
    patched = true;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks");
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (req: any, callback: (err: any, res: any) => void) {
        return original.call(this, req, (err: any, res: any) => {
            if (!err && capture) {
                const urn: string = res.getUrn();
                capture.options.set(urn, {
                    urn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    parent: req.getParent() || undefined,
                    provider: req.getProvider() || undefined,
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    deleteBeforeReplace: req.getDeletebeforereplace() === true,
                    dependsOn: req.getDependenciesList(),
                    updateTimeout: req.getCustomtimeouts()?.getUpdate() || undefined,
                    aliases: [
                        ...req.getAliasurnsList(),
                        ...req.getAliasesList().map((a: any) => (a.hasUrn() ? a.getUrn() : a.getSpec().toObject())),
                    ],
                    transforms: req.getTransformsList()
                        .map((cb: any) => this.transformCallbacks.get(cb.getToken()))
                        .filter((t: unknown) => t !== undefined),
                    raw: req.getObject()?.toJavaScript() ?? {},
                });
            }
            callback(err, res);
        });
    };
}

/** Turns the wire form into plain values and notes where secrets were. */
function unwire(value: unknown, at: JsonPath, secrets: JsonPath[]): any {
    if (Array.isArray(value)) {
        return value.map((v, i) => unwire(v, [...at, i], secrets));
    }
    if (value && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SIG_KEY] === SECRET_SIG) {
            secrets.push(at);
            return unwire(record.value, at, []);
        }
        if (SIG_KEY in record) {
            return record.urn ?? record.value ?? record;
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwire(v, [...at, k], secrets)]));
    }
    return value === UNKNOWN ? undefined : value;
}

class Mocks implements pulumi.runtime.Mocks {
    /** What `pulumi:pulumi:readStackOutputs` answers: the stack's previous outputs (none: a first up). */
    constructor(private readonly stackOutputs: Record<string, unknown> = {}) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
        const state: Record<string, any> = { ...args.inputs };
        if (args.type.startsWith("random:")) {
            state.result = `${MOCK_SECRET_PREFIX}random-${args.name}`;
            state.hex = `${MOCK_SECRET_PREFIX}random-${args.name}`;
            state.bcryptHash = `${MOCK_SECRET_PREFIX}bcrypt-${args.name}`;
        }
        return { id: args.custom ? `${args.name}-id` : "", state };
    }
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        if (args.token === "pulumi:pulumi:readStackOutputs") {
            return { name: args.inputs.name, outputs: this.stackOutputs, secretOutputNames: [] };
        }
        if (args.token === "kubernetes:helm:template") {
            return helmTemplateInvoke(args.inputs.jsonOpts);
        }
        return args.inputs;
    }
}

/**
 * What the provider's `kubernetes:helm:template` answers a `helm.v3.Chart` (invoke_helm_template.go,
 * pulumi-kubernetes 4.25.0): the chart's manifest and its hooks as objects, rendered by the real
 * Helm from the chart directory (a local `path` is the packaged chart itself).
 */
async function helmTemplateInvoke(jsonOpts: string): Promise<{ result: Record<string, any>[] }> {
    // Loaded here: both modules import this one.
    const { helmTemplate } = require("./chart-render") as typeof import("./chart-render");
    const { chartDirectory } = require("./charts") as typeof import("./charts");
    const opts = JSON.parse(jsonOpts);
    const archive = opts.path ?? path.join(chartDirectory(), chartFile({ chart: opts.chart, version: opts.version ?? "", repo: "" }));
    const result = await helmTemplate({
        name: opts.release_name, type: "kubernetes:helm.sh/v3:Chart", archive, releaseName: opts.release_name,
        namespace: opts.namespace ?? "default", values: opts.values ?? {}, transforms: [], dropHooks: false,
    });
    return { result };
}

/** The project's own modules, so a second run re-executes the program from scratch. */
function forgetProgramModules(): void {
    for (const id of Object.keys(require.cache)) {
        if (id.startsWith(ROOT) && !id.includes(`${path.sep}node_modules${path.sep}`) && !id.includes(`${path.sep}scripts${path.sep}`)) {
            delete require.cache[id];
        }
    }
}

export interface RunOptions {
    /** A stack file to use instead of `Pulumi.<stack>.yaml` in the project root. */
    readonly stackFile?: string;
    /** Extra or replaced config entries (`project:key` -> string). */
    readonly config?: Record<string, string>;
    readonly preview?: boolean;
    /** The stack's outputs from its previous run, as the engine would hand them over. */
    readonly stackOutputs?: Record<string, unknown>;
}

/** Runs the program for `stack` and returns what it registered. Throws the program's own error. */
export async function runProgram(stack: string, options: RunOptions = {}): Promise<ProgramRun> {
    const file = options.stackFile ?? path.join(ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${path.relative(process.cwd(), file)}`);
    }
    const stackFile = readStackFile(file);
    const config = { ...stackFile.config, ...options.config };
    patchMonitor();
    capture = { options: new Map() };
    const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).name as string;
    // "organization" is the name a DIY backend gives every stack.
    await pulumi.runtime.setMocks(new Mocks(options.stackOutputs), project, stack, options.preview ?? false, "organization");
    pulumi.runtime.setAllConfig(config, stackFile.secretKeys);
    forgetProgramModules();
    const mine = capture;
    // The program exports an async function, as the Node language host runs it (cmd/run/run.ts).
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        const program = require(path.join(__dirname, "..", "index"));
        return typeof program === "function" ? await program() : { ...program };
    });
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
    const resources: RecordedResource[] = [];
    for (const { raw, ...rest } of mine.options.values()) {
        const secretPaths: JsonPath[] = [];
        resources.push({ ...rest, inputs: unwire(raw, [], secretPaths), secretPaths });
    }
    capture = undefined;
    return { stack, resources, outputs: (outputs ?? {}) as Record<string, unknown> };
}

/** The value at `at` inside `value`, or undefined. */
export function valueAt(value: unknown, at: JsonPath): unknown {
    return at.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as any)[k] : undefined), value);
}
