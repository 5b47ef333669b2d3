import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { compile } from "../../scripts/compile";
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

    it("fails on a syntax error, naming the file", () => {
        write("broken.ts", "export const = 1;\n");
        assert.throws(() => compile(out, project), /broken\.ts/);
    });
});
