/**
 * Schema checks for every object of a full render, as the API server would apply them:
 *   - built-in kinds against the Kubernetes 1.34 API (`kubernetes-models` 5.1.0: its compiled
 *     validators check types, enums and required fields; its type declarations give each
 *     object's known fields, which catch unknown ones, as strict field validation does);
 *   - custom resources against the openAPIV3Schema of their CRD in the same render, with ajv:
 *     unknown fields fail unless the schema says `x-kubernetes-preserve-unknown-fields`, and
 *     `x-kubernetes-int-or-string` takes an integer or a string. CEL rules
 *     (`x-kubernetes-validations`) and formats are not checked.
 * Each problem names the object, the field path and the schema's own words.
 */
import Ajv, { ErrorObject, ValidateFunction } from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { KUBE_VERSION, KubeObject, SECRET_PLACEHOLDER } from "./chart-render";
import { ROOT } from "./mock-program";

const MODELS = path.dirname(require.resolve("kubernetes-models/package.json", { paths: [ROOT] }));
const NODE_MODULES = path.resolve(MODELS, "..");

export interface SchemaProblem {
    readonly object: string;
    readonly file: string;
    readonly path: string;
    readonly message: string;
}

export const describeObject = (o: KubeObject) => `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;

// ---------------------------------------------------------------- built-in kinds

/** The kubernetes-models module of a built-in kind, or undefined when it has none. */
function modelFile(apiVersion: string, kind: string): string | undefined {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const file = path.join(MODELS, group === "" ? version : path.join(group, version), `${kind}.js`);
    return fs.existsSync(file) ? file : undefined;
}

/** The fields an interface declares, each with its type node and the file it was declared in. */
type Shape =
    | { readonly kind: "object"; readonly fields: ReadonlyMap<string, () => Shape> }
    | { readonly kind: "list" | "map"; readonly of: () => Shape }
    | { readonly kind: "leaf" };

const LEAF: Shape = { kind: "leaf" };
const shapes = new Map<string, Shape>();

interface Declarations {
    readonly imports: Map<string, string>;
    readonly interfaces: Map<string, ts.InterfaceDeclaration>;
}
const declarationCache = new Map<string, Declarations>();

function declarations(file: string): Declarations {
    let found = declarationCache.get(file);
    if (!found) {
        const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
        const imports = new Map<string, string>();
        const interfaces = new Map<string, ts.InterfaceDeclaration>();
        for (const statement of source.statements) {
            if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
                const spec = statement.moduleSpecifier.text;
                const target = spec.startsWith(".")
                    ? path.resolve(path.dirname(file), spec.replace(/\.js$/, ".d.ts"))
                    : path.join(NODE_MODULES, spec.startsWith("@kubernetes-models/apimachinery/") ? spec.replace("apimachinery/", "apimachinery/") : spec) + ".d.ts";
                for (const element of (statement.importClause?.namedBindings as ts.NamedImports | undefined)?.elements ?? []) {
                    imports.set(element.name.text, target);
                }
            } else if (ts.isInterfaceDeclaration(statement)) {
                interfaces.set(statement.name.text, statement);
            } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
                // `export type { IFoo as IIoK8s...Foo }`: the long name is an alias of the local interface.
                for (const element of statement.exportClause.elements) {
                    const local = element.propertyName?.text;
                    if (local) {
                        imports.set(element.name.text, `${file}#${local}`);
                    }
                }
            }
        }
        found = { imports, interfaces };
        declarationCache.set(file, found);
    }
    return found;
}

/** The shape of a named type as seen from `file`. */
function namedShape(file: string, name: string): Shape {
    const key = `${file}#${name}`;
    const cached = shapes.get(key);
    if (cached) {
        return cached;
    }
    const decl = declarations(file);
    const local = decl.interfaces.get(name);
    // An interface without members (JSON, JSONSchemaPropsOrArray, RawExtension) takes any value.
    if (local && local.members.length === 0 && !local.heritageClauses) {
        shapes.set(key, LEAF);
        return LEAF;
    }
    if (local) {
        const fields = new Map<string, () => Shape>();
        const shape: Shape = { kind: "object", fields };
        shapes.set(key, shape);
        for (const heritage of local.heritageClauses ?? []) {
            for (const type of heritage.types) {
                // TypeMeta: apiVersion and kind.
                if (ts.isIdentifier(type.expression) && type.expression.text === "TypeMeta") {
                    fields.set("apiVersion", () => LEAF);
                    fields.set("kind", () => LEAF);
                }
            }
        }
        for (const member of local.members) {
            if (ts.isPropertySignature(member) && member.name && member.type) {
                const fieldName = ts.isStringLiteral(member.name) || ts.isIdentifier(member.name) ? member.name.text : undefined;
                if (fieldName !== undefined) {
                    const typeNode = member.type;
                    let memo: Shape | undefined;
                    fields.set(fieldName, () => (memo ??= typeShape(file, typeNode)));
                }
            }
        }
        return shape;
    }
    const target = decl.imports.get(name);
    let shape: Shape = LEAF;
    if (target?.includes("#")) {
        const [targetFile, targetName] = target.split("#");
        shape = namedShape(targetFile, targetName);
    } else if (target && fs.existsSync(target)) {
        const targetDecl = declarations(target);
        const alias = targetDecl.imports.get(name);
        shape = alias?.includes("#") ? namedShape(alias.split("#")[0], alias.split("#")[1]) : namedShape(target, name);
    }
    shapes.set(key, shape);
    return shape;
}

