import * as assert from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { toCrossGuard } from "../../policies/crossguard";
import { daemonsetToleratesAllTaints } from "../../policies/daemonset-tolerates-all-taints";
import { RULES } from "../../policies/rules";
import { statefulWorkloadHasPdb } from "../../policies/stateful-workload-has-pdb";
import { daemonSet, pdb, statefulSet } from "./fixtures";

// The policy SDK's own preview machinery: props wrapped so that reading an unknown throws.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { unknownArrayValue, unknownCheckingProxy } = require("@pulumi/policy/proxy") as {
    unknownArrayValue: any;
    unknownCheckingProxy: <T>(o: T) => T;
};

class NotApplicable extends Error {}

function resourceArgs(type: string, props: Record<string, any>, config: object = {}) {
    return {
        type,
        props: unknownCheckingProxy(props),
        urn: `urn:pulumi:dev::observability-platform::${type}::x`,
        name: "x",
        opts: {},
        stackTags: new Map(),
        getConfig: () => config,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    } as any;
}

function validateResource(policy: ResourceValidationPolicy, args: any): string[] {
    const messages: string[] = [];
    const validate = policy.validateResource as (a: any, r: (m: string) => void) => void;
    validate(args, (m) => messages.push(m));
    return messages;
}

function validateStack(policy: StackValidationPolicy, resources: Array<{ type: string; name: string; props: any }>, config: object = {}) {
    const messages: string[] = [];
    let notApplicable: string | undefined;
    try {
        policy.validateStack!({
            resources: resources.map((r) => ({ ...r, props: unknownCheckingProxy(r.props), urn: `urn:pulumi:dev::p::${r.type}::${r.name}`, opts: {}, dependencies: [], propertyDependencies: {} })),
            stackTags: new Map(),
            getConfig: () => config,
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        } as any, (m: string) => messages.push(m));
    } catch (err) {
        if (!(err instanceof NotApplicable)) throw err;
        notApplicable = err.message;
    }
    return { messages, notApplicable };
}

const DS = "kubernetes:apps/v1:DaemonSet";
const tolerate = toCrossGuard(daemonsetToleratesAllTaints) as ResourceValidationPolicy;
const hasPdb = toCrossGuard(statefulWorkloadHasPdb) as StackValidationPolicy;

describe("CrossGuard wrappers", () => {
    it("exposes every rule with its fixed name, description and enforcement level", () => {
        const policies = RULES.map(toCrossGuard);
        assert.deepStrictEqual(policies.map((p) => p.name), [
            "daemonset-tolerates-all-taints", "stateful-workload-has-pdb", "pdb-allows-voluntary-disruption",
            "pod-covered-by-one-pdb", "helm-release-is-inspectable", "node-agent-requests-and-priority",
        ]);
        assert.deepStrictEqual(policies.map((p) => p.enforcementLevel), ["mandatory", "mandatory", "mandatory", "mandatory", "advisory", "advisory"]);
        for (const p of policies) {
            assert.match(p.description ?? "", /^[A-Z].*\.$/, p.name);
            assert.ok(p.configSchema?.properties?.exemptions, `${p.name} accepts exemptions`);
        }
    });

    it("reports a DaemonSet (as a v4 Chart child would arrive) that does not tolerate every taint", () => {
        const messages = validateResource(tolerate, resourceArgs(DS, daemonSet((o) => (o.spec.template.spec.tolerations = []))));
        assert.strictEqual(messages.length, 1);
        assert.match(messages[0], /does not tolerate every taint/);
    });

    it("passes a compliant DaemonSet and ignores other resource types", () => {
        assert.deepStrictEqual(validateResource(tolerate, resourceArgs(DS, daemonSet())), []);
        assert.deepStrictEqual(validateResource(tolerate, resourceArgs("random:index/randomPassword:RandomPassword", { length: 3 })), []);
    });

    it("skips an exempted resource", () => {
        const args = resourceArgs(DS, daemonSet((o) => (o.spec.template.spec.tolerations = [])), { exemptions: [{ name: "agent", reason: "test" }] });
        assert.deepStrictEqual(validateResource(tolerate, args), []);
    });

    it("says what it could not check when a value is unknown during preview, instead of throwing", () => {
        const args = resourceArgs(DS, daemonSet((o) => (o.spec.template.spec.tolerations = unknownArrayValue)));
        assert.throws(() => validateResource(tolerate, args), (err: Error) =>
            err instanceof NotApplicable && /could not check DaemonSet .*during preview: .*tolerations can't be known during preview/.test(err.message));
    });

    it("remediates by adding the toleration", () => {
        const fixed = tolerate.remediateResource!(resourceArgs(DS, daemonSet((o) => (o.spec.template.spec.tolerations = [])))) as any;
        assert.deepStrictEqual(fixed.spec.template.spec.tolerations, [{ operator: "Exists" }]);
        assert.strictEqual(tolerate.remediateResource!(resourceArgs(DS, daemonSet())), undefined, "a compliant object is left alone");
    });

    it("stack rule reports each uncovered workload against its own URN", () => {
        const { messages } = validateStack(hasPdb, [
            { type: "kubernetes:apps/v1:StatefulSet", name: "db", props: statefulSet() },
            { type: "kubernetes:apps/v1:StatefulSet", name: "cache", props: statefulSet("cache") },
            { type: "kubernetes:policy/v1:PodDisruptionBudget", name: "db-pdb", props: pdb("db", "data", { selector: { matchLabels: { app: "db" } } }) },
        ]);
        assert.strictEqual(messages.length, 1);
        assert.match(messages[0], /StatefulSet data\/cache/);
    });

    it("stack rule checks the known resources and names the unknown ones", () => {
        const unknownPdb = pdb("db", "data", {});
        (unknownPdb as any).spec.selector = unknownArrayValue;
        const withViolation = validateStack(hasPdb, [
            { type: "kubernetes:apps/v1:StatefulSet", name: "db", props: statefulSet() },
            { type: "kubernetes:policy/v1:PodDisruptionBudget", name: "db-pdb", props: unknownPdb },
        ]);
        assert.match(withViolation.messages[0], /Not checked during preview: db-pdb/);
        const clean = validateStack(hasPdb, [{ type: "kubernetes:policy/v1:PodDisruptionBudget", name: "db-pdb", props: unknownPdb }]);
        assert.deepStrictEqual(clean.messages, []);
        assert.match(clean.notApplicable ?? "", /could not check 1 resource\(s\) during preview: db-pdb/);
    });

    it("stack rule honours exemptions from the pack config", () => {
        const { messages } = validateStack(hasPdb, [{ type: "kubernetes:apps/v1:StatefulSet", name: "db", props: statefulSet() }],
            { exemptions: [{ kind: "StatefulSet", namespace: "data", name: "db", reason: "scratch data" }] });
        assert.deepStrictEqual(messages, []);
    });
});
