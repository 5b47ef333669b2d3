import * as assert from "assert";
import { KubeObject, subjectOf } from "../../policies/lib/kube";
import { nodeAgentRequestsAndPriority as rule } from "../../policies/node-agent-requests-and-priority";
import { daemonSet } from "./fixtures";

const messages = (o: KubeObject, partial = false) => rule.check(subjectOf(o), partial).map((f) => f.message);
const PREEMPTED = "so its pods are preempted before others when a node is full. Set priorityClassName: system-node-critical.";

describe("node-agent-requests-and-priority", () => {
    it("names each container and each missing request or limit, and a priority class that is not node-critical", () => {
        const o = daemonSet((d) => {
            d.spec.template.spec.priorityClassName = "high";
            d.spec.template.spec.containers = [{ image: "x" }, { name: "b", resources: { requests: { cpu: "1" } } }, null];
        });
        assert.deepStrictEqual(messages(o), [
            "DaemonSet logging/agent container (unnamed) sets no requests.cpu, requests.memory, limits.memory. Set them.",
            "DaemonSet logging/agent container b sets no requests.memory, limits.memory. Set them.",
            "DaemonSet logging/agent container (unnamed) sets no requests.cpu, requests.memory, limits.memory. Set them.",
            `DaemonSet logging/agent runs at priority class high, ${PREEMPTED}`,
        ]);
    });

    it("accepts system-cluster-critical and names only the missing memory limit", () => {
        const o = daemonSet((d) => {
            d.spec.template.spec.priorityClassName = "system-cluster-critical";
            d.spec.template.spec.containers = [{ name: "c", resources: { requests: { memory: "1Gi", cpu: "1" } } }];
        });
        assert.deepStrictEqual(messages(o), ["DaemonSet logging/agent container c sets no limits.memory. Set them."]);
    });

    it("a DaemonSet without a spec runs at the default priority", () => {
        assert.deepStrictEqual(messages({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "a", namespace: "n" } }), [`DaemonSet n/a runs at the default priority, ${PREEMPTED}`]);
    });

    it("a patch is judged only on the priority class it sets", () => {
        const patch = (spec: object): KubeObject => ({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "a", namespace: "n" }, spec: { template: { spec } } });
        assert.deepStrictEqual(messages(patch({ containers: [{ name: "x" }] }), true), []);
        assert.deepStrictEqual(messages(patch({ priorityClassName: "low" }), true), [`DaemonSet n/a runs at priority class low, ${PREEMPTED}`]);
    });
});
