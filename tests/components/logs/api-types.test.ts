import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ROOT } from "../../../scripts/root";
import { tempDir } from "../../helpers/tools";

/**
 * Every body the logging setup Job sends to Elasticsearch is typed with the official client's
 * request types (components/logs/backup.ts, elasticsearch.ts), and `npm test` type-checks the
 * program. These cases prove the types can refuse: the same literal, spelt right and spelt
 * wrong, compiled with the TypeScript API against the shipped types.
 */
const dir = tempDir("es-api-types");
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function diagnostics(source: string): string[] {
    const file = path.join(dir, `case-${crypto.randomUUID()}.ts`);
    fs.writeFileSync(file, source);
    const program = ts.createProgram([file], { strict: true, noEmit: true, skipLibCheck: true, typeRoots: [path.join(ROOT, "node_modules/@types")], types: ["node"], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 });
    return ts.getPreEmitDiagnostics(program).map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

const importing = (names: string) =>
    `import type { ${names} } from ${JSON.stringify(path.join(ROOT, "components/logs/backup"))};\n`
    + `import type { IlmPolicyBody, IndexTemplateBody } from ${JSON.stringify(path.join(ROOT, "components/logs/elasticsearch"))};\n`;

const SLM = (retention: string, top = "schedule") => `${importing("SlmPolicyBody, RepositoryBody")}
export const policy: SlmPolicyBody = {
    ${top}: "0 30 */6 * * ?",
    name: "<platform-{now/d}>",
    repository: "platform-backups",
    config: { indices: ["kubernetes-logs-*"], include_global_state: true, feature_states: ["kibana"] },
    retention: { ${retention}: "30d", min_count: 5, max_count: 200 },
};
`;

describe("Elasticsearch request bodies are checked against the client's 8.19 API types", function () {
    this.timeout(120_000);

    it("a correctly spelt SLM policy compiles", () => {
        assert.deepStrictEqual(diagnostics(SLM("expire_after")), []);
    });

    it("a misspelt SLM retention field fails the type check, naming the field", () => {
        const found = diagnostics(SLM("expire_afer"));
        assert.ok(found.some((d) => /^TS(2353|2561):.*'expire_afer'/.test(d)), found.join("\n"));
    });

    it("a misspelt top-level SLM field fails too", () => {
        const found = diagnostics(SLM("expire_after", "shedule"));
        assert.ok(found.some((d) => /^TS(2353|2561):.*'shedule'/.test(d)), found.join("\n"));
    });

    it("a repository of one type with another type's setting fails (an S3 repository has no container)", () => {
        const found = diagnostics(`${importing("RepositoryBody")}export const r: RepositoryBody = { type: "s3", settings: { container: "c", base_path: "p" } };\n`);
        assert.ok(found.length > 0, "refused");
        assert.deepStrictEqual(diagnostics(`${importing("RepositoryBody")}export const r: RepositoryBody = { type: "azure", settings: { container: "c", base_path: "p" } };\n`), []);
    });

    it("a misspelt ILM phase and index-template field fail as well", () => {
        const ilm = diagnostics(`${importing("SlmPolicyBody")}export const p: IlmPolicyBody = { policy: { phases: { hot: { min_age: "0ms", actons: {} } } } };\n`);
        assert.ok(ilm.some((d) => /'actons'/.test(d)), ilm.join("\n"));
        const template = diagnostics(`${importing("SlmPolicyBody")}export const t: IndexTemplateBody = { index_patterns: ["x-*"], priorty: 500 };\n`);
        assert.ok(template.some((d) => /'priorty'/.test(d)), template.join("\n"));
    });

    it("the types come from @elastic/elasticsearch at the cluster's 8.19 line, pinned exactly", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        assert.match(pkg.devDependencies["@elastic/elasticsearch"], /^8\.19\.\d+$/);
        const installed = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@elastic/elasticsearch/package.json"), "utf8"));
        assert.strictEqual(installed.version, pkg.devDependencies["@elastic/elasticsearch"]);
    });
});
