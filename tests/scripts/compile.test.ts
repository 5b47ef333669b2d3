import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { CHECKER_ENTRY, compile, importClosure } from "../../scripts/compile";
import { ROOT } from "../../scripts/root";
import { tempDir } from "../helpers/tools";

describe("npm test's compile step", () => {
    let project: string;
    let out: string;
    const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
        fs.writeFileSync(path.join(project, file), text);
    };
    const tsconfig = (options: object) => write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", target: "es2022", isolatedModules: true, ...options }, include: ["**/*.ts"] }));

    beforeEach(() => {
        project = tempDir("compile");
        out = path.join(project, ".build");
        tsconfig({});
        write("a.ts", "import { b } from \"./lib/b\";\nexport const a: number = b + 1;\n");
        write("lib/b.ts", "export const b = 1;\n");
        write("types.ts", "export interface T { x: number }\n");
    });
    afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

    it("transpiles every file into the same layout, and on the next run only the changed ones", () => {
        assert.deepStrictEqual(compile(out, project), { compiled: 3, unchanged: 0 });
        assert.match(fs.readFileSync(path.join(out, "a.js"), "utf8"), /require\("\.\/lib\/b"\)/);
        assert.ok(fs.existsSync(path.join(out, "lib", "b.js")));
        write("lib/b.ts", "export const b = 2;\n");
        assert.deepStrictEqual(compile(out, project), { compiled: 1, unchanged: 2 });
        assert.match(fs.readFileSync(path.join(out, "lib", "b.js"), "utf8"), /exports\.b = 2/);
    });

    it("removes what a deleted source compiled to, so mocha never runs a stale test", () => {
        compile(out, project);
        assert.ok(fs.existsSync(path.join(out, "types.js")));
        fs.rmSync(path.join(project, "types.ts"));
        compile(out, project);
        assert.ok(!fs.existsSync(path.join(out, "types.js")));
    });

    it("starts over when the compiler options change, or when .build/ has no record of how it was made", () => {
        compile(out, project);
        fs.writeFileSync(path.join(out, "stale.js"), "");
        tsconfig({ target: "es2020" });
        assert.deepStrictEqual(compile(out, project), { compiled: 3, unchanged: 0 });
        assert.ok(!fs.existsSync(path.join(out, "stale.js")));
        fs.rmSync(path.join(out, ".compiled.json"));
        fs.writeFileSync(path.join(out, "stale.js"), "");
        assert.deepStrictEqual(compile(out, project), { compiled: 3, unchanged: 0 });
        assert.ok(!fs.existsSync(path.join(out, "stale.js")));
    });

    it("refuses a tsconfig without isolatedModules, which a file-by-file transpile needs", () => {
        tsconfig({ isolatedModules: false });
        assert.throws(() => compile(out, project), /tsconfig\.json must set isolatedModules/);
    });

    it("compiles only what an entry imports, following relative imports and not packages", () => {
        write("a.ts", "import * as fs from \"fs\";\nimport { b } from \"./lib/b\";\nexport const a = b + fs.constants.F_OK;\n");
        assert.deepStrictEqual(importClosure("a.ts", project).map((f) => path.relative(project, f)), ["a.ts", path.join("lib", "b.ts")]);
        assert.deepStrictEqual(compile(out, project, "a.ts"), { compiled: 2, unchanged: 0 });
        assert.ok(!fs.existsSync(path.join(out, "types.js")));
    });

    it("fails on an import it cannot resolve, naming the importing file", () => {
        write("a.ts", "import { c } from \"./missing\";\nexport const a = c;\n");
        assert.throws(() => importClosure("a.ts", project), /a\.ts: cannot resolve \.\/missing/);
    });

    it("fails on a syntax error, naming the file", () => {
        write("broken.ts", "export const = 1;\n");
        assert.throws(() => compile(out, project), /broken\.ts/);
    });
});

describe("the checker's compiled command (package.json bin, dist/)", function () {
    this.timeout(60_000);
    let root: string;
    const bin = () => path.join(root, "dist", "scripts", "policy-check-cli.js");
    const run = (args: string[]) => spawnSync(process.execPath, [bin(), ...args], { cwd: root, encoding: "utf8" });

    // A checkout of only what the checker needs, compiled as npm ci's `prepare` compiles it.
    before(() => {
        root = tempDir("checker-bin");
        for (const file of [...importClosure(CHECKER_ENTRY), path.join(ROOT, "tsconfig.json")]) {
            const rel = path.relative(ROOT, file);
            fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
            fs.copyFileSync(file, path.join(root, rel));
        }
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"));
        compile(path.join(root, "dist"), root, CHECKER_ENTRY);
        fs.writeFileSync(path.join(root, "ok.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: b}\n");
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("holds the checker and the rules, and none of the program or the tests", () => {
        const closure = importClosure(CHECKER_ENTRY).map((f) => path.relative(ROOT, f));
        assert.ok(closure.includes("scripts/policy-check.ts") && closure.includes("policies/rules.ts"), closure.join(", "));
        assert.deepStrictEqual(closure.filter((f) => /^(components|tests)\//.test(f) || f === "index.ts"), []);
    });

    it("checks manifests as plain JavaScript, with no TypeScript compiler loaded", () => {
        // Preloaded: at exit, fails the run if a TypeScript compiler was ever loaded.
        const probe = path.join(root, "no-compiler.js");
        fs.writeFileSync(probe, "process.on(\"exit\", () => { if (Object.keys(require.cache).some((f) => /[\\\\/]node_modules[\\\\/](typescript|ts-node)[\\\\/]/.test(f))) process.exitCode = 9; });\n");
        const r = spawnSync(process.execPath, ["--require", probe, bin(), "ok.yaml"], { cwd: root, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        assert.match(r.stdout, /^1 objects checked: 0 violations/m);
    });

    it("refuses to run rules older than their sources, naming the changed file and the fix", () => {
        const source = path.join(root, "policies", "rules.ts");
        const text = fs.readFileSync(source, "utf8");
        fs.writeFileSync(source, `${text}\n// changed\n`);
        try {
            const r = run(["ok.yaml"]);
            assert.strictEqual(r.status, 2);
            assert.match(r.stderr, /^error: dist\/ was compiled from older sources than policies\/rules\.ts; run npm run build:checker$/m);
        } finally {
            fs.writeFileSync(source, text);
        }
        assert.strictEqual(run(["ok.yaml"]).status, 0);
    });
});
