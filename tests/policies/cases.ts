/**
 * One table of cases, run through both front ends: the engine the checker uses (evaluate) and
 * the CrossGuard wrappers (tests/policies/crossguard.test.ts). Each case lists, per rule, one
 * text that each expected violation contains; a rule not listed must report nothing.
 */
import { KubeObject } from "../../policies/lib/kube";
import { custom, daemonSet, deployment, pdb, statefulSet } from "./fixtures";

export interface Case {
    readonly name: string;
    readonly objects: KubeObject[];
    readonly expect: Readonly<Record<string, readonly string[]>>;
}

const sel = (labels: Record<string, string>) => ({ selector: { matchLabels: labels } });
const budget = (spec: Record<string, unknown>) => ({ maxUnavailable: undefined, ...spec });
const es = (spec: Record<string, unknown>, nodeSets: object[] = [{ name: "default", count: 3 }]) =>
    custom("elasticsearch.k8s.elastic.co/v1", "Elasticsearch", "logs", "logging", { nodeSets, ...spec });
const prom = (spec: Record<string, unknown>) => custom("monitoring.coreos.com/v1", "Prometheus", "kps", "monitoring", spec);
const shardPdb = (shard: string) => pdb(`kps-${shard}`, "monitoring", sel({ "operator.prometheus.io/name": "kps", "operator.prometheus.io/shard": shard }));
const ALLOWS = "pdb-allows-voluntary-disruption";
const HAS = "stateful-workload-has-pdb";
const ONE = "pod-covered-by-one-pdb";
const TOL = "daemonset-tolerates-all-taints";
const AGENT = "node-agent-requests-and-priority";
const REPLICATED = "replicated-deployment-has-pdb";
const UNHEALTHY = "pdb-evicts-unhealthy-pods";

