/**
 * `npm test`'s compile step: each file of tsconfig.json transpiled on its own into `.build/`,
 * only those whose text changed since the last compile. `tsc` takes about ten seconds loading
 * every type; this takes one, or a fraction when little changed. The type check runs beside the
 * tests (scripts/test.sh), and tsconfig's `isolatedModules` makes it refuse code whose meaning a
 * file-by-file transpile could change, so the two never disagree.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { Manifest, MANIFEST, sha256 } from "./compiled";
import { ROOT } from "./root";

/**
 * The project's files that `entry` loads, itself included: its relative imports, followed. What
 * the checker's `bin` needs, without the program and the tests.
 */
export function importClosure(entry: string, root: string = ROOT): string[] {
    const seen = new Set<string>();
    const visit = (file: string) => {
        if (seen.has(file)) {
            return;
        }
        seen.add(file);
        for (const { fileName } of ts.preProcessFile(fs.readFileSync(file, "utf8"), true, false).importedFiles) {
            if (fileName.startsWith(".")) {
                const resolved = path.resolve(path.dirname(file), fileName);
                const found = [`${resolved}.ts`, path.join(resolved, "index.ts")].find((f) => fs.existsSync(f));
                if (!found) {
                    throw new Error(`${path.relative(root, file)}: cannot resolve ${fileName}`);
                }
                visit(found);
            }
        }
    };
    visit(path.resolve(root, entry));
    return [...seen].sort();
}

/**
 * Transpiles the project at `root` (this one by default) into `outDir`: every file of its
 * tsconfig.json, or only the import closure of `entry`.
 */
export function compile(outDir: string, root: string = ROOT, entry?: string): { compiled: number; unchanged: number } {
    const configFile = path.join(root, "tsconfig.json");
    const read = ts.readConfigFile(configFile, (f) => fs.readFileSync(f, "utf8"));
    if (read.error) {
        throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
    }
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, { outDir }, configFile);
    if (!parsed.options.isolatedModules) {
        throw new Error("tsconfig.json must set isolatedModules: the files are transpiled one by one");
    }
    const fileNames = entry === undefined ? parsed.fileNames : importClosure(entry, root);
    const compiler = sha256(JSON.stringify([ts.version, parsed.options, entry ?? null]));
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
    for (const file of fileNames) {
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
    return { compiled, unchanged: fileNames.length - compiled };
}

/** The policy checker's command, compiled with its closure into `dist/` for package.json's `bin`. */
export const CHECKER_ENTRY = "scripts/policy-check-cli.ts";

/**
 * `compile.ts [<outDir>] [--checker <dir>]`: the suite's files into outDir (default .build/);
 * with --checker, also the checker's closure into <dir> (npm test and npm ci's `prepare` keep
 * `dist/` as fresh as the sources, in one process).
 */
if (require.main === module) {
    try {
        const args = process.argv.slice(2);
        const at = args.indexOf("--checker");
        const checker = at === -1 ? undefined : args.splice(at, 2)[1];
        if (at !== -1 && !checker) {
            throw new Error("--checker needs a directory; usage: compile.ts [<outDir>] [--checker <dir>]");
        }
        const outDirs: Array<[string, string | undefined]> = [];
        if (args[0] !== undefined || checker === undefined) {
            outDirs.push([path.resolve(args[0] ?? path.join(ROOT, ".build")), undefined]);
        }
        if (checker !== undefined) {
            outDirs.push([path.resolve(checker), CHECKER_ENTRY]);
        }
        for (const [outDir, entry] of outDirs) {
            const { compiled, unchanged } = compile(outDir, ROOT, entry);
            console.log(`compiled ${compiled} files into ${path.relative(process.cwd(), outDir)} (${unchanged} unchanged)`);
        }
    } catch (err) {
        console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
        process.exitCode = 1;
    }
}
