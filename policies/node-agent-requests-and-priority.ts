import { describe, kindOf, Subject } from "./lib/kube";
import { Finding, parts, ResourceRule } from "./lib/rule";

const NODE_CRITICAL = ["system-node-critical", "system-cluster-critical"];

/**
 * A DaemonSet pod is multiplied by every node: without requests the scheduler cannot reserve
 * room for it, without a memory limit one leaking agent starves the node, and without a
 * node-critical priority it is the first thing preempted when the node is full. Init containers
 * count: the scheduler reserves the larger of the init and the app containers' requests.
 * https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
 */
export const nodeAgentRequestsAndPriority: ResourceRule = {
    name: "node-agent-requests-and-priority",
    description: "DaemonSet containers set CPU and memory requests and a memory limit, and run at a node-critical priority.",
    enforcementLevel: "advisory",
    scope: "resource",
    appliesTo: (s: Subject) => kindOf(s) === "DaemonSet",
    check(subject: Subject, partial = false): Finding[] {
        const spec = () => subject.object.spec?.template?.spec;
        const containers = (field: "initContainers" | "containers", what: string) => () => {
            // A patch merges containers by name, so what it leaves out may be set already.
            if (partial) return [];
            return (spec()?.[field] ?? []).flatMap((c: any) => {
                const missing = [
                    c?.resources?.requests?.cpu ? undefined : "requests.cpu",
                    c?.resources?.requests?.memory ? undefined : "requests.memory",
                    c?.resources?.limits?.memory ? undefined : "limits.memory",
                ].filter((m) => m !== undefined);
                return missing.length === 0 ? [] : [`${describe(subject)} ${what} ${c?.name ?? "(unnamed)"} sets no ${missing.join(", ")}. Set them.`];
            });
        };
        const priority = () => {
            const name = spec()?.priorityClassName;
            if ((partial && name === undefined) || NODE_CRITICAL.includes(name)) return [];
            return [`${describe(subject)} runs at ${name ? `priority class ${name}` : "the default priority"}, so its pods are preempted before others when a node is full. ` +
                "Set priorityClassName: system-node-critical."];
        };
        return parts(subject, [containers("initContainers", "init container"), containers("containers", "container"), priority]);
    },
};