export const CASES: readonly Case[] = [
    { name: "a compliant DaemonSet, StatefulSet and PDB", objects: [daemonSet(), statefulSet(), pdb("db", "data", sel({ app: "db" }))], expect: {} },
    // PDB arithmetic: percentages round up for minAvailable and maxUnavailable alike.
    { name: "minAvailable 67% of 3 rounds up to 3", objects: [statefulSet(), pdb("db", "data", budget({ ...sel({ app: "db" }), minAvailable: "67%" }))], expect: { [ALLOWS]: ["67% of 3 rounds up to 3"] } },
    { name: "minAvailable 66% of 3 rounds up to 2 and allows one", objects: [statefulSet(), pdb("db", "data", budget({ ...sel({ app: "db" }), minAvailable: "66%" }))], expect: {} },
    { name: "minAvailable 50% of 1 allows nothing", objects: [statefulSet("db", "data", 1), pdb("db", "data", budget({ ...sel({ app: "db" }), minAvailable: "50%" }))], expect: { [ALLOWS]: ["50% of 1 rounds up to 1"] } },
    { name: "minAvailable 2 of 3 allows one", objects: [statefulSet(), pdb("db", "data", budget({ ...sel({ app: "db" }), minAvailable: 2 }))], expect: {} },
    { name: "minAvailable 3 of 3 allows nothing", objects: [statefulSet(), pdb("db", "data", budget({ ...sel({ app: "db" }), minAvailable: 3 }))], expect: { [ALLOWS]: ["minAvailable: 3 for 3 pods"] } },
    { name: "minAvailable counts every selected workload", objects: [statefulSet("a", "data", 2, { tier: "db" }), statefulSet("b", "data", 2, { tier: "db" }), pdb("db", "data", budget({ ...sel({ tier: "db" }), minAvailable: 3 }))], expect: {} },
    { name: "maxUnavailable 0 allows nothing", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), maxUnavailable: 0 })], expect: { [ALLOWS]: ["maxUnavailable: 0"] } },
    { name: "maxUnavailable 0% allows nothing", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), maxUnavailable: "0%" })], expect: { [ALLOWS]: ["maxUnavailable: \"0%\""] } },
    { name: "maxUnavailable 1% of 3 rounds up to 1", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), maxUnavailable: "1%" })], expect: {} },
    { name: "minAvailable 100% allows nothing", objects: [statefulSet(), pdb("db", "data", budget({ ...sel({ app: "db" }), minAvailable: "100%" }))], expect: { [ALLOWS]: ["minAvailable: \"100%\""] } },
    { name: "a PDB with neither field allows nothing", objects: [statefulSet(), pdb("db", "data", budget(sel({ app: "db" })))], expect: { [ALLOWS]: ["neither minAvailable nor maxUnavailable"] } },
    { name: "both fields set is rejected by the API server", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), minAvailable: 1, maxUnavailable: 1 })], expect: { [ALLOWS]: ["cannot both be set"], [HAS]: ["StatefulSet data/db is stateful"] } },
    { name: "a string count is rejected by the API server", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), maxUnavailable: "1" })], expect: { [ALLOWS]: ["is not a non-negative integer"], [HAS]: ["StatefulSet data/db"] } },
    { name: "an In selector without values is rejected", objects: [statefulSet(), pdb("db", "data", { selector: { matchExpressions: [{ key: "app", operator: "In", values: [] }] } })], expect: { [ALLOWS]: ["app In needs at least one value"], [HAS]: ["StatefulSet data/db"] } },
    // Unhealthy pods under a PDB.
    { name: "a PDB without unhealthyPodEvictionPolicy is advised AlwaysAllow", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), unhealthyPodEvictionPolicy: undefined })], expect: { [UNHEALTHY]: ["PodDisruptionBudget data/db sets no unhealthyPodEvictionPolicy"] } },
    { name: "IfHealthyBudget is advised AlwaysAllow", objects: [statefulSet(), pdb("db", "data", { ...sel({ app: "db" }), unhealthyPodEvictionPolicy: "IfHealthyBudget" })], expect: { [UNHEALTHY]: ["sets unhealthyPodEvictionPolicy: \"IfHealthyBudget\""] } },
    { name: "an Elasticsearch PDB spec without the policy is advised it", objects: [es({ podDisruptionBudget: { spec: { maxUnavailable: 1, selector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } } } })], expect: { [UNHEALTHY]: ["Elasticsearch logging/logs spec.podDisruptionBudget.spec sets no unhealthyPodEvictionPolicy"] } },
    // Selectors as the API server applies them.
    { name: "an empty selector selects every pod in the namespace", objects: [statefulSet(), pdb("all", "data", { selector: {} })], expect: {} },
    { name: "a null selector selects none", objects: [statefulSet(), pdb("db", "data", { selector: null })], expect: { [HAS]: ["StatefulSet data/db is stateful"] } },
    { name: "namespace \"\" is the default namespace", objects: [{ ...statefulSet(), metadata: { name: "db", namespace: "" } }, pdb("db", "default", sel({ app: "db" }))], expect: {} },
    { name: "a PDB in another namespace covers nothing", objects: [statefulSet(), pdb("db", "other", sel({ app: "db" }))], expect: { [HAS]: ["StatefulSet data/db"] } },
    { name: "matchExpressions NotIn selects pods without the value", objects: [statefulSet(), pdb("db", "data", { selector: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["web"] }] } })], expect: {} },
    { name: "matchExpressions DoesNotExist on a present key selects nothing", objects: [statefulSet(), pdb("db", "data", { selector: { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] } })], expect: { [HAS]: ["StatefulSet data/db"] } },
    { name: "matchLabels and expressions must all hold", objects: [statefulSet(), pdb("db", "data", { selector: { matchLabels: { app: "db" }, matchExpressions: [{ key: "tier", operator: "Exists" }] } })], expect: { [HAS]: ["StatefulSet data/db"] } },
    { name: "two PDBs on one pod stall the eviction API", objects: [statefulSet(), pdb("a", "data", sel({ app: "db" })), pdb("b", "data", { selector: { matchExpressions: [{ key: "app", operator: "Exists" }] } })], expect: { [ONE]: ["selected by 2 PodDisruptionBudgets (PodDisruptionBudget data/a, PodDisruptionBudget data/b)"] } },
    // Operators' pods.
    { name: "a sharded Prometheus needs every shard covered", objects: [prom({ shards: 2, replicas: 2 }), shardPdb("0")], expect: { [HAS]: ["Prometheus monitoring/kps shard 1 (StatefulSet prometheus-kps-shard-1)"] } },
    { name: "a sharded Prometheus with a PDB per shard passes", objects: [prom({ shards: 2, replicas: 2 }), shardPdb("0"), shardPdb("1")], expect: {} },
    { name: "one PDB over all shards counts every shard's replicas", objects: [prom({ shards: 3, replicas: 1 }), pdb("kps", "monitoring", budget({ ...sel({ prometheus: "kps" }), minAvailable: 3 }))], expect: { [ALLOWS]: ["minAvailable: 3 for 3 pods"] } },
    { name: "Alertmanager pods are labelled alertmanager=<name>", objects: [custom("monitoring.coreos.com/v1", "Alertmanager", "am", "monitoring", {}), pdb("am", "monitoring", sel({ alertmanager: "am", "app.kubernetes.io/instance": "am" }))], expect: {} },
    { name: "ThanosRuler needs a PDB", objects: [custom("monitoring.coreos.com/v1", "ThanosRuler", "ruler", "monitoring", {})], expect: { [HAS]: ["ThanosRuler monitoring/ruler"] } },
    { name: "ECK's default PDB covers an Elasticsearch", objects: [es({})], expect: {} },
    { name: "an Elasticsearch with podDisruptionBudget {} has no PDB", objects: [es({ podDisruptionBudget: {} })], expect: { [HAS]: ["Elasticsearch logging/logs is stateful"] } },
    { name: "{spec: {}} disables ECK's PDB too", objects: [es({ podDisruptionBudget: { spec: {} } })], expect: { [HAS]: ["Elasticsearch logging/logs"] } },
    { name: "{metadata: {}} disables ECK's PDB too", objects: [es({ podDisruptionBudget: { metadata: {} } })], expect: { [HAS]: ["Elasticsearch logging/logs"] } },
    { name: "metadata labels keep ECK's default PDB", objects: [es({ podDisruptionBudget: { metadata: { labels: { team: "x" } } } })], expect: {} },
    { name: "a user spec becomes the PDB and must allow an eviction", objects: [es({ podDisruptionBudget: { spec: { maxUnavailable: 0, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs" } } } } })], expect: { [ALLOWS]: ["ECK's copy of Elasticsearch logging/logs spec.podDisruptionBudget.spec"] } },
    { name: "a user spec without a selector selects no pod", objects: [es({ podDisruptionBudget: { spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" } } })], expect: { [HAS]: ["Elasticsearch logging/logs is stateful"] } },
    { name: "a PDB beside ECK's own one double-covers", objects: [es({}), pdb("logs", "logging", sel({ "elasticsearch.k8s.elastic.co/cluster-name": "logs" }))], expect: { [ONE]: ["made by ECK for Elasticsearch logging/logs"] } },
    { name: "several nodeSets are counted and judged per nodeSet", objects: [es({ podDisruptionBudget: {} }, [{ name: "hot", count: 2 }, { name: "warm", count: 1 }]), pdb("hot", "logging", sel({ "elasticsearch.k8s.elastic.co/statefulset-name": "logs-es-hot" })), pdb("all", "logging", budget({ ...sel({ "elasticsearch.k8s.elastic.co/cluster-name": "logs" }), minAvailable: 3 }))], expect: { [ALLOWS]: ["for 3 pods"], [ONE]: ["nodeSet hot"] } },
    { name: "MongoDBCommunity pods are labelled app=<name>-svc", objects: [custom("mongodbcommunity.mongodb.com/v1", "MongoDBCommunity", "mongo", "graylog", { members: 3 }), pdb("mongo", "graylog", sel({ app: "mongo-svc" }))], expect: {} },
    // Deployments.
    { name: "a Deployment mounting a claim is stateful", objects: [deployment("grafana", "monitoring", { claim: true })], expect: { [HAS]: ["Deployment monitoring/grafana"] } },
    { name: "a multi-replica Deployment without a PDB is advised one", objects: [deployment("web", "apps", { replicas: 2 })], expect: { [REPLICATED]: ["Deployment apps/web runs 2 replicas"] } },
    { name: "a single-replica Deployment needs no PDB", objects: [deployment("web", "apps")], expect: {} },
    { name: "a multi-replica Kibana without a PDB is advised one", objects: [custom("kibana.k8s.elastic.co/v1", "Kibana", "kb", "logging", { count: 2 })], expect: { [REPLICATED]: ["Kibana logging/kb runs 2 replicas"] } },
    { name: "a multi-replica Deployment with a PDB passes", objects: [deployment("web", "apps", { replicas: 2 }), pdb("web", "apps", sel({ app: "web" }))], expect: {} },
    // DaemonSets.
    { name: "no tolerations", objects: [daemonSet((o) => (o.spec.template.spec.tolerations = []))], expect: { [TOL]: ["does not tolerate every taint"] } },
    { name: "per-effect tolerations are accepted by Kubernetes, not by the pack", objects: [daemonSet((o) => (o.spec.template.spec.tolerations = [{ operator: "Exists", effect: "NoSchedule" }, { operator: "Exists", effect: "NoExecute" }]))], expect: { [TOL]: ["which Kubernetes accepts"] } },
    { name: "a timed toleration of not-ready is overwritten by the DaemonSet controller", objects: [daemonSet((o) => o.spec.template.spec.tolerations.push({ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }))], expect: {} },
    { name: "a timed toleration of another taint evicts", objects: [daemonSet((o) => o.spec.template.spec.tolerations.push({ key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 60 }))], expect: { [TOL]: ["dedicated:NoExecute for only 60s"] } },
    { name: "an init container without requests", objects: [daemonSet((o) => (o.spec.template.spec.initContainers = [{ name: "init", image: "x" }]))], expect: { [AGENT]: ["init container init sets no requests.cpu, requests.memory, limits.memory"] } },
    { name: "the default priority", objects: [daemonSet((o) => delete o.spec.template.spec.priorityClassName)], expect: { [AGENT]: ["runs at the default priority"] } },
];
