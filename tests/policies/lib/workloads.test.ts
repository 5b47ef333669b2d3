import * as assert from "assert";
import { KubeObject, subjectOf } from "../../../policies/lib/kube";
import { isPdb, Workload, workloadsOf } from "../../../policies/lib/workloads";
import { evaluate } from "../../../policies/rules";
import { statefulSet, subjects } from "../fixtures";

const of = (apiVersion: string, kind: string, spec?: unknown, name = "x"): KubeObject => ({ apiVersion, kind, metadata: { name, namespace: "ns" }, ...(spec === undefined ? {} : { spec }) });
const view = (w: Workload) => ({ label: w.label, podLabels: w.podLabels, replicas: w.replicas, stateful: w.stateful, deployment: w.deployment });
const workloads = (o: KubeObject) => workloadsOf(subjectOf(o)).map(view);
const PROM = "monitoring.coreos.com/v1";
const ES = "elasticsearch.k8s.elastic.co/v1";
const promLabels = (app: string, name = "x") => ({ "app.kubernetes.io/name": app, "app.kubernetes.io/instance": name, "app.kubernetes.io/managed-by": "prometheus-operator", [app]: name });

describe("the pods each kind declares", () => {
    it("every kind without a spec is read with its defaults and no crash", () => {
        assert.deepStrictEqual(workloads(of("apps/v1", "StatefulSet")), [{ label: "StatefulSet ns/x", podLabels: {}, replicas: 1, stateful: true, deployment: false }]);
        assert.deepStrictEqual(workloads(of("apps/v1", "Deployment")), [{ label: "Deployment ns/x", podLabels: {}, replicas: 1, stateful: false, deployment: true }]);
        assert.deepStrictEqual(workloads(of("apps/v1", "ReplicaSet")), [{ label: "ReplicaSet ns/x", podLabels: {}, replicas: 1, stateful: false, deployment: false }]);
        assert.deepStrictEqual(workloads(of("apps/v1", "DaemonSet")), [{ label: "DaemonSet ns/x", podLabels: {}, replicas: undefined, stateful: false, deployment: false }]);
        assert.deepStrictEqual(workloads(of(PROM, "Prometheus")), [{ label: "Prometheus ns/x", podLabels: { ...promLabels("prometheus"), "operator.prometheus.io/name": "x", "operator.prometheus.io/shard": "0" }, replicas: 1, stateful: true, deployment: false }]);
        assert.deepStrictEqual(workloads(of(PROM, "Alertmanager")), [{ label: "Alertmanager ns/x", podLabels: promLabels("alertmanager"), replicas: 1, stateful: true, deployment: false }]);
        assert.deepStrictEqual(workloads(of(PROM, "ThanosRuler")), [{ label: "ThanosRuler ns/x", podLabels: promLabels("thanos-ruler"), replicas: 1, stateful: true, deployment: false }]);
        assert.deepStrictEqual(workloads(of(ES, "Elasticsearch")), []);
        assert.deepStrictEqual(workloads(of("kibana.k8s.elastic.co/v1", "Kibana")), [{ label: "Kibana ns/x", podLabels: { "common.k8s.elastic.co/type": "kibana", "kibana.k8s.elastic.co/name": "x" }, replicas: 1, stateful: false, deployment: true }]);
        for (const [apiVersion, kind] of [["mongodbcommunity.mongodb.com/v1", "MongoDBCommunity"], ["mongodb.com/v1", "MongoDB"]]) {
            assert.deepStrictEqual(workloads(of(apiVersion, kind)), [{ label: `${kind} ns/x`, podLabels: { app: "x-svc" }, replicas: 1, stateful: true, deployment: false }]);
        }
    });

    it("the same kind in another API group declares nothing", () => {
        assert.deepStrictEqual(workloads(of("example.com/v1", "StatefulSet", { replicas: 3 })), []);
        assert.deepStrictEqual(workloads(of("example.com/v1", "Prometheus", {})), []);
    });

    it("a replica count that is not an integer is not a count; null takes the default", () => {
        assert.strictEqual(workloads(of("apps/v1", "StatefulSet", { replicas: 1.5 }))[0].replicas, undefined);
        assert.strictEqual(workloads(of("apps/v1", "StatefulSet", { replicas: null }))[0].replicas, 1);
        assert.strictEqual(workloads(of("apps/v1", "Deployment", { replicas: 4 }))[0].replicas, 4);
    });

    it("a Deployment is stateful when it mounts a claim or has claim templates", () => {
        const claim = { template: { spec: { volumes: [null, { name: "d", persistentVolumeClaim: { claimName: "c" } }] } } };
        assert.strictEqual(workloads(of("apps/v1", "Deployment", claim))[0].stateful, true);
        assert.strictEqual(workloads(of("apps/v1", "Deployment", { volumeClaimTemplates: [{}] }))[0].stateful, true);
        assert.strictEqual(workloads(of("apps/v1", "Deployment", { template: { spec: { volumes: [{ name: "e", emptyDir: {} }] } } }))[0].stateful, false);
    });

    it("operator pods keep spec.podMetadata labels, the operator's own labels winning", () => {
        const [w] = workloads(of(PROM, "Alertmanager", { replicas: 3, podMetadata: { labels: { team: "obs", alertmanager: "spoofed" } } }));
        assert.deepStrictEqual(w.podLabels, { team: "obs", ...promLabels("alertmanager") });
        assert.strictEqual(w.replicas, 3);
    });

    it("a Prometheus with shards 1, or a shard count that is not an integer, runs one StatefulSet", () => {
        for (const shards of [1, "2", 2.5]) {
            assert.deepStrictEqual(workloads(of(PROM, "Prometheus", { shards, replicas: 2 })).map((w) => [w.label, w.replicas]), [["Prometheus ns/x", 2]], String(shards));
        }
        assert.deepStrictEqual(workloads(of(PROM, "Prometheus", { shards: 2 })).map((w) => w.label),
            ["Prometheus ns/x shard 0 (StatefulSet prometheus-x)", "Prometheus ns/x shard 1 (StatefulSet prometheus-x-shard-1)"]);
    });

    it("an Elasticsearch nodeSet keeps its podTemplate labels and counts 0 pods without a count", () => {
        const nodeSet = { name: "hot", podTemplate: { metadata: { labels: { tier: "hot" } } } };
        assert.deepStrictEqual(workloads(of(ES, "Elasticsearch", { nodeSets: [nodeSet] })), [{
            label: "Elasticsearch ns/x",
            podLabels: { tier: "hot", "common.k8s.elastic.co/type": "elasticsearch", "elasticsearch.k8s.elastic.co/cluster-name": "x", "elasticsearch.k8s.elastic.co/statefulset-name": "x-es-hot" },
            replicas: 0, stateful: true, deployment: false,
        }]);
        assert.deepStrictEqual(workloads(of(ES, "Elasticsearch", { nodeSets: [null, { name: "b", count: 2 }] })).map((w) => w.replicas), [0, 2], "a null nodeSet (the CRD rejects it) is no crash");
    });

    it("Kibana pods keep podTemplate labels and count spec.count", () => {
        const [w] = workloads(of("kibana.k8s.elastic.co/v1", "Kibana", { count: 2, podTemplate: { metadata: { labels: { team: "obs" } } } }));
        assert.deepStrictEqual([w.podLabels.team, w.replicas], ["obs", 2]);
    });

    it("MongoDB member pods are labelled with the service name the resource sets", () => {
        const [w] = workloads(of("mongodb.com/v1", "MongoDB", { members: 5, statefulSet: { spec: { serviceName: "db" } } }));
        assert.deepStrictEqual([w.podLabels, w.replicas], [{ app: "db" }, 5]);
    });

    it("ECK's default PDB selects only its own cluster's pods", () => {
        const es = of(ES, "Elasticsearch", { nodeSets: [{ name: "default", count: 3 }] }, "logs");
        const violations = evaluate(subjects(es, statefulSet("db", "ns"))).violations.filter((v) => v.rule === "stateful-workload-has-pdb");
        assert.deepStrictEqual(violations.map((v) => v.message.replace(/ is stateful.*/, "")), ["StatefulSet ns/db"]);
    });

    it("only policy/v1 PodDisruptionBudgets are PDBs", () => {
        assert.strictEqual(isPdb(subjectOf(of("policy/v1", "PodDisruptionBudget", {}))), true);
        assert.strictEqual(isPdb(subjectOf(of("example.com/v1", "PodDisruptionBudget", {}))), false);
        assert.strictEqual(isPdb(subjectOf(of("policy/v1", "Eviction", {}))), false);
    });
});
