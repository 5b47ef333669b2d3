/**
 * What a compiled folder (`.build/`, `dist/`) remembers of its sources: compiler, options and each
 * source's hash. Shared by scripts/compile.ts, which writes it, and the checker's command, which
 * reads it to refuse running rules older than their sources. Loads no compiler.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

export interface Manifest {
    readonly compiler: string;
    readonly sources: Record<string, string>;
}

export const MANIFEST = ".compiled.json";

export const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The sources under `root` whose text differs from what `outDir` was compiled from. A source
 * that is absent (an installed package without its TypeScript) does not count.
 */
export function staleSources(outDir: string, root: string): string[] {
    const manifest = JSON.parse(fs.readFileSync(path.join(outDir, MANIFEST), "utf8")) as Manifest;
    return Object.entries(manifest.sources).filter(([rel, hash]) => {
        let text: string;
        try {
            text = fs.readFileSync(path.join(root, rel), "utf8");
        } catch {
            return false;
        }
        return sha256(text) !== hash;
    }).map(([rel]) => rel);
}
