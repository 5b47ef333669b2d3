/**
 * `npm run maintenance -- drain <node> [--context <ctx>] [--keep-cordoned] [--drain-timeout 10m]
 * [--wait-timeout 30m]`: the README's "Node maintenance" runbook as one command (drain.ts), with
 * kubectl against a context of the user's kubeconfig. Arguments are checked before anything
 * reaches the cluster; bad ones exit 2 naming the argument.
 */
import { CONSOLE, Io } from "../io";
import { Cluster, killChildren, terminated } from "../lab/kube";
import { parseArgs, USAGE, UsageError } from "./args";
import { EXIT, maintainNode } from "./drain";

/** Polling a real cluster: a look costs about ten list calls. */
const POLL_SECONDS = 5;

export async function main(argv: readonly string[], io: Io = CONSOLE, connect: (context?: string) => Cluster = (c) => new Cluster(c)): Promise<number> {
    let args;
    try {
        args = parseArgs(argv);
    } catch (err) {
        if (err instanceof UsageError) {
            io.err(`error: ${err.message}\n${USAGE}`);
            return EXIT.usage;
        }
        throw err;
    }
    const cluster = connect(args.context);
    if (args.context !== undefined) {
        // Read from the kubeconfig file only: an unknown context is a bad argument, not a cluster failure.
        const contexts = (await cluster.kubectl(["config", "get-contexts", "-o", "name"])).stdout.split("\n").filter(Boolean);
        if (!contexts.includes(args.context)) {
            io.err(`error: --context: no context "${args.context}" in the kubeconfig (contexts: ${contexts.join(", ") || "none"})`);
            return EXIT.usage;
        }
    }
    try {
        return await maintainNode(cluster, { ...args, pollSeconds: POLL_SECONDS }, io);
    } catch (err) {
        io.err(`FAILED: ${err instanceof Error ? err.message : String(err)}\n  if the drain had begun, the node stays cordoned and marked: run the same command again to finish.`);
        return EXIT.failed;
    }
}

if (require.main === module) {
    const stop = () => killChildren();
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    main(process.argv.slice(2)).then((code) => process.exit(terminated() ? 143 : code));
}