function typeShape(file: string, node: ts.TypeNode): Shape {
    if (ts.isArrayTypeNode(node)) {
        const element = node.elementType;
        return { kind: "list", of: () => typeShape(file, element) };
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
        if (node.typeName.text === "Array" && node.typeArguments?.length === 1) {
            const element = node.typeArguments[0];
            return { kind: "list", of: () => typeShape(file, element) };
        }
        return namedShape(file, node.typeName.text);
    }
    if (ts.isTypeLiteralNode(node)) {
        const index = node.members.find(ts.isIndexSignatureDeclaration);
        if (index?.type) {
            const value = index.type;
            return { kind: "map", of: () => typeShape(file, value) };
        }
    }
    return LEAF;
}

/** Paths of fields the kind's API does not declare. */
export function unknownFields(value: unknown, shape: Shape, at = ""): string[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    if (shape.kind === "list" && Array.isArray(value)) {
        return value.flatMap((v, i) => unknownFields(v, shape.of(), `${at}/${i}`));
    }
    if (shape.kind === "map" && !Array.isArray(value)) {
        return Object.entries(value).flatMap(([k, v]) => unknownFields(v, shape.of(), `${at}/${k}`));
    }
    if (shape.kind === "object" && !Array.isArray(value)) {
        return Object.entries(value).flatMap(([k, v]) => {
            const field = shape.fields.get(k);
            return field ? unknownFields(v, field(), `${at}/${k}`) : [`${at}/${k}`];
        });
    }
    return [];
}

/**
 * Why a port name is refused, or undefined: the API server's IsValidPortName (apimachinery
 * pkg/util/validation, IANA_SVC_NAME), which the OpenAPI schema does not carry. It holds for a
 * container port's name and for a Service's targetPort given by name.
 */
export function portNameProblem(name: string): string | undefined {
    if (name.length > 15) {
        return "must be no more than 15 characters";
    }
    if (!/^[-a-z0-9]+$/.test(name)) {
        return "must contain only lower-case letters, digits and '-'";
    }
    if (!/[a-z]/.test(name)) {
        return "must contain at least one letter";
    }
    if (name.includes("--") || name.startsWith("-") || name.endsWith("-")) {
        return "must not begin or end with '-' or contain '--'";
    }
    return undefined;
}

/** Port names in a built-in object that the API server refuses (see portNameProblem). */
function portNameProblems(o: KubeObject): Array<{ path: string; name: string; why: string }> {
    const found: Array<{ path: string; name: string; why: string }> = [];
    const check = (path: string, name: unknown) => {
        const why = typeof name === "string" ? portNameProblem(name) : undefined;
        if (why) {
            found.push({ path, name: name as string, why });
        }
    };
    const spec = o.spec as Record<string, any> | undefined;
    if (o.kind === "Service") {
        (spec?.ports ?? []).forEach((p: any, i: number) => check(`/spec/ports/${i}/targetPort`, p.targetPort));
    }
    const pod = o.kind === "Pod" ? spec : o.kind === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
    for (const list of ["initContainers", "containers"]) {
        (pod?.[list] ?? []).forEach((c: any, i: number) => (c.ports ?? []).forEach((p: any, j: number) => {
            const at = o.kind === "Pod" ? "/spec" : o.kind === "CronJob" ? "/spec/jobTemplate/spec/template/spec" : "/spec/template/spec";
            check(`${at}/${list}/${i}/ports/${j}/name`, p.name);
        }));
    }
    return found;
}

function builtInProblems(o: KubeObject, file: string, modulePath: string): SchemaProblem[] {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const Model = Object.values(require(modulePath)).find((v) => typeof v === "function" && (v as any).kind === o.kind) as any;
    const problems: SchemaProblem[] = [];
    // Masked Secret data is not base64; an empty value is, and stands in for it.
    const checked = o.kind === "Secret" && o.data
        ? { ...o, data: Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, v === SECRET_PLACEHOLDER ? "" : v])) }
        : o;
    try {
        new Model(checked).validate();
    } catch (err) {
        for (const e of ((err as { errors?: ErrorObject[] }).errors ?? [])) {
            problems.push({ object: describeObject(o), file, path: e.instancePath || "/", message: ajvWords(e) });
        }
    }
    const shape = namedShape(modulePath.replace(/\.js$/, ".d.ts"), `I${o.kind}`);
    for (const at of unknownFields(o, shape)) {
        problems.push({ object: describeObject(o), file, path: at, message: `unknown field "${at.split("/").pop()}" (not in the Kubernetes API for ${o.apiVersion} ${o.kind})` });
    }
    for (const p of portNameProblems(o)) {
        problems.push({ object: describeObject(o), file, path: p.path, message: `port name "${p.name}" ${p.why} (the API server's IANA_SVC_NAME rule)` });
    }
    return problems;
}

