import * as assert from "assert";
import { toCrossGuard } from "../../policies/crossguard";
import { subjectOf } from "../../policies/lib/kube";
import { pdbEvictsUnhealthyPods as rule, unhealthyEvictionProblem } from "../../policies/pdb-evicts-unhealthy-pods";
import { resourceOf, runResource, sdk } from "./crossguard-harness";
import { custom, pdb } from "./fixtures";

const es = (spec: Record<string, unknown>) => custom("elasticsearch.k8s.elastic.co/v1", "Elasticsearch", "logs", "logging", spec);

describe("pdb-evicts-unhealthy-pods", () => {
    it("accepts only AlwaysAllow, spelled as the API server spells it", () => {
        assert.strictEqual(unhealthyEvictionProblem("AlwaysAllow"), undefined);
        assert.match(unhealthyEvictionProblem(undefined)!, /sets no unhealthyPodEvictionPolicy/);
        assert.match(unhealthyEvictionProblem("alwaysallow")!, /"alwaysallow"/);
    });

    it("a policy unknown during preview is not checked, and says so", () => {
        const object = pdb("db", "data", { unhealthyPodEvictionPolicy: sdk.unknownStringValue });
        const result = runResource(toCrossGuard(rule) as any, resourceOf(object));
        assert.deepStrictEqual(result.messages, []);
        assert.match(result.notApplicable ?? "", /unhealthyPodEvictionPolicy/);
    });

    it("leaves ECK's default PDB and an Elasticsearch PDB spec without a budget to ECK", () => {
        assert.strictEqual(rule.appliesTo(subjectOf(es({}))), false);
        assert.strictEqual(rule.appliesTo(subjectOf(es({ podDisruptionBudget: { spec: {} } }))), false);
        assert.strictEqual(rule.appliesTo(subjectOf(es({ podDisruptionBudget: { spec: { maxUnavailable: 1 } } }))), true);
    });

    it("judges a patch only on the fields it sets", () => {
        assert.deepStrictEqual(rule.check(subjectOf(pdb("db", "data", { unhealthyPodEvictionPolicy: undefined })), true), []);
        assert.strictEqual(rule.check(subjectOf(pdb("db", "data", { unhealthyPodEvictionPolicy: "IfHealthyBudget" })), true).length, 1);
    });
});
