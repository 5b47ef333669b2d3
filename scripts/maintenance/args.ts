/** The command line of `npm run maintenance`, parsed before anything talks to a cluster. */

export const USAGE = `usage: npm run maintenance -- drain <node> [--context <kubeconfig context>] [--keep-cordoned]
                                [--drain-timeout <duration>] [--wait-timeout <duration>]
  Checks that the cluster may lose the node (every PDB allows a disruption, Elasticsearch green,
  MongoDB Running, Prometheus and Alertmanager available, every workload Ready), then cordons it,
  drains it, waits until the cluster is green again, and uncordons it (--keep-cordoned leaves it
  cordoned). Durations: 90s, 10m, 1h (default drain 10m, wait 30m).
  Exit codes: 0 done; 1 failed after the node was cordoned (it stays cordoned); 2 bad arguments;
  3 refused by a pre-check (nothing was changed).`;

export interface DrainCommand {
    readonly command: "drain";
    readonly node: string;
    /** Absent: the kubeconfig's current context. */
    readonly context?: string;
    readonly keepCordoned: boolean;
    readonly drainTimeoutSeconds: number;
    readonly waitTimeoutSeconds: number;
}

export const DEFAULTS = { drainTimeoutSeconds: 600, waitTimeoutSeconds: 1800 } as const;

export class UsageError extends Error {}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600 };

/** `90s`, `10m`, `1h`, or whole seconds; at least one second. */
export function parseDuration(option: string, value: string): number {
    const m = /^(\d+)(s|m|h)?$/.exec(value);
    const seconds = m ? Number(m[1]) * UNITS[m[2] ?? "s"] : 0;
    if (!m || seconds < 1) {
        throw new UsageError(`${option}: "${value}" is not a duration; use whole seconds or a number with s, m or h (90s, 10m, 1h)`);
    }
    return seconds;
}

/** A Kubernetes node name: a DNS subdomain (RFC 1123), at most 253 characters. */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseArgs(argv: readonly string[]): DrainCommand {
    const [command, ...rest] = argv;
    if (command === undefined) {
        throw new UsageError("a command is required: drain");
    }
    if (command !== "drain") {
        throw new UsageError(`unknown command "${command}"; the command is: drain`);
    }
    const options: Record<string, string> = {};
    const positional: string[] = [];
    let keepCordoned = false;
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        if (arg === "--keep-cordoned") {
            keepCordoned = true;
            continue;
        }
        if (!arg.startsWith("--")) {
            positional.push(arg);
            continue;
        }
        const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        if (!["--context", "--drain-timeout", "--wait-timeout"].includes(flag)) {
            throw new UsageError(`unknown option ${flag}; options: --context, --keep-cordoned, --drain-timeout, --wait-timeout`);
        }
        const value = inline ?? rest[++i];
        if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
            throw new UsageError(`${flag} needs a value`);
        }
        if (flag in options) {
            throw new UsageError(`${flag} is given twice`);
        }
        options[flag] = value;
    }
    if (positional.length !== 1) {
        throw new UsageError(positional.length === 0 ? "drain needs the node's name: drain <node>" : `drain takes one node, got ${positional.length}: ${positional.join(" ")} (one node at a time)`);
    }
    const node = positional[0];
    if (node.length > 253 || !NODE_NAME.test(node)) {
        throw new UsageError(`<node>: "${node}" is not a node name (lower-case letters, digits, '-' and '.')`);
    }
    return {
        command,
        node,
        ...(options["--context"] !== undefined ? { context: options["--context"] } : {}),
        keepCordoned,
        drainTimeoutSeconds: options["--drain-timeout"] !== undefined ? parseDuration("--drain-timeout", options["--drain-timeout"]) : DEFAULTS.drainTimeoutSeconds,
        waitTimeoutSeconds: options["--wait-timeout"] !== undefined ? parseDuration("--wait-timeout", options["--wait-timeout"]) : DEFAULTS.waitTimeoutSeconds,
    };
}