// ---------------------------------------------------------------- custom resources

/** Turns a CRD's structural schema into the JSON Schema ajv checks, strict about unknown fields. */
export function strictSchema(schema: any): any {
    if (Array.isArray(schema)) {
        return schema.map(strictSchema);
    }
    if (schema === null || typeof schema !== "object") {
        return schema;
    }
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(schema)) {
        if (k === "x-kubernetes-validations" || k === "format" || k === "description") {
            continue;
        }
        out[k] = k === "properties" || k === "patternProperties"
            ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, strictSchema(s)]))
            : k === "example" || k === "default" || k === "enum" ? v : strictSchema(v);
    }
    if (schema["x-kubernetes-int-or-string"] === true) {
        delete out.type;
        out.anyOf = [{ type: "integer" }, { type: "string" }];
    }
    if (schema["x-kubernetes-embedded-resource"] === true && out.properties) {
        out.properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...out.properties };
    }
    if (out.properties && out.additionalProperties === undefined && schema["x-kubernetes-preserve-unknown-fields"] !== true) {
        out.additionalProperties = false;
    }
    return out;
}

function ajvWords(e: ErrorObject): string {
    if (e.keyword === "additionalProperties") {
        return `unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    }
    if (e.keyword === "enum") {
        return `${e.message}: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    }
    return e.message ?? e.keyword;
}

/**
 * CRD patterns are Go RE2: a leading `(?i)` becomes JavaScript's `i` flag; a pattern JavaScript
 * cannot compile otherwise is not checked (the API server checks it with RE2).
 */
function re2Compatible(source: string, flags: string): RegExp {
    const inline = /^\(\?i\)/.exec(source);
    try {
        return new RegExp(inline ? source.slice(inline[0].length) : source, inline ? `${flags}i` : flags);
    } catch {
        return /(?:)/;
    }
}

const ajv = new Ajv({
    strict: false, allErrors: true, validateFormats: false, discriminator: false,
    // Each CRD schema is compiled once and checks a handful of objects: ajv's code optimiser would
    // take longer (about a second for the monitoring CRDs) than it saves.
    code: { regExp: Object.assign(re2Compatible, { code: "new RegExp" }) as any, optimize: false },
});
for (const keyword of ["preserve-unknown-fields", "int-or-string", "embedded-resource", "list-type", "list-map-keys", "map-type"]) {
    ajv.addKeyword(`x-kubernetes-${keyword}`);
}
/** Compiled CRD schemas by their text: the stacks share most CRDs, and compiling the big ones is slow. */
const compiledSchemas = new Map<string, ValidateFunction>();

export class SchemaValidator {
    private readonly crds = new Map<string, any>();
    private readonly compiled = new Map<string, ValidateFunction>();

    constructor(objects: readonly KubeObject[]) {
        for (const crd of objects.filter((o) => o.kind === "CustomResourceDefinition")) {
            for (const version of crd.spec?.versions ?? []) {
                this.crds.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, version.schema?.openAPIV3Schema ?? {});
            }
        }
    }

    private customValidator(apiVersion: string, kind: string): ValidateFunction | undefined {
        const key = `${apiVersion}/${kind}`;
        let fn = this.compiled.get(key);
        if (!fn) {
            const schema = this.crds.get(key);
            if (!schema) {
                return undefined;
            }
            const strict = strictSchema(schema);
            // The API server fills metadata itself and checks it with ObjectMeta, not the CRD.
            strict.properties = { ...strict.properties, apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } };
            strict.additionalProperties = false;
            const text = JSON.stringify(strict);
            fn = compiledSchemas.get(text) ?? ajv.compile(strict);
            compiledSchemas.set(text, fn);
            this.compiled.set(key, fn);
        }
        return fn;
    }

    problems(o: KubeObject, file: string): SchemaProblem[] {
        const at = describeObject(o);
        const builtIn = modelFile(String(o.apiVersion), String(o.kind));
        if (builtIn) {
            return builtInProblems(o, file, builtIn);
        }
        const validate = this.customValidator(String(o.apiVersion), String(o.kind));
        if (!validate) {
            return [{ object: at, file, path: "/", message: `no schema: ${o.apiVersion} ${o.kind} is neither a Kubernetes ${KUBE_VERSION} kind nor served by a CRD in the render` }];
        }
        if (validate(o)) {
            return [];
        }
        return (validate.errors ?? [])
            // anyOf/oneOf branches repeat what their branches said.
            .filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf" && e.keyword !== "if")
            .map((e) => ({ object: at, file, path: e.instancePath || "/", message: ajvWords(e) }));
    }
}

/** Every schema problem in a rendered stack. */
export function schemaProblems(objects: ReadonlyArray<{ file: string; object: KubeObject }>): SchemaProblem[] {
    const validator = new SchemaValidator(objects.map((o) => o.object));
    return objects.flatMap(({ file, object }) => validator.problems(object, file));
}

export const formatSchemaProblem = (p: SchemaProblem) => `${p.object} (${p.file}): ${p.path}: ${p.message}`;
