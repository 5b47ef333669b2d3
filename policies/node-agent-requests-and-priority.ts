import { describe, kindOf, Subject } from "./lib/kube";
import { ResourceRule } from "./lib/rule";

const NODE_CRITICAL = new Set(["system-node-critical", "system-cluster-critical"]);

/**
 * A DaemonSet pod is multiplied by every node: without requests the scheduler cannot reserve
 * room for it, without a memory limit one leaking agent starves the node, and without a
 * node-critical priority it is the first thing preempted when the node is full.
 * https://kubernetes.io/docs/tasks/administer-cluster/guaranteed-scheduling-critical-addon-pods/
 */
export const nodeAgentRequestsAndPriority: ResourceRule = {
    name: "node-agent-requests-and-priority",
    description: "DaemonSet containers set CPU and memory requests and a memory limit, and run at a node-critical priority.",
    enforcementLevel: "advisory",
    scope: "resource",
    appliesTo: (s: Subject) => kindOf(s) === "DaemonSet",
    check(subject: Subject): string[] {
        const spec = subject.object.spec?.template?.spec ?? {};
        const problems: string[] = [];
        for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
            const missing = [
                c?.resources?.requests?.cpu ? undefined : "requests.cpu",
                c?.resources?.requests?.memory ? undefined : "requests.memory",
                c?.resources?.limits?.memory ? undefined : "limits.memory",
            ].filter(Boolean);
            if (missing.length > 0) {
                problems.push(`${describe(subject)} container ${c?.name ?? "(unnamed)"} sets no ${missing.join(", ")}.`);
            }
        }
        if (!NODE_CRITICAL.has(spec.priorityClassName)) {
            problems.push(`${describe(subject)} runs at priority ${spec.priorityClassName ?? "(default)"}; node agents need system-node-critical so they are not preempted.`);
        }
        return problems;
    },
};
