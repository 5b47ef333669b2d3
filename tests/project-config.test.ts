/**
 * The engine checks `Pulumi.yaml`'s `config:` block against the stack file before the program
 * starts, so a mistake there makes every stack undeployable while every mock-based test passes.
 * `engineConfigErrors` is that check, written from pulumi/pulumi's source:
 *   - sdk/go/common/workspace/project.go `(*Project).Validate`: `default` and `value` exclude each
 *     other; an `array` needs `items`; a typed `default` must match its type; a key of another
 *     namespace (`kubernetes:context`) takes neither `type` nor `default` and needs `value`.
 *   - pkg/workspace/config.go `mergeConfig`: a key of the project's namespace that the stack does
 *     not set, with no `default` and no `value`, is missing ("Stack 'dev' is missing
 *     configuration value ..."); otherwise the default is copied into the stack config, in plain
 *     text.
 *   - `validateStackConfigValues`: for typed keys only, a `secret: true` key whose value is not
 *     `secure:` fails ("must be encrypted as it's secret") — a default lands here too — and the
 *     value must match the type (`ValidateConfigValue`: integers and booleans may be strings).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SECRET_KEYS, TOP_LEVEL_KINDS, configSchema } from "../components/settings/schema";
import { PROJECT } from "../components/settings";
import { ROOT } from "../scripts/root";


interface ConfigType {
    type?: string;
    items?: { type: string; items?: unknown };
    default?: unknown;
    value?: unknown;
    secret?: boolean;
    description?: string;
}

const isSecure = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;

function matchesType(type: string, items: ConfigType["items"], value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^[+-]?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "object":
            return value !== null && typeof value === "object" && !Array.isArray(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((v) => matchesType(items.type, items.items as ConfigType["items"], v));
    }
}

/** Every error the engine would raise for `project` and one stack file, in the engine's words. */
export function engineConfigErrors(project: { name: string; config?: Record<string, unknown> }, stack: { config?: Record<string, unknown> }, stackName: string): string[] {
    const errors: string[] = [];
    const ownKey = (key: string) => !key.includes(":") || key.startsWith(`${project.name}:`);
    const full = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    // RewriteShorthandConfigValues: a bare scalar or array is a default (own key) or a value.
    const declared = Object.entries(project.config ?? {}).map(([key, raw]): [string, ConfigType] =>
        [key, raw !== null && typeof raw === "object" && !Array.isArray(raw) ? raw as ConfigType : ownKey(key) ? { default: raw } : { value: raw }]);
    for (const [key, t] of declared) {
        if (t.default !== undefined && t.value !== undefined) {
            errors.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
        } else if (ownKey(key)) {
            if (t.type === "array" && !t.items) {
                errors.push(`The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`);
            } else if (t.type && t.default !== undefined && !matchesType(t.type, t.items, t.default)) {
                errors.push(`The default value specified for configuration key '${key}' is not of the expected type '${t.type}'`);
            }
        } else if (t.type) {
            errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
        } else if (t.default !== undefined) {
            errors.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value`);
        } else if (t.value === undefined) {
            errors.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
        }
    }
    if (errors.length > 0) {
        return errors;
    }
    const values = new Map(Object.entries(stack.config ?? {}).map(([k, v]) => [full(k), v]));
    const missing: string[] = [];
    for (const [key, t] of [...declared].sort(([a], [b]) => a.localeCompare(b))) {
        if (values.has(full(key))) {
            continue;
        }
        if (t.value === undefined && t.default === undefined && ownKey(key)) {
            missing.push(key);
        } else {
            values.set(full(key), t.default ?? t.value);
        }
    }
    if (missing.length > 0) {
        // formatMissingKeys: "'a'", "'a' and 'b'", "'a', 'b' and 'c'".
        const quoted = missing.map((k) => `'${k}'`);
        const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
        return [`Stack '${stackName}' is missing configuration value${missing.length > 1 ? "s" : ""} ${list}`];
    }
    for (const [key, t] of declared) {
        const value = values.get(full(key));
        if (!t.type || value === undefined) {
            continue;
        }
        if (t.secret && !isSecure(value)) {
            errors.push(`Stack '${stackName}' with configuration key '${key}' must be encrypted as it's secret`);
        } else if (!isSecure(value) && !matchesType(t.type, t.items, value)) {
            errors.push(`Stack '${stackName}' with configuration key '${key}' must be of type '${t.type}'`);
        }
    }
    return errors;
}

const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
const stackFiles = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));

