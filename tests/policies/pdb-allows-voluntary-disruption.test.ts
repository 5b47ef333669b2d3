import * as assert from "assert";
import { KubeObject } from "../../policies/lib/kube";
import { evaluate } from "../../policies/rules";
import { daemonSet, pdb, statefulSet, subjects } from "./fixtures";

const RULE = "pdb-allows-voluntary-disruption";
const messages = (...objects: KubeObject[]) => evaluate(subjects(...objects)).violations.filter((v) => v.rule === RULE).map((v) => v.message);
const DRAIN = "so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1.";
const db = { matchLabels: { app: "db" } };

describe("pdb-allows-voluntary-disruption", () => {
    it("a PDB over DaemonSet pods, or over no pods, has nothing to compute", () => {
        assert.deepStrictEqual(messages(daemonSet(), pdb("a", "logging", { selector: { matchLabels: { app: "agent" } }, maxUnavailable: undefined, minAvailable: 1 })), []);
        assert.deepStrictEqual(messages(pdb("a", "data", { selector: db, maxUnavailable: undefined, minAvailable: 5 })), []);
        assert.deepStrictEqual(messages(statefulSet("db", "data", 0), pdb("a", "data", { selector: db, maxUnavailable: undefined, minAvailable: 1 })), [], "no pods to evict");
    });

    it("rejects a count or percentage the API server rejects, listing every problem", () => {
        const rejected = (why: string) => `PodDisruptionBudget data/a is rejected by the API server (${why}), so it protects nothing. Fix the spec; use maxUnavailable: 1.`;
        const NOT_A_COUNT = "is not a non-negative integer or a percentage from 0% to 100%";
        for (const value of ["150%", "x5%", "5%x", -1, 1.5]) {
            assert.deepStrictEqual(messages(statefulSet(), pdb("a", "data", { selector: db, maxUnavailable: value })), [rejected(`maxUnavailable: ${JSON.stringify(value)} ${NOT_A_COUNT}`)]);
        }
        assert.deepStrictEqual(messages(statefulSet(), pdb("a", "data", { maxUnavailable: "100%", selector: db })), [], "100% is a percentage");
        const everything = pdb("a", "data", { maxUnavailable: "150%", minAvailable: -1, selector: { matchExpressions: [{ key: "a", operator: "In" }] } });
        assert.deepStrictEqual(messages(statefulSet(), everything), [rejected("minAvailable and maxUnavailable cannot both be set; " +
            `minAvailable: -1 ${NOT_A_COUNT}; maxUnavailable: "150%" ${NOT_A_COUNT}; selector: a In needs at least one value`)]);
    });

    it("counts only the pods every matchLabels entry selects", () => {
        assert.deepStrictEqual(messages(statefulSet(), pdb("a", "data", { selector: { matchLabels: { app: "db", tier: "x" } }, maxUnavailable: undefined, minAvailable: 3 })), []);
    });

    it("a null maxUnavailable is unset: minAvailable 1 of 1 pod blocks, in the singular", () => {
        assert.deepStrictEqual(messages(statefulSet("db", "data", 1), pdb("a", "data", { selector: db, maxUnavailable: null, minAvailable: 1 })),
            [`PodDisruptionBudget data/a sets minAvailable: 1 for 1 pod of StatefulSet data/db, which allows no eviction, ${DRAIN}`]);
        assert.deepStrictEqual(messages(statefulSet(), pdb("a", "data", { selector: db, maxUnavailable: null, minAvailable: null })),
            [`PodDisruptionBudget data/a sets neither minAvailable nor maxUnavailable: nothing defaults them, and the disruption controller then allows no eviction, ${DRAIN}`]);
        assert.deepStrictEqual(messages(statefulSet(), pdb("a", "data", { selector: db, maxUnavailable: 2 })), []);
    });

    it("a policy/v1 PodDisruptionBudgetPatch is judged only on values that block whatever it selects", () => {
        const patch = (spec: object, apiVersion = "policy/v1"): KubeObject => ({ apiVersion, kind: "PodDisruptionBudgetPatch", metadata: { name: "p", namespace: "data" }, spec });
        assert.deepStrictEqual(messages(
            patch({ minAvailable: "100%" }), patch({}), patch({ minAvailable: "100%" }, "example.com/v1"), patch({ maxUnavailable: 1 }),
            patch({ minAvailable: null, maxUnavailable: null }), patch({ minAvailable: 3 }), patch({ maxUnavailable: 0 }),
        ), [
            `PodDisruptionBudgetPatch data/p sets minAvailable: "100%", which allows no eviction, ${DRAIN}`,
            `PodDisruptionBudgetPatch data/p sets maxUnavailable: 0, which allows no eviction, ${DRAIN}`,
        ]);
    });
});
