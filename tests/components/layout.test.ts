import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../../scripts/root";

const COMPONENTS = path.join(ROOT, "components");
const PILLARS = ["metrics", "logs", "traces", "graylog", "tls", "access"];
/** What every folder may import besides itself. */
const KIT = ["shared", "settings"];

function relativeImports(file: string): string[] {
    const source = fs.readFileSync(file, "utf8");
    return [...source.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)"(\.{1,2}\/[^"]*)"/g)].map((m) => m[1]);
}

/** The top-level folder of components/ an import lands in, or the file name for top-level files. */
function folderOf(fromFile: string, spec: string): string {
    const target = path.relative(COMPONENTS, path.resolve(path.dirname(fromFile), spec));
    return target.split(path.sep)[0];
}

describe("components layout", () => {
    it("has one folder per pillar with its ComponentResource in index.ts, plus settings/ and shared/", () => {
        for (const folder of [...PILLARS, ...KIT]) {
            assert.ok(fs.existsSync(path.join(COMPONENTS, folder, "index.ts")) || KIT.includes(folder), `components/${folder}/index.ts`);
        }
        for (const pillar of PILLARS) {
            assert.match(fs.readFileSync(path.join(COMPONENTS, pillar, "index.ts"), "utf8"), /extends pulumi\.ComponentResource/, pillar);
        }
    });

    for (const folder of [...PILLARS, ...KIT]) {
        it(`${folder}/ imports only from itself, shared/ and settings/`, () => {
            for (const file of fs.readdirSync(path.join(COMPONENTS, folder)).filter((f) => f.endsWith(".ts"))) {
                const full = path.join(COMPONENTS, folder, file);
                for (const spec of relativeImports(full)) {
                    const target = folderOf(full, spec);
                    assert.ok(target === folder || KIT.includes(target), `components/${folder}/${file} imports ${spec} (${target}); a pillar gets what it needs of another from platform.ts`);
                }
            }
        });
    }

    it("the import check sees a cross-pillar import", () => {
        const file = path.join(COMPONENTS, "access", "values.ts");
        assert.strictEqual(folderOf(file, "../logs/elasticsearch"), "logs");
        assert.ok(relativeImports(path.join(COMPONENTS, "platform.ts")).includes("./logs"));
    });
});