describe("Pulumi.yaml project config", () => {
    describe("the engine's rule, as implemented here", () => {
        const p = (config: Record<string, unknown>) => ({ name: "proj", config });
        it("requires a declared key without default that the stack does not set", () => {
            assert.deepStrictEqual(engineConfigErrors(p({ "proj:a": { type: "string" }, b: { type: "string" } }), { config: {} }, "dev"),
                ["Stack 'dev' is missing configuration values 'b' and 'proj:a'"]);
        });
        it("accepts the key once the stack sets it or the project gives a default", () => {
            assert.deepStrictEqual(engineConfigErrors(p({ a: { type: "string" } }), { config: { "proj:a": "x" } }, "dev"), []);
            assert.deepStrictEqual(engineConfigErrors(p({ a: { type: "string", default: "x" } }), { config: {} }, "dev"), []);
            assert.deepStrictEqual(engineConfigErrors(p({ a: "x" }), { config: {} }, "dev"), [], "shorthand is a default");
        });
        it("refuses a plaintext default for a secret key, and a plaintext stack value", () => {
            assert.deepStrictEqual(engineConfigErrors(p({ s: { type: "string", secret: true, default: "x" } }), { config: {} }, "dev"),
                ["Stack 'dev' with configuration key 's' must be encrypted as it's secret"]);
            assert.deepStrictEqual(engineConfigErrors(p({ s: { type: "string", secret: true } }), { config: { "proj:s": "x" } }, "dev"),
                ["Stack 'dev' with configuration key 's' must be encrypted as it's secret"]);
            assert.deepStrictEqual(engineConfigErrors(p({ s: { type: "string", secret: true } }), { config: { "proj:s": { secure: "v1:abc" } } }, "dev"), []);
        });
        it("checks typed values, with integers and booleans also as strings", () => {
            assert.deepStrictEqual(engineConfigErrors(p({ n: { type: "integer" } }), { config: { "proj:n": "12" } }, "dev"), []);
            assert.deepStrictEqual(engineConfigErrors(p({ n: { type: "integer" } }), { config: { "proj:n": "x" } }, "dev"),
                ["Stack 'dev' with configuration key 'n' must be of type 'integer'"]);
            assert.deepStrictEqual(engineConfigErrors(p({ l: { type: "array" } }), { config: {} }, "dev").length, 1, "array without items");
        });
        it("lets keys of other namespaces carry only a value, and never requires them", () => {
            assert.deepStrictEqual(engineConfigErrors(p({ "kubernetes:context": { value: "kind" } }), { config: {} }, "dev"), []);
            assert.strictEqual(engineConfigErrors(p({ "kubernetes:context": { type: "string", value: "kind" } }), { config: {} }, "dev").length, 1);
            assert.strictEqual(engineConfigErrors(p({ "kubernetes:context": { default: "kind" } }), { config: {} }, "dev").length, 1);
        });
    });

    for (const file of stackFiles) {
        it(`accepts ${file}`, () => {
            const stack = YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) ?? {};
            assert.deepStrictEqual(engineConfigErrors(project, stack, file.split(".")[1]), []);
        });
    }

    it("accepts a new stack whose file sets only the profile", () => {
        assert.deepStrictEqual(engineConfigErrors(project, { config: { [`${PROJECT}:profile`]: "dev" } }, "fresh"), []);
    });

    it("accepts a stack that also sets every secret key, encrypted", () => {
        const secrets = Object.fromEntries([...SECRET_KEYS].map((k) => [`${PROJECT}:${k}`, { secure: "v1:AAAA" }]));
        assert.deepStrictEqual(engineConfigErrors(project, { config: { [`${PROJECT}:profile`]: "dev", ...secrets } }, "fresh"), []);
    });

    it("declares only keys the program reads, requires exactly the ones the program requires, and declares no secret", () => {
        const declared = Object.keys(project.config ?? {}).map((k) => k.replace(`${PROJECT}:`, ""));
        const programKeys = Object.keys(TOP_LEVEL_KINDS);
        for (const key of declared) {
            assert.ok(programKeys.includes(key), `${key} is declared but the program does not read it`);
            assert.notStrictEqual(project.config[`${PROJECT}:${key}`].secret, true, `${key}: a secret key is documented, not declared`);
        }
        const required = programKeys.filter((k) => !(configSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[k].safeParse(undefined).success);
        const declaredRequired = declared.filter((k) => project.config[`${PROJECT}:${k}`].default === undefined);
        assert.deepStrictEqual(declaredRequired.sort(), required.sort());
    });

    it("the README documents every key the program reads, secrets marked as such", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        for (const key of Object.keys(TOP_LEVEL_KINDS)) {
            const row = readme.split("\n").find((line) => line.startsWith(`| \`${key}`));
            assert.ok(row, `${key} has a row in the configuration reference`);
            if (SECRET_KEYS.has(key)) {
                assert.match(row, /Secret\./, key);
            }
        }
    });
});
