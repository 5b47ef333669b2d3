import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** Runs a validator (promtool, amtool) and returns its status and combined output. */
export function runTool(tool: string, args: string[], cwd?: string): { status: number; output: string } {
    const r = spawnSync(tool, args, { cwd, encoding: "utf8" });
    if (r.error) {
        throw new Error(`${tool} is not installed (bash .ci/run installs it): ${r.error.message}`);
    }
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** A fresh temporary directory, removed after the current mocha file. */
export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}
