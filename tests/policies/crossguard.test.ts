import * as assert from "assert";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { subjectsOf, toCrossGuard } from "../../policies/crossguard";
import { daemonsetToleratesAllTaints } from "../../policies/daemonset-tolerates-all-taints";
import { nodeAgentRequestsAndPriority } from "../../policies/node-agent-requests-and-priority";
import { pdbAllowsVoluntaryDisruption } from "../../policies/pdb-allows-voluntary-disruption";
import { RULES } from "../../policies/rules";
import { statefulWorkloadHasPdb } from "../../policies/stateful-workload-has-pdb";
import { crossGuardMessages, resourceOf, runResource, runStack, sdk } from "./crossguard-harness";
import { daemonSet, pdb, statefulSet } from "./fixtures";

const DS = "kubernetes:apps/v1:DaemonSet";
const tolerate = toCrossGuard(daemonsetToleratesAllTaints) as ResourceValidationPolicy;
const agent = toCrossGuard(nodeAgentRequestsAndPriority) as ResourceValidationPolicy;
const hasPdb = toCrossGuard(statefulWorkloadHasPdb) as StackValidationPolicy;
const allows = toCrossGuard(pdbAllowsVoluntaryDisruption) as StackValidationPolicy;
const dbPdb = (change: (spec: any, o: any) => void = () => undefined) => {
    const o: any = pdb("db", "data", { selector: { matchLabels: { app: "db" } } });
    change(o.spec, o);
    return o;
};

