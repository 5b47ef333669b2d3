import * as assert from "assert";
import { drainableNodes, labConfig } from "../../../scripts/lab/index";

type Obj = Record<string, any>;

const node = (name: string, labels: Obj = {}, spec: Obj = {}): Obj => ({ metadata: { name, labels: { "kubernetes.io/os": "linux", ...labels } }, spec });

describe("lab driver: drainableNodes", () => {
    it("drains the schedulable Linux workers, in name order", () => {
        assert.deepStrictEqual(drainableNodes([node("w2"), node("w1")]), ["w1", "w2"]);
    });

    it("leaves out a control-plane node", () => {
        assert.deepStrictEqual(drainableNodes([node("w1"), node("cp", { "node-role.kubernetes.io/control-plane": "" })]), ["w1"]);
    });

    it("leaves out a node that is already cordoned", () => {
        assert.deepStrictEqual(drainableNodes([node("w1"), node("w2", {}, { unschedulable: true })]), ["w1"]);
    });

    it("leaves out nodes under a NoSchedule or NoExecute taint, but drains one under PreferNoSchedule", () => {
        const tainted = (name: string, effect: string) => node(name, {}, { taints: [{ key: "k", effect }] });
        assert.deepStrictEqual(drainableNodes([tainted("gpu", "NoSchedule"), tainted("maint", "NoExecute"), tainted("spot", "PreferNoSchedule")]), ["spot"]);
    });

    it("leaves out the nodes node agents stay off: Windows, virtual-kubelet and Fargate", () => {
        const nodes = [node("w1"), node("win", { "kubernetes.io/os": "windows" }), node("vk", { type: "virtual-kubelet" }), node("fg", { "eks.amazonaws.com/compute-type": "fargate" })];
        assert.deepStrictEqual(drainableNodes(nodes), ["w1"]);
    });
});

describe("lab driver: labConfig", () => {
    it("turns each alerting secret into a URL that still carries its mock value", () => {
        const config = { "observability-platform:alertingSecrets": JSON.stringify({ team: "MOCKSECRET-a:b.team" }), "observability-platform:profile": "prod" };
        assert.deepStrictEqual(labConfig(config), { "observability-platform:alertingSecrets": JSON.stringify({ team: "https://alerting.invalid/MOCKSECRET-a%3Ab.team" }) });
    });

    it("changes nothing in a stack without alerting secrets", () => {
        assert.deepStrictEqual(labConfig({ "observability-platform:profile": "dev" }), {});
    });
});
