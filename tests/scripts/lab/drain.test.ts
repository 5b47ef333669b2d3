import * as assert from "assert";
import { describePdb, pdbsBelowFloor, pdbsOf } from "../../../scripts/lab/drain";

type Obj = Record<string, any>;

const POD = { metadata: { namespace: "graylog", name: "graylog-mongodb-0", labels: { app: "graylog-mongodb-svc", tier: "db" } } };
const pdb = (selector: Obj | undefined, namespace = "graylog", name = "graylog-mongodb"): Obj => ({ metadata: { namespace, name }, spec: { maxUnavailable: 1, ...(selector ? { selector } : {}) } });
const expr = (key: string, operator: string, values?: string[]) => ({ matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] });
const selects = (selector: Obj | undefined, pod: Obj = POD) => pdbsOf(pod, [pdb(selector)]).length === 1;

describe("lab drain: pdbsOf", () => {
    it("selects a pod by the PDB's matchLabels", () => {
        assert.ok(selects({ matchLabels: { app: "graylog-mongodb-svc" } }));
    });

    it("does not select a pod of another namespace with the same labels", () => {
        assert.deepStrictEqual(pdbsOf(POD, [pdb({ matchLabels: { app: "graylog-mongodb-svc" } }, "logging")]), []);
    });

    it("does not select a pod whose label has another value", () => {
        assert.ok(!selects({ matchLabels: { app: "graylog" } }));
    });

    it("does not select a pod that lacks one of the matchLabels", () => {
        assert.ok(!selects({ matchLabels: { app: "graylog-mongodb-svc", zone: "a" } }));
    });

    it("does not select a pod without labels by matchLabels", () => {
        assert.ok(!selects({ matchLabels: { app: "graylog-mongodb-svc" } }, { metadata: { namespace: "graylog", name: "bare" } }));
    });

    it("selects by In when the pod's value is one of the values, and not otherwise", () => {
        assert.ok(selects(expr("tier", "In", ["cache", "db"])));
        assert.ok(!selects(expr("tier", "In", ["cache", "web"])));
        assert.ok(!selects(expr("zone", "In", ["a"])));
    });

    it("selects by NotIn when the pod's value is none of the values or the label is absent", () => {
        assert.ok(selects(expr("tier", "NotIn", ["cache", "web"])));
        assert.ok(selects(expr("zone", "NotIn", ["a"])));
        assert.ok(!selects(expr("tier", "NotIn", ["db"])));
    });

    it("selects by Exists when the pod has the label, whatever its value", () => {
        assert.ok(selects(expr("tier", "Exists")));
        assert.ok(!selects(expr("zone", "Exists")));
    });

    it("selects by DoesNotExist when the pod lacks the label", () => {
        assert.ok(selects(expr("zone", "DoesNotExist")));
        assert.ok(!selects(expr("tier", "DoesNotExist")));
    });

    it("needs matchLabels and every expression to hold", () => {
        const both = (tierValues: string[]) => ({ matchLabels: { app: "graylog-mongodb-svc" }, matchExpressions: [{ key: "tier", operator: "In", values: tierValues }, { key: "zone", operator: "DoesNotExist" }] });
        assert.ok(selects(both(["db"])));
        assert.ok(!selects(both(["web"])));
        assert.ok(!selects({ ...both(["db"]), matchLabels: { app: "graylog" } }));
    });

    it("selects every pod of its namespace with an empty selector, as policy/v1 does", () => {
        assert.ok(selects({}));
    });

    it("selects no pod without a selector", () => {
        assert.ok(!selects(undefined));
    });

    it("returns every PDB that selects the pod, in the order given", () => {
        const byApp = pdb({ matchLabels: { app: "graylog-mongodb-svc" } }, "graylog", "by-app");
        const other = pdb({ matchLabels: { app: "graylog" } }, "graylog", "other");
        const byTier = pdb({ matchLabels: { tier: "db" } }, "graylog", "by-tier");
        assert.deepStrictEqual(pdbsOf(POD, [byApp, other, byTier]), [byApp, byTier]);
    });
});

const STATUS = { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 };
/** A PDB as the API server returns it; `null` for one the disruption controller has not reported on. */
const budget = (spec: Obj, status: Obj | null = STATUS): Obj => ({ metadata: { namespace: "graylog", name: "graylog-mongodb" }, spec: { selector: { matchLabels: { app: "graylog-mongodb-svc" } }, ...spec }, ...(status ? { status } : {}) });

describe("lab drain: describePdb", () => {
    it("names a maxUnavailable PDB with its rule and what the disruption controller reports", () => {
        assert.strictEqual(describePdb(budget({ maxUnavailable: 1 })), "PodDisruptionBudget graylog/graylog-mongodb (maxUnavailable 1; 3 healthy of 3, 1 disruptions allowed)");
    });

    it("names a minAvailable PDB with its rule", () => {
        assert.strictEqual(describePdb(budget({ minAvailable: 2 })), "PodDisruptionBudget graylog/graylog-mongodb (minAvailable 2; 3 healthy of 3, 1 disruptions allowed)");
    });

    it("keeps maxUnavailable 0 and percentages as written", () => {
        assert.strictEqual(describePdb(budget({ maxUnavailable: 0 }, { ...STATUS, disruptionsAllowed: 0 })), "PodDisruptionBudget graylog/graylog-mongodb (maxUnavailable 0; 3 healthy of 3, 0 disruptions allowed)");
        assert.strictEqual(describePdb(budget({ minAvailable: "50%" })), "PodDisruptionBudget graylog/graylog-mongodb (minAvailable 50%; 3 healthy of 3, 1 disruptions allowed)");
    });

    it("says what it does not know yet for a PDB without status, and no disruption allowed", () => {
        assert.strictEqual(describePdb(budget({ maxUnavailable: 1 }, null)), "PodDisruptionBudget graylog/graylog-mongodb (maxUnavailable 1; ? healthy of ?, 0 disruptions allowed)");
    });
});

describe("lab drain: pdbsBelowFloor", () => {
    it("reports a PDB with fewer healthy pods than it needs, described", () => {
        const below = budget({ maxUnavailable: 1 }, { currentHealthy: 1, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 });
        assert.deepStrictEqual(pdbsBelowFloor([below]), ["PodDisruptionBudget graylog/graylog-mongodb (maxUnavailable 1; 1 healthy of 3, 0 disruptions allowed)"]);
    });

    it("passes a PDB exactly at its floor", () => {
        assert.deepStrictEqual(pdbsBelowFloor([budget({ maxUnavailable: 1 }, { currentHealthy: 2, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 })]), []);
    });

    it("passes a PDB above its floor", () => {
        assert.deepStrictEqual(pdbsBelowFloor([budget({ maxUnavailable: 1 })]), []);
    });

    it("passes a PDB the disruption controller has not reported on yet", () => {
        assert.deepStrictEqual(pdbsBelowFloor([budget({ maxUnavailable: 1 }, null)]), []);
    });
});
