/**
 * Pulumi.yaml's `config:` block as the engine reads it with each stack file (the engine's rules
 * are in tests/helpers/engine-config.ts, with their sources), and the keys it must declare.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { SECRET_KEYS, TOP_LEVEL_KINDS, configSchema } from "../components/settings/schema";
import { PROJECT } from "../components/settings";
import { ROOT } from "../scripts/root";
import { engineConfig, engineConfigErrors } from "./helpers/engine-config";

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
        it("gives every stack the project's value of another namespace's key, unless the stack sets its own", () => {
            const project = p({ "kubernetes:context": { value: "kind" } });
            assert.strictEqual(engineConfig(project, { config: {} }, "dev").config.get("kubernetes:context"), "kind");
            assert.strictEqual(engineConfig(project, { config: { "kubernetes:context": "prod" } }, "dev").config.get("kubernetes:context"), "prod");
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
        const declared = Object.keys(project.config ?? {}).filter((k) => !k.includes(":") || k.startsWith(`${PROJECT}:`)).map((k) => k.replace(`${PROJECT}:`, ""));
        const programKeys = Object.keys(TOP_LEVEL_KINDS);
        for (const key of declared) {
            assert.ok(programKeys.includes(key), `${key} is declared but the program does not read it`);
            assert.notStrictEqual(project.config[`${PROJECT}:${key}`].secret, true, `${key}: a secret key is documented, not declared`);
        }
        const required = programKeys.filter((k) => !(configSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>)[k].safeParse(undefined).success);
        const declaredRequired = declared.filter((k) => project.config[`${PROJECT}:${k}`].default === undefined);
        assert.deepStrictEqual(declaredRequired.sort(), required.sort());
    });

    it("of other namespaces, sets only kubernetes:upsertExistingObjects, enableConfigMapMutable and enableSecretMutable", () => {
        const foreign = Object.entries(project.config ?? {}).filter(([k]) => k.includes(":") && !k.startsWith(`${PROJECT}:`));
        assert.deepStrictEqual(Object.fromEntries(foreign), {
            "kubernetes:upsertExistingObjects": { value: "true" },
            "kubernetes:enableConfigMapMutable": { value: "true" },
            "kubernetes:enableSecretMutable": { value: "true" },
        });
    });

    // Retained objects (the shared CRDs in every profile, prod's namespaces and stores) make the
    // next create fail with AlreadyExists unless the provider upserts (issue 25, item 12).
    for (const [name, stack] of [
        ...stackFiles.map((file): [string, Record<string, unknown>] => [file, YAML.parse(fs.readFileSync(path.join(ROOT, file), "utf8")) ?? {}]),
        ["a new stack file that sets only the profile", { config: { [`${PROJECT}:profile`]: "dev" } }] as [string, Record<string, unknown>],
    ]) {
        it(`${name}: the engine gives the Kubernetes provider upsertExistingObjects "true", so a destroyed stack can be created again`, () => {
            const { errors, config } = engineConfig(project, stack, "stack");
            assert.deepStrictEqual(errors, []);
            assert.strictEqual(config.get("kubernetes:upsertExistingObjects"), "true");
        });
        // A Secret or ConfigMap whose data changes is updated in place, never deleted and created
        // again (issue 25, item 15): pulumi-kubernetes v4.32.0 provider.go Configure reads both
        // keys == "true", and diff.go forceNewProperties then drops their data from the replace keys.
        it(`${name}: the engine gives the Kubernetes provider enableConfigMapMutable and enableSecretMutable "true", so a data change is an update, not a replace`, () => {
            const { errors, config } = engineConfig(project, stack, "stack");
            assert.deepStrictEqual(errors, []);
            assert.strictEqual(config.get("kubernetes:enableConfigMapMutable"), "true");
            assert.strictEqual(config.get("kubernetes:enableSecretMutable"), "true");
        });
    }

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
