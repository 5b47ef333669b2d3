import * as assert from "assert";
import { daemonsetToleratesAllTaints as rule } from "../../policies/daemonset-tolerates-all-taints";
import { KubeObject, subjectOf } from "../../policies/lib/kube";
import { daemonSet } from "./fixtures";

const messages = (tolerations: unknown[] | undefined, partial = false) =>
    rule.check(subjectOf(daemonSet((o) => (o.spec.template.spec.tolerations = tolerations))), partial).map((f) => f.message);
const NO_SCHEDULE = "a NoSchedule taint (e.g. node-role.kubernetes.io/control-plane, nvidia.com/gpu, a dedicated-pool taint) keeps its pods off that node";
const NO_EXECUTE = "a NoExecute taint (e.g. a dedicated-node or maintenance taint) keeps its pods off that node and evicts those already running";
const TAIL = " (the DaemonSet controller itself adds tolerations for cordoned, NotReady, unreachable and pressured nodes; a PreferNoSchedule taint is only a soft preference). " +
    "Add the toleration {operator: Exists} (no key, effect or tolerationSeconds).";
const untolerated = (...what: string[]) => `DaemonSet logging/agent does not tolerate every taint: ${what.join("; ")}${TAIL}`;
const timed = (what: string, seconds: number) =>
    `DaemonSet logging/agent tolerates ${what} for only ${seconds}s: the taint manager evicts its pods that long after a matching NoExecute taint appears. Drop tolerationSeconds.`;

describe("daemonset-tolerates-all-taints", () => {
    it("names each effect left untolerated, and the keys it does tolerate", () => {
        assert.deepStrictEqual(messages([{ operator: "Exists", effect: "NoSchedule" }]), [untolerated(NO_EXECUTE)]);
        assert.deepStrictEqual(messages([{ key: "dedicated", operator: "Exists" }]),
            [untolerated(NO_SCHEDULE.replace("taint (", "taint other than dedicated ("), NO_EXECUTE.replace("taint (", "taint other than dedicated ("))]);
    });

    it("a keyed toleration exempts only taints of its own effect", () => {
        assert.deepStrictEqual(messages([{ key: "gpu", operator: "Exists", effect: "NoSchedule" }, { key: "dedicated", operator: "Exists" }]), [untolerated(
            NO_SCHEDULE.replace("taint (", "taint other than gpu:NoSchedule, dedicated ("),
            NO_EXECUTE.replace("taint (", "taint other than dedicated ("),
        )]);
    });

    it("an Equal toleration without a key tolerates nothing", () => {
        assert.deepStrictEqual(messages([{ operator: "Equal" }]), [untolerated(NO_SCHEDULE, NO_EXECUTE)]);
    });

    it("a timed toleration is no tolerate-all and evicts after its seconds", () => {
        assert.deepStrictEqual(messages([{ operator: "Exists", tolerationSeconds: 5 }]), [untolerated(NO_SCHEDULE, NO_EXECUTE), timed("every taint", 5)]);
        assert.deepStrictEqual(messages([{ operator: "Exists" }, { operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }]), [timed("every NoExecute taint", 30)]);
        assert.deepStrictEqual(messages([{ operator: "Exists", tolerationSeconds: null }]), [], "null seconds is no limit");
    });

    it("only the controller's own key, effect and no value is overwritten by the DaemonSet controller", () => {
        const unreachable = { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 };
        assert.deepStrictEqual(messages([{ operator: "Exists" }, unreachable]), []);
        assert.deepStrictEqual(messages([{ operator: "Exists" }, { ...unreachable, value: "x" }]), [timed("node.kubernetes.io/unreachable:NoExecute", 300)]);
        assert.deepStrictEqual(messages([{ operator: "Exists" }, { ...unreachable, effect: "NoSchedule" }]), [timed("node.kubernetes.io/unreachable:NoSchedule", 300)]);
        assert.deepStrictEqual(messages([{ operator: "Exists" }, { ...unreachable, operator: "Equal" }]), [timed("node.kubernetes.io/unreachable:NoExecute", 300)]);
    });

    it("a DaemonSet without a spec tolerates nothing; a patch without tolerations is not judged", () => {
        const bare: KubeObject = { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "a", namespace: "n" } };
        assert.deepStrictEqual(rule.check(subjectOf(bare)).map((f) => f.message), [untolerated(NO_SCHEDULE, NO_EXECUTE).replace("logging/agent", "n/a")]);
        assert.deepStrictEqual(rule.check(subjectOf(bare), true), []);
        assert.deepStrictEqual(rule.check(subjectOf({ ...bare, spec: {} })).length, 1, "nor with a spec but no template");
        assert.deepStrictEqual(rule.check(subjectOf({ ...bare, spec: { template: {} } })).length, 1, "nor with a template but no pod spec");
        assert.deepStrictEqual(messages(undefined, true), []);
        assert.deepStrictEqual(messages([], true), [untolerated(NO_SCHEDULE, NO_EXECUTE)], "a patch that sets tolerations is judged");
    });

    it("remediates a DaemonSet without a spec", () => {
        assert.deepStrictEqual(rule.remediate!({ apiVersion: "apps/v1", kind: "DaemonSet" }),
            { apiVersion: "apps/v1", kind: "DaemonSet", spec: { template: { spec: { tolerations: [{ operator: "Exists" }] } } } });
        assert.deepStrictEqual(rule.remediate!({ kind: "DaemonSet", spec: { template: {} } }), { kind: "DaemonSet", spec: { template: { spec: { tolerations: [{ operator: "Exists" }] } } } });
    });
});
