import * as assert from "assert";
import { coverage, exemptionFor, validatePackConfig } from "../../../policies/lib/exemptions";
import { subjectOf } from "../../../policies/lib/kube";
import { RULES } from "../../../policies/rules";
import { statefulSet } from "../fixtures";

const NAMES = RULES.map((r) => r.name);
const RULE = "stateful-workload-has-pdb";
const problems = (config: unknown) => validatePackConfig(config, NAMES);
const exemption = (e: unknown) => problems({ [RULE]: { exemptions: [e] } });
const LEVEL_LIST = "advisory, mandatory, remediate, disabled";

describe("exemption coverage in words", () => {
    it("a full URN covers that one Pulumi resource", () => {
        assert.strictEqual(coverage({ urn: "urn:pulumi:dev::p::t::db", reason: "" }), "the Pulumi resource urn:pulumi:dev::p::t::db");
    });

    it("\"*\" for the name covers any name, a kind is named as given", () => {
        assert.strictEqual(coverage({ kind: "StatefulSet", namespace: "*", name: "*", reason: "" }), "StatefulSet of any name in every namespace");
    });
});

describe("exemptions apply to what they name", () => {
    const db = { ...subjectOf(statefulSet()), urn: "urn:pulumi:dev::p::kubernetes:apps/v1:StatefulSet::db" };

    it("a full URN or a ::name suffix applies, another name does not", () => {
        assert.ok(exemptionFor(db, [{ urn: db.urn, reason: "r" }]));
        assert.ok(exemptionFor(db, [{ urn: "db", reason: "r" }]));
        assert.strictEqual(exemptionFor(db, [{ urn: "b", reason: "r" }]), undefined);
        assert.strictEqual(exemptionFor(subjectOf(statefulSet()), [{ urn: "db", reason: "r" }]), undefined, "a manifest has no URN");
    });

    it("kind, namespace and name must all match", () => {
        assert.ok(exemptionFor(db, [{ kind: "StatefulSet", namespace: "data", name: "db", reason: "r" }]));
        assert.strictEqual(exemptionFor(db, [{ kind: "Deployment", namespace: "data", name: "db", reason: "r" }]), undefined);
        assert.strictEqual(exemptionFor(db, [{ kind: "StatefulSet", namespace: "other", name: "db", reason: "r" }]), undefined);
    });
});

describe("pack config validation", () => {
    it("rejects a config that is not an object", () => {
        for (const config of [null, "mandatory", 3]) {
            assert.deepStrictEqual(problems(config), ["the policy config must be an object keyed by rule name (or all)"]);
        }
    });

    it("rejects a rule entry that is neither a level nor an object", () => {
        for (const value of [null, 3, []]) {
            assert.deepStrictEqual(problems({ [RULE]: value }), [`${RULE}: must be an enforcement level (${LEVEL_LIST}) or an object {enforcementLevel, exemptions}`]);
        }
    });

    it("lists every rule when one is unknown, and the keys allowed where a key is unknown", () => {
        assert.deepStrictEqual(problems({ nope: "advisory" }), [`unknown rule "nope"; rules: ${NAMES.join(", ")}, or all`]);
        assert.deepStrictEqual(problems({ [RULE]: { level: "advisory" } }), [`${RULE}.level: unknown key; allowed: enforcementLevel, exemptions`]);
        assert.deepStrictEqual(problems({ all: { exemptions: [], enforcementLevel: "advisory" } }), ["all.exemptions: unknown key; allowed: enforcementLevel"]);
        assert.deepStrictEqual(problems({ all: { enforcementLevel: "advisory" } }), []);
        assert.deepStrictEqual(problems({ [RULE]: { enforcementLevel: "x" } }), [`${RULE}.enforcementLevel: "x" is not one of ${LEVEL_LIST}`]);
    });

    it("rejects exemptions that are not a list, and entries that are not objects", () => {
        assert.deepStrictEqual(problems({ [RULE]: { exemptions: {} } }), [`${RULE}.exemptions: must be a list`]);
        for (const e of [null, "db", ["db"]]) {
            assert.deepStrictEqual(exemption(e), [`${RULE}.exemptions[0]: must be an object {kind, namespace, name, reason} or {urn, reason}`]);
        }
    });

    it("rejects empty or blank fields, and a blank reason only once", () => {
        assert.deepStrictEqual(exemption({ kind: "", namespace: "data", name: "db", reason: "r" }), [`${RULE}.exemptions[0].kind: must be a non-empty string`]);
        assert.deepStrictEqual(exemption({ kind: "StatefulSet", namespace: "data", name: "db", reason: "  " }), [`${RULE}.exemptions[0].reason: every exemption needs a reason`]);
        assert.deepStrictEqual(exemption({ kind: "StatefulSet", namespace: "data", name: "db", reason: 3 }), [`${RULE}.exemptions[0].reason: every exemption needs a reason`]);
    });

    it("names the one missing field as \"it\" and spells out what \"*\" would cover", () => {
        assert.deepStrictEqual(exemption({ kind: "StatefulSet", name: "db", reason: "r" }),
            [`${RULE}.exemptions[0]: names no namespace, so it would cover StatefulSet named db in every namespace; name it, or write "*" to mean that`]);
        assert.deepStrictEqual(exemption({ kind: "StatefulSet", namespace: "*", name: "*", reason: "r" }), []);
        assert.deepStrictEqual(exemption({ urn: "db", reason: "r" }), []);
    });
});
