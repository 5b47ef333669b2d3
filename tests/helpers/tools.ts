import { ChildProcess, execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../scripts/root";

/** Runs a validator (promtool, amtool) and returns its status and combined output. */
export function runTool(tool: string, args: string[], cwd?: string): { status: number; output: string } {
    const r = spawnSync(tool, args, { cwd, encoding: "utf8" });
    if (r.error) {
        throw new Error(`${tool} is not installed (bash .ci/run installs it): ${r.error.message}`);
    }
    return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** How an asynchronous tool runs: `signal` kills it; `background` lowers its priority (nice 10). */
export interface AsyncOptions {
    readonly signal?: AbortSignal;
    readonly background?: boolean;
}

/**
 * Background work yields the CPU to the suite's own process, whose tests are the run's critical
 * path; its children (Helm under the render CLI) inherit the priority.
 */
function yieldCpu(child: ChildProcess, options: AsyncOptions): void {
    if (options.background && child.pid !== undefined) {
        try {
            os.setPriority(child.pid, 10);
        } catch (err) {
            // Already gone: the callback reports how it ended.
            if ((err as NodeJS.ErrnoException).code !== "ESRCH") {
                throw err;
            }
        }
    }
}

/** A program run to the end without blocking: its exit status and streams. */
function execAsync(file: string, args: readonly string[], cwd: string | undefined, options: AsyncOptions): Promise<CliResult> {
    return new Promise((resolve, reject) => {
        const child = execFile(file, args, { cwd, encoding: "utf8", maxBuffer: 64 * 2 ** 20, signal: options.signal }, (err, stdout, stderr) => {
            if (err && typeof err.code !== "number") {
                reject(err.code === "ENOENT" ? new Error(`${file} is not installed (bash .ci/run installs it): ${err.message}`) : err);
            } else {
                resolve({ status: err ? (err.code as number) : 0, stdout, stderr });
            }
        });
        yieldCpu(child, options);
    });
}

/** Like runTool, without blocking: the suite goes on while the tool runs. */
export async function runToolAsync(tool: string, args: string[], cwd?: string, options: AsyncOptions = {}): Promise<{ status: number; output: string }> {
    const r = await execAsync(tool, args, cwd, options);
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/**
 * Starts slow work that runs outside this process (a CLI, a validator) in a hook of the root
 * suite, before the run's first test, so the second core does it while the first runs the rest
 * of the suite. Call at the top level of a test file; the test that needs the result awaits the
 * returned function's promise. Work a filtered run never awaited is killed at the end.
 */
export function inBackground<T>(start: (options: AsyncOptions) => Promise<T>): () => Promise<T> {
    const stop = new AbortController();
    let result: Promise<T> | undefined;
    const begin = () => {
        if (!result) {
            // A synchronous throw becomes the awaiting test's failure, not the root hook's.
            result = Promise.resolve().then(() => start({ signal: stop.signal, background: true }));
            result.catch(() => undefined);
        }
        return result;
    };
    before(() => {
        begin();
    });
    after(() => stop.abort());
    return begin;
}

/** A fresh temporary directory, removed after the current mocha file. */
export function tempDir(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

export interface CliResult {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * The command line that runs `scripts/<name>` as its own process, as `npm run` does: the compiled
 * file when the suite itself runs compiled (npm test), ts-node on the source otherwise (Stryker,
 * mocha on one file).
 */
function scriptCommand(name: string, args: readonly string[]): string[] {
    const compiled = __filename.endsWith(".js");
    return compiled
        ? [path.join(__dirname, "..", "..", "scripts", `${name}.js`), ...args]
        : [require.resolve("ts-node/dist/bin"), "--transpile-only", path.join(ROOT, "scripts", `${name}.ts`), ...args];
}

/** Runs a script's CLI to the end: its exit status and output. */
export function runScript(name: string, args: readonly string[]): CliResult {
    const r = spawnSync(process.execPath, scriptCommand(name, args), { cwd: ROOT, encoding: "utf8" });
    return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like runScript, without blocking: the suite goes on with in-process work while the CLI runs. */
export function runScriptAsync(name: string, args: readonly string[], options: AsyncOptions = {}): Promise<CliResult> {
    return execAsync(process.execPath, scriptCommand(name, args), ROOT, options);
}