describe("CrossGuard wrappers", () => {
    it("expose every rule with its fixed name, description and enforcement level", () => {
        const policies = RULES.map(toCrossGuard);
        assert.deepStrictEqual(policies.map((p) => `${p.name}:${p.enforcementLevel}`), [
            "daemonset-tolerates-all-taints:mandatory", "stateful-workload-has-pdb:mandatory", "pdb-allows-voluntary-disruption:mandatory",
            "pod-covered-by-one-pdb:mandatory", "helm-release-is-inspectable:advisory", "node-agent-requests-and-priority:advisory", "replicated-deployment-has-pdb:advisory",
            "pdb-evicts-unhealthy-pods:advisory",
        ]);
        for (const p of policies) {
            assert.match(p.description ?? "", /^[A-Z].*\.$/, p.name);
            assert.ok(p.configSchema?.properties?.exemptions, `${p.name} accepts exemptions`);
        }
    });

    it("ignore other providers' resources and honour exemptions", () => {
        assert.deepStrictEqual(runResource(tolerate, { type: "random:index/randomPassword:RandomPassword", name: "p", props: { length: 3 } }).messages, []);
        const broken = resourceOf(daemonSet((o) => (o.spec.template.spec.tolerations = [])));
        assert.deepStrictEqual(runResource(tolerate, broken, { exemptions: [{ kind: "DaemonSet", namespace: "logging", name: "agent", reason: "test" }] }).messages, []);
        assert.deepStrictEqual(runStack(hasPdb, [resourceOf(statefulSet())], { exemptions: [{ kind: "StatefulSet", namespace: "data", name: "db", reason: "scratch" }] }).messages, []);
    });

    it("remediate by adding the toleration, and leave a compliant object alone", () => {
        const args = (props: any) => ({ type: DS, props: sdk.unknownCheckingProxy(props), urn: "u", name: "agent", getConfig: () => ({}) } as any);
        assert.deepStrictEqual((tolerate.remediateResource!(args(daemonSet((o) => (o.spec.template.spec.tolerations = [])))) as any).spec.template.spec.tolerations, [{ operator: "Exists" }]);
        assert.strictEqual(tolerate.remediateResource!(args(daemonSet())), undefined);
    });

    it("report stack findings against each workload's own URN", () => {
        const r = runStack(hasPdb, [resourceOf(statefulSet()), resourceOf(statefulSet("cache"))]);
        assert.deepStrictEqual(r.urns, ["urn:pulumi:dev::observability-platform::kubernetes:apps/v1:StatefulSet::db", "urn:pulumi:dev::observability-platform::kubernetes:apps/v1:StatefulSet::cache"]);
    });

    describe("values unknown during preview matter only where a rule reads them", () => {
        it("an unknown annotation or status hides nothing: the PDB still covers its StatefulSet", () => {
            const p = dbPdb((_, o) => {
                o.metadata.annotations = { note: sdk.unknownStringValue };
                o.status = sdk.unknownObjectValue;
            });
            assert.deepStrictEqual(runStack(hasPdb, [resourceOf(statefulSet()), resourceOf(p)]), { messages: [], urns: [] });
        });

        it("an unknown selector makes coverage unknown, never a violation", () => {
            const r = runStack(hasPdb, [resourceOf(statefulSet()), resourceOf(dbPdb((s) => (s.selector = sdk.unknownObjectValue)))]);
            assert.deepStrictEqual(r.messages, []);
            assert.match(r.notApplicable ?? "", /StatefulSet data\/db: PodDisruptionBudget data\/db may select its pods/);
        });

        it("known violations are still reported beside unknown ones, with a note", () => {
            const r = runStack(hasPdb, [resourceOf(statefulSet("cache")), resourceOf(statefulSet()), resourceOf(dbPdb((_, o) => (o.metadata.namespace = sdk.unknownStringValue)))]);
            assert.strictEqual(r.messages.length, 0, "cache may be covered by the PDB whose namespace is unknown");
            const known = runStack(hasPdb, [resourceOf(statefulSet("cache", "other")), resourceOf(dbPdb((s) => (s.selector = sdk.unknownObjectValue)))]);
            assert.strictEqual(known.messages.length, 1);
            assert.match(known.messages[0], /StatefulSet other\/cache is stateful/);
        });

        it("an unknown minAvailable leaves only that PDB unchecked", () => {
            const r = runStack(allows, [resourceOf(statefulSet()), resourceOf(dbPdb((s) => (s.maxUnavailable = sdk.unknownNumberValue))), resourceOf(pdb("z", "data", { maxUnavailable: 0, selector: {} }))]);
            assert.strictEqual(r.messages.length, 1);
            assert.match(r.messages[0], /PodDisruptionBudget data\/z sets maxUnavailable: 0.*Not checked during preview: PodDisruptionBudget data\/db: number value at \.spec\.maxUnavailable/);
        });

        it("a DaemonSet with known, wrong tolerations fails even when a label is unknown", () => {
            const ds = daemonSet((o) => {
                o.spec.template.spec.tolerations = [];
                o.spec.template.metadata.labels.version = sdk.unknownStringValue;
                o.metadata.labels = { x: sdk.unknownStringValue };
            });
            assert.match(runResource(tolerate, resourceOf(ds)).messages[0], /DaemonSet logging\/agent does not tolerate every taint/);
        });

        it("unknown tolerations are not checked, and say so", () => {
            const r = runResource(tolerate, resourceOf(daemonSet((o) => (o.spec.template.spec.tolerations = sdk.unknownArrayValue))));
            assert.match(r.notApplicable ?? "", /could not check during preview: .*tolerations can't be known during preview/);
        });

        it("an unknown priority class does not hide a container without requests", () => {
            const ds = daemonSet((o) => {
                o.spec.template.spec.priorityClassName = sdk.unknownStringValue;
                delete o.spec.template.spec.containers[0].resources;
            });
            assert.deepStrictEqual(runResource(agent, resourceOf(ds)).messages.map((m) => m.replace(/ sets no.*/, "")), ["DaemonSet logging/agent container agent"]);
        });
    });

    describe("Patch and List resources", () => {
        it("a DaemonSetPatch is judged only on what it sets", () => {
            const patch = { metadata: { name: "agent", namespace: "logging" }, spec: { template: { spec: { priorityClassName: "system-node-critical" } } } };
            assert.deepStrictEqual(runResource(tolerate, { type: "kubernetes:apps/v1:DaemonSetPatch", name: "agent", props: patch }).messages, []);
            assert.deepStrictEqual(runResource(agent, { type: "kubernetes:apps/v1:DaemonSetPatch", name: "agent", props: patch }).messages, []);
            const wrong = { ...patch, spec: { template: { spec: { tolerations: [{ key: "a", operator: "Exists" }] } } } };
            assert.strictEqual(runResource(tolerate, { type: "kubernetes:apps/v1:DaemonSetPatch", name: "agent", props: wrong }).messages.length, 1);
        });

        it("a StatefulSetPatch is no new workload, a PodDisruptionBudgetPatch no new PDB", () => {
            const ssPatch = { type: "kubernetes:apps/v1:StatefulSetPatch", name: "db", props: { metadata: { name: "db", namespace: "data" }, spec: { replicas: 5 } } };
            assert.deepStrictEqual(crossGuardMessages([], [ssPatch])["stateful-workload-has-pdb"], []);
            const pdbPatch = { type: "kubernetes:policy/v1:PodDisruptionBudgetPatch", name: "db", props: { metadata: { name: "db", namespace: "data" }, spec: { selector: { matchLabels: { app: "db" } } } } };
            const r = crossGuardMessages([], [resourceOf(statefulSet()), pdbPatch]);
            assert.strictEqual(r["stateful-workload-has-pdb"].length, 1, "the patch creates no PDB");
            assert.deepStrictEqual(r["pdb-allows-voluntary-disruption"], [], "fields it does not set are not judged");
            const blocking = { ...pdbPatch, props: { ...pdbPatch.props, spec: { maxUnavailable: 0 } } };
            assert.match(crossGuardMessages([], [blocking])["pdb-allows-voluntary-disruption"][0], /PodDisruptionBudgetPatch data\/db sets maxUnavailable: 0/);
        });

        it("a *List is unpacked item by item", () => {
            const list = { type: "kubernetes:apps/v1:DaemonSetList", name: "agents", props: { items: [daemonSet(), daemonSet((o) => { o.metadata.name = "bad"; o.spec.template.spec.tolerations = []; })] } };
            assert.strictEqual(runResource(tolerate, list).messages.length, 1);
            const ssList = { type: "kubernetes:apps/v1:StatefulSetList", name: "dbs", props: { items: [statefulSet()] } };
            assert.match(crossGuardMessages([], [ssList])["stateful-workload-has-pdb"][0], /StatefulSet data\/db is stateful/);
        });
    });
});

describe("CrossGuard wrappers at the edges", () => {
    const NOT_KNOWN = "can't be known during preview";
    const broken = () => daemonSet((o) => (o.spec.template.spec.tolerations = []));

    it("a plain List is one object, a *List without items holds none, and items are named by index", () => {
        assert.deepStrictEqual(subjectsOf({ type: "kubernetes:core/v1:List", urn: "u", name: "l", props: { items: [] } }),
            { subjects: [{ type: "kubernetes:core/v1:List", urn: "u", name: "l", object: { items: [] } }], partial: false });
        assert.deepStrictEqual(subjectsOf({ type: "kubernetes:apps/v1:DaemonSetList", urn: "u", name: "l", props: {} }), { subjects: [], partial: false });
        const listed = subjectsOf({ type: "kubernetes:apps/v1:DaemonSetList", urn: "u", name: "l", props: { items: [{}, {}] } });
        assert.deepStrictEqual("subjects" in listed && listed.subjects.map((s) => [s.type, s.name]), [["kubernetes:apps/v1:DaemonSet", "l[0]"], ["kubernetes:apps/v1:DaemonSet", "l[1]"]]);
    });

    it("a *List whose items are unknown is not checked, and says so", () => {
        const unknownItems = (name: string) => ({ type: "kubernetes:apps/v1:StatefulSetList", name, props: { items: sdk.unknownArrayValue } });
        assert.deepStrictEqual(runResource(tolerate, { type: "kubernetes:apps/v1:DaemonSetList", name: "l", props: { items: sdk.unknownArrayValue } }),
            { messages: [], notApplicable: `could not check during preview: Array value at .items ${NOT_KNOWN}` });
        assert.deepStrictEqual(runStack(hasPdb, [unknownItems("dbs")]),
            { messages: [], urns: [], notApplicable: `could not check during preview: dbs: Array value at .items ${NOT_KNOWN}` });
        const r = runStack(hasPdb, [resourceOf(statefulSet("a")), unknownItems("dbs"), unknownItems("more")]);
        assert.strictEqual(r.notApplicable, undefined, "a known violation is reported, not hidden");
        assert.deepStrictEqual(r.messages, ["StatefulSet data/a is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=a). " +
            "Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow. " +
            `Not checked during preview: dbs: Array value at .items ${NOT_KNOWN}; more: Array value at .items ${NOT_KNOWN}.`]);
    });

    it("another provider's resource of a Kubernetes kind is not judged", () => {
        assert.deepStrictEqual(runResource(tolerate, { type: "other:apps/v1:DaemonSet", name: "d", props: broken() }).messages, []);
        assert.deepStrictEqual(runStack(hasPdb, [{ type: "other:apps/v1:StatefulSet", name: "db", props: statefulSet() }]), { messages: [], urns: [] });
    });

    it("every unknown part of a resource rule is listed; a known violation beside them is reported alone", () => {
        const unknownBoth = daemonSet((o) => {
            o.spec.template.spec.priorityClassName = sdk.unknownStringValue;
            o.spec.template.spec.initContainers = sdk.unknownArrayValue;
        });
        assert.deepStrictEqual(runResource(agent, resourceOf(unknownBoth)), {
            messages: [],
            notApplicable: `could not check during preview: not checked: Array value at .spec.template.spec.initContainers ${NOT_KNOWN}; ` +
                `not checked: string value at .spec.template.spec.priorityClassName ${NOT_KNOWN}`,
        });
        const knownLow = daemonSet((o) => {
            o.spec.template.spec.priorityClassName = "low";
            o.spec.template.spec.initContainers = sdk.unknownArrayValue;
        });
        assert.deepStrictEqual(runResource(agent, resourceOf(knownLow)), {
            messages: ["DaemonSet logging/agent runs at priority class low, so its pods are preempted before others when a node is full. Set priorityClassName: system-node-critical."],
        });
    });

    it("remediation rewrites only a whole, known Kubernetes object", () => {
        const remediate = (type: string, props: any) => tolerate.remediateResource!({ type, props: sdk.unknownCheckingProxy(props), urn: "u", name: "agent", getConfig: () => ({}) } as any);
        assert.strictEqual(remediate("kubernetes:apps/v1:DaemonSetPatch", broken()), undefined);
        assert.strictEqual(remediate("kubernetes:apps/v1:DaemonSetList", { items: [broken()] }), undefined);
        assert.strictEqual(remediate("other:apps/v1:DaemonSet", broken()), undefined);
        assert.strictEqual(remediate("kubernetes:apps/v1:DaemonSet", daemonSet((o) => { o.spec.template.spec.tolerations = []; o.metadata.labels = { x: sdk.unknownStringValue }; })), undefined);
    });
});
