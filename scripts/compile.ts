/**
 * `npm test`'s compile step: each file of tsconfig.json transpiled on its own into `.build/`,
 * only those whose text changed since the last compile. `tsc` takes about ten seconds loading
 * every type; this takes one, or a fraction when little changed. The type check runs beside the
 * tests (scripts/test.sh), and tsconfig's `isolatedModules` makes it refuse code whose meaning a
 * file-by-file transpile could change, so the two never disagree.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { ROOT } from "./root";

/** `.build/` remembers what it was compiled from: compiler, options, and each source's hash. */
interface Manifest {
    readonly compiler: string;
    readonly sources: Record<string, string>;
}

const MANIFEST = ".compiled.json";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** Transpiles the project at `root` (this one by default) into `outDir`. */
export function compile(outDir: string, root: string = ROOT): { compiled: number; unchanged: number } {
    const configFile = path.join(root, "tsconfig.json");
    const read = ts.readConfigFile(configFile, (f) => fs.readFileSync(f, "utf8"));
    if (read.error) {
        throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, { outDir }, configFile);
    if (!parsed.options.isolatedModules) {
        throw new Error("tsconfig.json must set isolatedModules: the files are transpiled one by one");
    }
    const compiler = sha256(JSON.stringify([ts.version, parsed.options]));
    const manifestFile = path.join(outDir, MANIFEST);
    let previous: Manifest = { compiler: "", sources: {} };
    try {
        previous = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
    } catch {
        // No usable manifest: the folder is cleared below and everything is compiled.
    }
    if (previous.compiler !== compiler) {
        fs.rmSync(outDir, { recursive: true, force: true });
        previous = { compiler, sources: {} };
    }
    const sources: Record<string, string> = {};
    let compiled = 0;
    for (const file of parsed.fileNames) {
        const rel = path.relative(root, file);
        const text = fs.readFileSync(file, "utf8");
        const hash = sha256(text);
        sources[rel] = hash;
        const target = path.join(outDir, rel).replace(/\.ts$/, ".js");
        if (previous.sources[rel] === hash && fs.existsSync(target)) {
            continue;
        }
        const { outputText, sourceMapText, diagnostics } = ts.transpileModule(text, {
            compilerOptions: parsed.options,
            fileName: file,
            reportDiagnostics: true,
        });
        if (diagnostics?.length) {
            throw new Error(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => "\n" }));
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, outputText);
        if (sourceMapText !== undefined) {
            fs.writeFileSync(`${target}.map`, sourceMapText);
        }
        compiled++;
    }
    // A deleted or renamed source must not leave its old test behind for mocha to run.
    for (const rel of Object.keys(previous.sources).filter((r) => !(r in sources))) {
        const target = path.join(outDir, rel).replace(/\.ts$/, ".js");
        fs.rmSync(target, { force: true });
        fs.rmSync(`${target}.map`, { force: true });
    }
    fs.writeFileSync(manifestFile, JSON.stringify({ compiler, sources } satisfies Manifest));
    return { compiled, unchanged: parsed.fileNames.length - compiled };
}

if (require.main === module) {
    try {
        const outDir = path.resolve(process.argv[2] ?? path.join(ROOT, ".build"));
        const { compiled, unchanged } = compile(outDir);
        console.log(`compiled ${compiled} files into ${path.relative(process.cwd(), outDir)} (${unchanged} unchanged)`);
    } catch (err) {
        console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
    }
}
