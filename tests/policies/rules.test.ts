import * as assert from "assert";
import { daemonsetToleratesAllTaints as tolerate } from "../../policies/daemonset-tolerates-all-taints";
import { helmReleaseIsInspectable } from "../../policies/helm-release-is-inspectable";
import { selectorMatches, subjectOf } from "../../policies/lib/kube";
import { nodeAgentRequestsAndPriority } from "../../policies/node-agent-requests-and-priority";
import { pdbAllowsVoluntaryDisruption as allowsDisruption } from "../../policies/pdb-allows-voluntary-disruption";
import { podCoveredByOnePdb as onePdb } from "../../policies/pod-covered-by-one-pdb";
import { evaluate } from "../../policies/rules";
import { statefulWorkloadHasPdb as hasPdb } from "../../policies/stateful-workload-has-pdb";
import { custom, daemonSet, deployment, pdb, statefulSet, subjects } from "./fixtures";

const check = (o: ReturnType<typeof daemonSet>) => tolerate.check(subjectOf(o));

describe("daemonset-tolerates-all-taints", () => {
    it("passes a DaemonSet with {operator: Exists}", () => {
        assert.deepStrictEqual(check(daemonSet()), []);
    });

    it("passes when other tolerations sit beside the tolerate-all one", () => {
        assert.deepStrictEqual(check(daemonSet((o) => o.spec.template.spec.tolerations.push({ key: "x", operator: "Exists", effect: "NoSchedule" }))), []);
    });

    it("fails an empty toleration list, naming the taints that block it", () => {
        const [message] = check(daemonSet((o) => (o.spec.template.spec.tolerations = [])));
        assert.match(message, /DaemonSet logging\/agent does not tolerate every taint/);
        assert.match(message, /NoSchedule \(e\.g\. node-role\.kubernetes\.io\/control-plane/);
        assert.match(message, /NoExecute \(e\.g\. node\.kubernetes\.io\/not-ready/);
    });

    it("fails a missing tolerations field", () => {
        assert.strictEqual(check(daemonSet((o) => delete o.spec.template.spec.tolerations)).length, 1);
    });

    it("fails {operator: Exists, effect: NoSchedule}: NoExecute taints still evict", () => {
        const [message] = check(daemonSet((o) => (o.spec.template.spec.tolerations = [{ operator: "Exists", effect: "NoSchedule" }])));
        assert.match(message, /NoExecute/);
        assert.doesNotMatch(message, /effect NoSchedule/);
    });

    it("fails {key: X, operator: Exists}: only one taint key is tolerated", () => {
        const [message] = check(daemonSet((o) => (o.spec.template.spec.tolerations = [{ key: "dedicated", operator: "Exists" }])));
        assert.match(message, /other than dedicated/);
    });

    it("fails {operator: Exists, tolerationSeconds: 300}, saying the pods are evicted after 300s", () => {
        const messages = check(daemonSet((o) => (o.spec.template.spec.tolerations = [{ operator: "Exists", tolerationSeconds: 300 }])));
        assert.ok(messages.some((m) => /for only 300s/.test(m)));
    });

    it("fails a tolerate-all beside a time-limited NoExecute toleration, which still evicts", () => {
        const messages = check(daemonSet((o) => o.spec.template.spec.tolerations.push({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 })));
        assert.strictEqual(messages.length, 1);
        assert.match(messages[0], /node\.kubernetes\.io\/not-ready:NoExecute for only 60s/);
    });

    it("fails {operator: Equal} without a key", () => {
        assert.strictEqual(check(daemonSet((o) => (o.spec.template.spec.tolerations = [{ operator: "Equal" }]))).length, 1);
    });

    it("ignores kinds other than DaemonSet", () => {
        assert.strictEqual(tolerate.appliesTo(subjectOf(deployment("web", "apps"))), false);
    });

    it("remediation adds the toleration and drops time-limited ones, after which the rule passes", () => {
        const broken = daemonSet((o) => (o.spec.template.spec.tolerations = [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }, { operator: "Exists", tolerationSeconds: 5 }]));
        const fixed = tolerate.remediate!(broken);
        assert.deepStrictEqual((fixed.spec as any).template.spec.tolerations, [{ key: "gpu", operator: "Exists", effect: "NoSchedule" }, { operator: "Exists" }]);
        assert.deepStrictEqual(check(fixed), []);
        assert.strictEqual((fixed.spec as any).template.spec.containers.length, 1, "the rest of the pod spec is kept");
    });
});

describe("label selectors", () => {
    const labels = { app: "db", tier: "data" };
    const cases: Array<[string, object | undefined | null, boolean]> = [
        ["matchLabels equal", { matchLabels: { app: "db" } }, true],
        ["matchLabels differ", { matchLabels: { app: "web" } }, false],
        ["In", { matchExpressions: [{ key: "tier", operator: "In", values: ["data", "cache"] }] }, true],
        ["In without the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["cache"] }] }, false],
        ["NotIn", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, true],
        ["NotIn with the value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["data"] }] }, false],
        ["Exists", { matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
        ["DoesNotExist on a present key", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
        ["DoesNotExist on an absent key", { matchExpressions: [{ key: "zone", operator: "DoesNotExist" }] }, true],
        ["an empty selector selects everything", {}, true],
        ["a missing selector selects nothing", undefined, false],
    ];
    for (const [what, selector, expected] of cases) {
        it(what, () => assert.strictEqual(selectorMatches(selector as any, labels), expected));
    }
});

describe("stateful-workload-has-pdb", () => {
    it("passes a StatefulSet whose PDB selects its pods", () => {
        assert.deepStrictEqual(hasPdb.check(subjects(statefulSet(), pdb("db", "data", { selector: { matchLabels: { app: "db" } } }))), []);
    });

    it("passes a PDB that selects through matchExpressions", () => {
        const p = pdb("db", "data", { selector: { matchExpressions: [{ key: "app", operator: "In", values: ["db", "cache"] }] } });
        assert.deepStrictEqual(hasPdb.check(subjects(statefulSet(), p)), []);
    });

    it("fails a StatefulSet without a PDB, naming its labels", () => {
        const [f] = hasPdb.check(subjects(statefulSet()));
        assert.match(f.message, /StatefulSet data\/db is stateful but no PodDisruptionBudget in namespace data selects its pods \(labels: app=db; 0 PDBs/);
    });

    it("fails when the only matching PDB is in another namespace", () => {
        assert.strictEqual(hasPdb.check(subjects(statefulSet(), pdb("db", "other", { selector: { matchLabels: { app: "db" } } }))).length, 1);
    });

    it("fails when the PDB's selector misses the pods", () => {
        assert.strictEqual(hasPdb.check(subjects(statefulSet(), pdb("db", "data", { selector: { matchLabels: { app: "dbx" } } }))).length, 1);
    });

    it("fails when the PDB has no selector", () => {
        assert.strictEqual(hasPdb.check(subjects(statefulSet(), pdb("db", "data", { selector: undefined }))).length, 1);
    });

    it("fails a Deployment that mounts a PersistentVolumeClaim, and ignores one that does not", () => {
        const found = hasPdb.check(subjects(deployment("grafana", "monitoring", { claim: true }), deployment("web", "monitoring")));
        assert.deepStrictEqual(found.map((f) => f.subject.name), ["grafana"]);
    });

    it("covers a Prometheus by the labels the operator puts on its pods", () => {
        const prom = custom("monitoring.coreos.com/v1", "Prometheus", "kps-prometheus", "monitoring", { replicas: 2 });
        const chartPdb = pdb("kps-prometheus", "monitoring", { selector: { matchLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "kps-prometheus" } } });
        assert.strictEqual(hasPdb.check(subjects(prom)).length, 1);
        assert.deepStrictEqual(hasPdb.check(subjects(prom, chartPdb)), []);
    });

    it("requires PDBs for Alertmanager and ThanosRuler", () => {
        const found = hasPdb.check(subjects(
            custom("monitoring.coreos.com/v1", "Alertmanager", "am", "monitoring", {}),
            custom("monitoring.coreos.com/v1", "ThanosRuler", "ruler", "monitoring", {}),
        ));
        assert.deepStrictEqual(found.map((f) => f.subject.object.kind), ["Alertmanager", "ThanosRuler"]);
        const covered = hasPdb.check(subjects(
            custom("monitoring.coreos.com/v1", "Alertmanager", "am", "monitoring", {}),
            pdb("am", "monitoring", { selector: { matchLabels: { alertmanager: "am" } } }),
        ));
        assert.deepStrictEqual(covered, []);
    });

    it("counts ECK's default PDB for an Elasticsearch, unless spec.podDisruptionBudget is {}", () => {
        const es = (spec: object) => custom("elasticsearch.k8s.elastic.co/v1", "Elasticsearch", "logs", "logging", { nodeSets: [{ name: "default", count: 3 }], ...spec });
        assert.deepStrictEqual(hasPdb.check(subjects(es({}))), []);
        const [f] = hasPdb.check(subjects(es({ podDisruptionBudget: {} })));
        assert.match(f.message, /elasticsearch\.k8s\.elastic\.co\/cluster-name=logs/);
    });

    it("requires a PDB for MongoDBCommunity members, selected by app=<name>-svc", () => {
        const mongo = custom("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity", "graylog-mongo", "graylog", { members: 3 });
        assert.strictEqual(hasPdb.check(subjects(mongo)).length, 1);
        assert.deepStrictEqual(hasPdb.check(subjects(mongo, pdb("mongo", "graylog", { selector: { matchLabels: { app: "graylog-mongo-svc" } } }))), []);
    });
});

describe("pdb-allows-voluntary-disruption", () => {
    const sel = { selector: { matchLabels: { app: "db" } } };
    const run = (spec: Record<string, unknown>, replicas = 3) =>
        allowsDisruption.check(subjects(statefulSet("db", "data", replicas), pdb("db", "data", { ...sel, maxUnavailable: undefined, ...spec })));

    it("passes maxUnavailable: 1", () => assert.deepStrictEqual(run({ maxUnavailable: 1 }), []));
    it("passes minAvailable below the replicas", () => assert.deepStrictEqual(run({ minAvailable: 2 }), []));
    it("passes minAvailable: 50%", () => assert.deepStrictEqual(run({ minAvailable: "50%" }), []));

    it("fails maxUnavailable: 0", () => {
        assert.match(run({ maxUnavailable: 0 })[0].message, /maxUnavailable: 0: no pod may ever be evicted/);
    });

    it("fails maxUnavailable: \"0%\"", () => {
        assert.match(run({ maxUnavailable: "0%" })[0].message, /maxUnavailable: "0%"/);
    });

    it("fails minAvailable equal to the replicas, with the numbers", () => {
        assert.match(run({ minAvailable: 3 })[0].message, /requires minAvailable: 3 of 3 pods \(StatefulSet data\/db\)/);
    });

    it("fails minAvailable: 1 for a single replica", () => {
        assert.match(run({ minAvailable: 1 }, 1)[0].message, /minAvailable: 1 of 1 pod /);
    });

    it("fails minAvailable: 100%", () => {
        assert.match(run({ minAvailable: "100%" })[0].message, /minAvailable: "100%"/);
    });

    it("cannot judge a minAvailable count when it selects nothing it knows, and does not guess", () => {
        assert.deepStrictEqual(allowsDisruption.check(subjects(pdb("x", "data", { maxUnavailable: undefined, minAvailable: 5, selector: { matchLabels: { app: "zz" } } }))), []);
    });
});

describe("pod-covered-by-one-pdb", () => {
    it("passes one PDB per workload", () => {
        assert.deepStrictEqual(onePdb.check(subjects(statefulSet(), pdb("db", "data", { selector: { matchLabels: { app: "db" } } }))), []);
    });

    it("fails two PDBs selecting the same pods, naming both", () => {
        const [f] = onePdb.check(subjects(
            statefulSet(),
            pdb("db-a", "data", { selector: { matchLabels: { app: "db" } } }),
            pdb("db-b", "data", { selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } }),
        ));
        assert.match(f.message, /selected by 2 PodDisruptionBudgets \(db-a, db-b\)/);
    });

    it("fails a PDB added next to ECK's own one", () => {
        const es = custom("elasticsearch.k8s.elastic.co/v1", "Elasticsearch", "logs", "logging", { nodeSets: [{ name: "default", count: 3 }] });
        const extra = pdb("logs", "logging", { selector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } });
        assert.match(onePdb.check(subjects(es, extra))[0].message, /logs-es-default \(made by the operator\), logs/);
    });
});

describe("helm-release-is-inspectable", () => {
    it("flags a helm.v3.Release as advisory", () => {
        const release = { type: "kubernetes:helm.sh/v3:Release", name: "cm", object: { chart: "cert-manager" } };
        assert.ok(helmReleaseIsInspectable.appliesTo(release));
        assert.match(helmReleaseIsInspectable.check(release)[0], /installs cert-manager as an opaque helm\.v3\.Release/);
        assert.strictEqual(helmReleaseIsInspectable.enforcementLevel, "advisory");
    });

    it("leaves v4 Charts and plain objects alone", () => {
        assert.strictEqual(helmReleaseIsInspectable.appliesTo({ type: "kubernetes:helm.sh/v4:Chart", name: "x", object: {} }), false);
        assert.strictEqual(helmReleaseIsInspectable.appliesTo(subjectOf(daemonSet())), false);
    });
});

describe("node-agent-requests-and-priority", () => {
    it("passes a sized, node-critical agent", () => {
        assert.deepStrictEqual(nodeAgentRequestsAndPriority.check(subjectOf(daemonSet())), []);
    });

    it("flags missing requests and limits, per container", () => {
        const [m] = nodeAgentRequestsAndPriority.check(subjectOf(daemonSet((o) => delete o.spec.template.spec.containers[0].resources)));
        assert.match(m, /container agent sets no requests\.cpu, requests\.memory, limits\.memory/);
    });

    it("flags the default priority", () => {
        const [m] = nodeAgentRequestsAndPriority.check(subjectOf(daemonSet((o) => delete o.spec.template.spec.priorityClassName)));
        assert.match(m, /priority \(default\)/);
    });
});

describe("the engine", () => {
    it("applies exemptions by resource with their reason, never silently", () => {
        const objects = subjects(daemonSet((o) => (o.spec.template.spec.tolerations = [])));
        const config = { "daemonset-tolerates-all-taints": { exemptions: [{ kind: "DaemonSet", namespace: "logging", name: "agent", reason: "runs on tainted pool only" }] } };
        const report = evaluate(objects, config);
        assert.deepStrictEqual(report.violations.filter((v) => v.rule === "daemonset-tolerates-all-taints"), []);
        assert.deepStrictEqual(report.exempted.map((e) => e.reason), ["runs on tainted pool only"]);
    });

    it("an exemption for another resource does not apply", () => {
        const objects = subjects(daemonSet((o) => (o.spec.template.spec.tolerations = [])));
        const config = { "daemonset-tolerates-all-taints": { exemptions: [{ name: "other", reason: "x" }] } };
        assert.strictEqual(evaluate(objects, config).violations.filter((v) => v.level === "mandatory").length, 1);
    });

    it("honours an enforcement level from the config", () => {
        const objects = subjects(statefulSet());
        assert.strictEqual(evaluate(objects, { "stateful-workload-has-pdb": { enforcementLevel: "advisory" } }).violations[0].level, "advisory");
        assert.strictEqual(evaluate(objects, { "stateful-workload-has-pdb": { enforcementLevel: "disabled" } }).violations.length, 0);
    });
});
