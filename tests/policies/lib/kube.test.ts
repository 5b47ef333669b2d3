import * as assert from "assert";
import { attempt, describe as describeSubject, isUnknown, isUnknownValueError, namespaceOf, plain, podTemplateOf, selectorProblem, subjectOf, typeOf } from "../../../policies/lib/kube";

describe("objects as the rules see them", () => {
    it("a manifest's type token uses core for the legacy group", () => {
        assert.strictEqual(typeOf({ apiVersion: "v1", kind: "Pod" }), "kubernetes:core/v1:Pod");
        assert.strictEqual(typeOf({ apiVersion: "apps/v1", kind: "DaemonSet" }), "kubernetes:apps/v1:DaemonSet");
        assert.strictEqual(typeOf({}), "kubernetes:core/:");
    });

    it("an unnamed manifest is named after its source, else (unnamed)", () => {
        assert.strictEqual(subjectOf({ metadata: { name: "db" } }, "a.yaml").name, "db");
        assert.strictEqual(subjectOf({}, "a.yaml").name, "a.yaml");
        assert.strictEqual(subjectOf({}).name, "(unnamed)");
    });

    it("an unset, null or empty namespace is default", () => {
        for (const namespace of [undefined, null, ""]) {
            assert.strictEqual(namespaceOf(subjectOf({ kind: "Pod", metadata: { namespace: namespace as any } })), "default");
        }
        assert.strictEqual(namespaceOf(subjectOf({ kind: "Pod" })), "default");
        assert.strictEqual(describeSubject({ type: "kubernetes:core/v1:Pod", name: "p", object: {} }), "Pod default/p");
    });

    it("finds the pod template of every workload kind, and of nothing else", () => {
        const template = { metadata: { labels: { a: "b" } } };
        for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]) {
            assert.strictEqual(podTemplateOf({ spec: { template } }, kind), template, kind);
            assert.strictEqual(podTemplateOf({}, kind), undefined, `${kind} without a spec`);
        }
        assert.strictEqual(podTemplateOf({ spec: { jobTemplate: { spec: { template } } } }, "CronJob"), template);
        assert.strictEqual(podTemplateOf({ spec: { jobTemplate: {} } }, "CronJob"), undefined);
        assert.strictEqual(podTemplateOf({}, "CronJob"), undefined);
        assert.strictEqual(podTemplateOf({ spec: {} }, "CronJob"), undefined);
        assert.strictEqual(podTemplateOf({ spec: { template } }, "Pod"), undefined);
    });
});

describe("selectors the API server rejects", () => {
    const problem = (operator: unknown, values?: unknown) => selectorProblem({ matchExpressions: [{ key: "app", operator, values } as any] });

    it("an unknown or missing operator", () => {
        assert.strictEqual(problem("Equals", ["db"]), 'operator "Equals" is not one of In, NotIn, Exists, DoesNotExist');
        assert.strictEqual(selectorProblem({ matchExpressions: [null as any] }), "operator undefined is not one of In, NotIn, Exists, DoesNotExist");
    });

    it("In and NotIn without values, Exists and DoesNotExist with values", () => {
        assert.strictEqual(problem("NotIn"), "app NotIn needs at least one value");
        assert.strictEqual(problem("In", null), "app In needs at least one value");
        assert.strictEqual(problem("Exists", ["x"]), "app Exists must have no values");
        assert.strictEqual(problem("DoesNotExist", ["x"]), "app DoesNotExist must have no values");
    });

    it("accepts valid expressions and no selector", () => {
        assert.strictEqual(problem("In", ["db"]), undefined);
        assert.strictEqual(problem("Exists"), undefined);
        assert.strictEqual(problem("DoesNotExist", []), undefined);
        assert.strictEqual(selectorProblem(undefined), undefined);
    });
});

describe("values unknown during preview", () => {
    class UnknownValueError extends Error {}

    it("only the SDK's UnknownValueError becomes an Unknown; other errors propagate", () => {
        const u = attempt(() => { throw new UnknownValueError("spec.replicas"); });
        assert.ok(isUnknown(u));
        assert.strictEqual(u.unknown, "spec.replicas");
        assert.throws(() => attempt(() => { throw new Error("boom"); }), /boom/);
        assert.strictEqual(isUnknownValueError({ constructor: { name: "UnknownValueError" } }), false, "only an Error");
        assert.strictEqual(isUnknown({ unknown: "x" }), false, "recognised by class, not by a look-alike object");
    });

    it("a plain copy keeps undefined and copies values", () => {
        assert.strictEqual(plain(undefined), undefined);
        assert.deepStrictEqual(plain({ a: [1] }), { a: [1] });
    });
});
