import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { daemonsetToleratesAllTaints as tolerate } from "../../policies/daemonset-tolerates-all-taints";
import { helmReleaseIsInspectable } from "../../policies/helm-release-is-inspectable";
import { coverage, validatePackConfig } from "../../policies/lib/exemptions";
import { selectorMatches, subjectOf } from "../../policies/lib/kube";
import { allowedDisruptions } from "../../policies/pdb-allows-voluntary-disruption";
import { blocks, evaluate, RULES } from "../../policies/rules";
import { daemonSet, deployment, statefulSet, subjects } from "./fixtures";
import { ROOT } from "../../scripts/root";

const NAMES = RULES.map((r) => r.name);

describe("label selectors", () => {
    const labels = { app: "db", tier: "data" };
    const cases: Array<[string, object | undefined | null, boolean]> = [
        ["matchLabels equal", { matchLabels: { app: "db" } }, true],
        ["matchLabels differ", { matchLabels: { app: "web" } }, false],
        ["In", { matchExpressions: [{ key: "tier", operator: "In", values: ["data", "cache"] }] }, true],
        ["In without the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["cache"] }] }, false],
        ["In on an absent key", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
        ["NotIn", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, true],
        ["NotIn on an absent key", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
        ["NotIn with the value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["data"] }] }, false],
        ["Exists", { matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
        ["Exists on an absent key", { matchExpressions: [{ key: "zone", operator: "Exists" }] }, false],
        ["DoesNotExist on a present key", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
        ["DoesNotExist on an absent key", { matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
        ["an unknown operator", { matchExpressions: [{ key: "app", operator: "Equals", values: ["db"] }] }, false],
        ["an empty selector selects everything", {}, true],
        ["null matchLabels and matchExpressions select everything", { matchLabels: null, matchExpressions: null }, true],
        ["a missing selector selects nothing", undefined, false],
        ["a null selector selects nothing", null, false],
    ];
    for (const [what, selector, expected] of cases) {
        it(what, () => assert.strictEqual(selectorMatches(selector as any, labels), expected));
    }
});

describe("disruption arithmetic (GetScaledValueFromIntOrPercent, roundUp=true)", () => {
    const cases: Array<[object, number, number]> = [
        [{ minAvailable: "67%" }, 3, 0], [{ minAvailable: "66%" }, 3, 1], [{ minAvailable: "50%" }, 1, 0], [{ minAvailable: "50%" }, 4, 2],
        [{ minAvailable: 2 }, 3, 1], [{ minAvailable: 5 }, 3, 0], [{ minAvailable: 0 }, 2, 2], [{ minAvailable: "0%" }, 2, 2],
        [{ maxUnavailable: "10%" }, 3, 1], [{ maxUnavailable: "50%" }, 3, 2], [{ maxUnavailable: 5 }, 3, 3], [{ maxUnavailable: 0 }, 3, 0], [{}, 3, 0],
    ];
    for (const [budget, pods, allowed] of cases) {
        it(`${JSON.stringify(budget)} of ${pods} pods allows ${allowed}`, () => assert.strictEqual(allowedDisruptions(budget, pods), allowed));
    }
});

describe("daemonset-tolerates-all-taints remediation", () => {
    it("adds the toleration and drops time-limited ones, after which the rule passes", () => {
        const broken = daemonSet((o) => (o.spec.template.spec.tolerations = [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }, { operator: "Exists", tolerationSeconds: 5 }]));
        const fixed = tolerate.remediate!(broken);
        assert.deepStrictEqual((fixed.spec as any).template.spec.tolerations, [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }, { operator: "Exists" }]);
        assert.deepStrictEqual(tolerate.check(subjectOf(fixed)), []);
        assert.strictEqual((fixed.spec as any).template.spec.containers.length, 1, "the rest of the pod spec is kept");
    });

    it("says PreferNoSchedule is only a soft preference and names the taints it tolerates by key", () => {
        const [f] = tolerate.check(subjectOf(daemonSet((o) => (o.spec.template.spec.tolerations = [{ key: "dedicated", operator: "Exists" }]))));
        assert.match(f.message, /PreferNoSchedule taint is only a soft preference/);
        assert.match(f.message, /other than dedicated/);
        assert.doesNotMatch(f.message, /\(\)|, \)|\[\]| \/|\/ /, "no empty list or namespace");
    });
});

describe("helm-release-is-inspectable", () => {
    it("flags a helm.v3.Release, naming its namespace, name and chart", () => {
        const release = { type: "kubernetes:helm.sh/v3:Release", name: "cm", object: { chart: "cert-manager", namespace: "tls", name: "cm-rel" } };
        assert.ok(helmReleaseIsInspectable.appliesTo(release));
        assert.match(helmReleaseIsInspectable.check(release)[0].message, /^Release tls\/cm-rel installs chart cert-manager as an opaque helm\.v3\.Release/);
    });

    it("leaves v4 Charts and plain objects alone", () => {
        assert.strictEqual(helmReleaseIsInspectable.appliesTo({ type: "kubernetes:helm.sh/v4:Chart", name: "x", object: {} }), false);
        assert.strictEqual(helmReleaseIsInspectable.appliesTo(subjectOf(daemonSet())), false);
    });
});

describe("pack config", () => {
    const problems = (config: unknown) => validatePackConfig(config, NAMES);

    it("accepts levels, exemptions naming kind/namespace/name or a urn, and all", () => {
        assert.deepStrictEqual(problems({
            all: "advisory",
            "stateful-workload-has-pdb": { enforcementLevel: "mandatory", exemptions: [{ kind: "StatefulSet", namespace: "data", name: "db", reason: "cache" }, { urn: "x", reason: "y" }] },
            "pod-covered-by-one-pdb": "disabled",
        }), []);
    });

    it("rejects a misspelt level for all, which would otherwise downgrade every rule", () => {
        assert.deepStrictEqual(problems({ all: "mandtory" }), ['all: enforcement level "mandtory" is not one of advisory, mandatory, remediate, disabled']);
    });

    it("rejects unknown rules, keys and fields everywhere", () => {
        assert.match(problems({ "statefull-workload-has-pdb": {} })[0], /unknown rule "statefull-workload-has-pdb"/);
        assert.match(problems({ "stateful-workload-has-pdb": { enforcmentLevel: "advisory" } })[0], /stateful-workload-has-pdb\.enforcmentLevel: unknown key/);
        assert.match(problems({ all: { exemptions: [] } })[0], /all\.exemptions: unknown key/);
        assert.match(problems({ "stateful-workload-has-pdb": { exemptions: [{ kind: "A", namespace: "b", name: "c", reason: "r", nmae: "x" }] } })[0], /exemptions\[0\]\.nmae: unknown field/);
        assert.match(problems({ "stateful-workload-has-pdb": { enforcementLevel: "strict" } })[0], /enforcementLevel: "strict" is not one of/);
        assert.match(problems({ "stateful-workload-has-pdb": 3 })[0], /must be an enforcement level/);
        assert.match(problems([])[0], /must be an object/);
    });

    it("requires a reason and says precisely what an exemption without kind/namespace would cover", () => {
        assert.match(problems({ "stateful-workload-has-pdb": { exemptions: [{ kind: "A", namespace: "b", name: "c" }] } })[0], /exemptions\[0\]\.reason: every exemption needs a reason/);
        assert.deepStrictEqual(problems({ "stateful-workload-has-pdb": { exemptions: [{ name: "db", reason: "r" }] } }),
            ['stateful-workload-has-pdb.exemptions[0]: names no kind or namespace, so it would cover every kind named db in every namespace; name them, or write "*" to mean that']);
        assert.match(problems({ "stateful-workload-has-pdb": { exemptions: [{ urn: "x", name: "db", reason: "r" }] } })[0], /either urn or kind\/namespace\/name/);
    });

    it("describes what an exemption covers", () => {
        assert.strictEqual(coverage({ kind: "StatefulSet", namespace: "data", name: "db", reason: "" }), "StatefulSet named db in namespace data");
        assert.strictEqual(coverage({ kind: "*", namespace: "*", name: "db", reason: "" }), "every kind named db in every namespace");
        assert.strictEqual(coverage({ urn: "cm", reason: "" }), "every Pulumi resource whose URN ends with ::cm");
    });
});

describe("the engine", () => {
    const broken = () => subjects(daemonSet((o) => (o.spec.template.spec.tolerations = [])));

    it("applies exemptions by resource with their reason, never silently", () => {
        const config = { "daemonset-tolerates-all-taints": { exemptions: [{ kind: "DaemonSet", namespace: "logging", name: "agent", reason: "tainted pool only" }] } };
        const report = evaluate(broken(), config);
        assert.deepStrictEqual(report.violations.filter((v) => v.rule === "daemonset-tolerates-all-taints"), []);
        assert.deepStrictEqual(report.exempted.map((e) => e.reason), ["tainted pool only"]);
    });

    it("an exemption for another resource, or one that names too little, does not apply", () => {
        for (const e of [{ kind: "DaemonSet", namespace: "logging", name: "other", reason: "x" }, { name: "agent", reason: "x" }]) {
            assert.strictEqual(evaluate(broken(), { "daemonset-tolerates-all-taints": { exemptions: [e] } }).violations.filter((v) => v.level === "mandatory").length, 1);
        }
    });

    it("a \"*\" exemption covers what it says", () => {
        const report = evaluate(broken(), { "daemonset-tolerates-all-taints": { exemptions: [{ kind: "DaemonSet", namespace: "*", name: "*", reason: "x" }] } });
        assert.strictEqual(report.exempted.length, 1);
    });

    it("honours enforcement levels per rule and for all, the rule's own entry winning", () => {
        const objects = subjects(statefulSet());
        assert.strictEqual(evaluate(objects, { "stateful-workload-has-pdb": { enforcementLevel: "advisory" } }).violations[0].level, "advisory");
        assert.strictEqual(evaluate(objects, { "stateful-workload-has-pdb": "disabled" }).violations.length, 0);
        assert.strictEqual(evaluate(objects, { all: "advisory" }).violations[0].level, "advisory");
        assert.strictEqual(evaluate(objects, { all: "advisory", "stateful-workload-has-pdb": "mandatory" }).violations[0].level, "mandatory");
    });

    it("the new replicated-deployment-has-pdb rule is advisory", () => {
        const [v] = evaluate(subjects(deployment("web", "apps", { replicas: 3 }))).violations;
        assert.deepStrictEqual([v.rule, v.level], ["replicated-deployment-has-pdb", "advisory"]);
    });
});

describe("enforcement levels that fail a run", () => {
    it("mandatory and remediate block, advisory and disabled do not", () => {
        assert.deepStrictEqual(["mandatory", "remediate", "advisory", "disabled"].map((l) => blocks(l as any)), [true, true, false, false]);
    });
});

describe("each rule", () => {
    for (const rule of RULES) {
        it(`${rule.name}: lives in its own file under its kebab-case name, says what it wants in one sentence, and its JSDoc gives the reason and a link`, () => {
            assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/);
            const source = fs.readFileSync(path.join(ROOT, "policies", `${rule.name}.ts`), "utf8");
            assert.ok(source.includes(`name: "${rule.name}"`), "the file defines the rule");
            assert.match(rule.description, /^[A-Z].*\.$/, "a sentence");
            assert.doesNotMatch(rule.description, /[.!?]\s+[A-Z]/, "only one");
            assert.ok(["advisory", "mandatory", "remediate", "disabled"].includes(rule.enforcementLevel));
            const jsdoc = /\/\*\*([\s\S]*?)\*\/\s*export const/.exec(source)?.[1] ?? "";
            assert.match(jsdoc, /https:\/\/\S+/, "the JSDoc links to where the reason is documented");
        });
    }
});
