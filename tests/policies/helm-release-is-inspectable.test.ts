import * as assert from "assert";
import { toCrossGuard } from "../../policies/crossguard";
import { helmReleaseIsInspectable as rule } from "../../policies/helm-release-is-inspectable";
import { runResource, sdk } from "./crossguard-harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TAIL = "as an opaque helm.v3.Release: its DaemonSets, StatefulSets and PDBs are hidden from every other rule. Use kubernetes.helm.v4.Chart, or exempt it with a reason.";
const messages = (object: any) => rule.check({ type: RELEASE, name: "rel", object }).map((f) => f.message);

describe("helm-release-is-inspectable, word for word", () => {
    it("reads the chart from spec.chart too", () => {
        assert.deepStrictEqual(messages({ spec: { chart: "c" } }), [`Release default/rel installs chart c ${TAIL}`]);
    });

    it("an empty or non-string chart, namespace or name falls back to its chart, default and the resource name", () => {
        for (const object of [{ chart: "", namespace: "", name: "" }, { chart: 3, namespace: 4, name: 5 }, {}]) {
            assert.deepStrictEqual(messages(object), [`Release default/rel installs its chart ${TAIL}`], JSON.stringify(object));
        }
    });

    it("a chart and namespace unknown during preview are named generically, not skipped", () => {
        const props = { chart: sdk.unknownStringValue, namespace: sdk.unknownStringValue, name: "n" };
        assert.deepStrictEqual(runResource(toCrossGuard(rule) as any, { type: RELEASE, name: "r", props }), { messages: [`Release default/n installs its chart ${TAIL}`] });
    });
});
