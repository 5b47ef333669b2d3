/**
 * The lab's client: kubectl v1.34 (the layer package's, scripts/helm.ts) run inside the lab's
 * network namespace with its kubeconfig. kubectl decodes and sends objects as the Pulumi provider
 * does (client-go, server-side apply), so what the API server refuses here it refuses there.
 */
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { kubectlBinary } from "../helm";
import { ROOT } from "../root";

export const LAB_SCRIPT = path.join(ROOT, "tools", "cluster", "lab.sh");

export interface Result {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** A cluster the checks run against: a context of the user's kubeconfig (a kind or staging cluster). */
export class Cluster {
    constructor(readonly context?: string) {}

    /** Runs kubectl; never throws on kubectl's own failure (see `code`). */
    kubectl(args: readonly string[], input?: string): Promise<Result> {
        return run(kubectlBinary(), [...(this.context ? [`--context=${this.context}`] : []), ...args], input);
    }

    /** kubectl that must succeed; its JSON output parsed when `-o json` is asked for. */
    async ok(args: readonly string[], input?: string): Promise<string> {
        const r = await this.kubectl(args, input);
        if (r.code !== 0) {
            throw new Error(`kubectl ${args.join(" ")}: ${r.stderr.trim() || r.stdout.trim()}`);
        }
        return r.stdout;
    }

    async list(kind: string, ...args: string[]): Promise<any[]> {
        return JSON.parse(await this.ok(["get", kind, "-A", "-o", "json", ...args])).items;
    }
}

/**
 * The command line that runs `args` inside the lab's network namespace with `KUBECONFIG` set to
 * the lab's, as tools/cluster/lab.sh `exec` does: so `npm run lab -- exec <dir> -- kubectl …`
 * reaches the lab's API server, not whatever the caller's kubeconfig names.
 */
export function labExecCommand(dir: string, args: readonly string[]): string[] {
    return ["nsenter", `--net=${path.join(dir, "netns")}`, "--", "env", `KUBECONFIG=${path.join(dir, "kubeconfig")}`, ...args];
}

/** The lab cluster whose state is `dir` (tools/cluster/lab.sh): kubectl runs inside its network namespace. */
export class Lab extends Cluster {
    constructor(readonly dir: string) {
        super();
    }

    override kubectl(args: readonly string[], input?: string): Promise<Result> {
        return this.exec([kubectlBinary(), `--kubeconfig=${path.join(this.dir, "kubeconfig")}`, ...args], input);
    }

    /** Any command inside the lab's network namespace, with the lab's kubeconfig, as `lab.sh exec` runs it. */
    exec(args: readonly string[], input?: string): Promise<Result> {
        const [command, ...rest] = labExecCommand(this.dir, args);
        return run(command, rest, input);
    }

    /** lab.sh start|stop|spawn with this lab's directory. A stop is never cut short by killChildren. */
    script(command: "start" | "stop" | "spawn", ...args: string[]): Promise<Result> {
        return run("bash", [LAB_SCRIPT, command, this.dir, ...args], undefined, { KUBECTL: kubectlBinary() }, true, command === "stop");
    }
}

const children = new Set<ChildProcess>();
let stopping = false;

/**
 * Stops every child still running (the CLI's TERM and INT handlers call this); the lab's own
 * `stop` runs on, and nothing new is started but the stops the callers' `finally` blocks make.
 */
export function killChildren(): void {
    stopping = true;
    for (const child of children) {
        child.kill("SIGTERM");
    }
}

export const terminated = () => stopping;

function run(file: string, args: readonly string[], input?: string, env: Record<string, string> = {}, inherit = false, protect = false): Promise<Result> {
    if (stopping && !protect) {
        return Promise.resolve({ code: 143, stdout: "", stderr: "terminated" });
    }
    return new Promise((resolve, reject) => {
        const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: [input === undefined ? "ignore" : "pipe", "pipe", inherit ? "inherit" : "pipe"] });
        if (!protect) {
            children.add(child);
        }
        let stdout = "";
        let stderr = "";
        child.stdout?.on("data", (d) => (stdout += d));
        child.stderr?.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.on("close", (code) => {
            children.delete(child);
            resolve({ code: code ?? 1, stdout, stderr });
        });
        if (input !== undefined && child.stdin) {
            child.stdin.end(input);
        }
    });
}
