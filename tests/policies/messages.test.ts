/**
 * The table's violations word for word: each message names the kind, namespace/name, what
 * Kubernetes does and the fix. table.test.ts holds the CrossGuard wrappers to the same messages.
 */
import * as assert from "assert";
import { evaluate } from "../../policies/rules";
import { CASES } from "./cases";
import { subjects } from "./fixtures";

const MESSAGES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
    "minAvailable 67% of 3 rounds up to 3": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets minAvailable: \"67%\" for 3 pods (67% of 3 rounds up to 3) of StatefulSet data/db, which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "minAvailable 50% of 1 allows nothing": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets minAvailable: \"50%\" for 1 pod (50% of 1 rounds up to 1) of StatefulSet data/db, which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "minAvailable 3 of 3 allows nothing": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets minAvailable: 3 for 3 pods of StatefulSet data/db, which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "maxUnavailable 0 allows nothing": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets maxUnavailable: 0, which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "maxUnavailable 0% allows nothing": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets maxUnavailable: \"0%\", which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "minAvailable 100% allows nothing": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets minAvailable: \"100%\", which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "a PDB with neither field allows nothing": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db sets neither minAvailable nor maxUnavailable: nothing defaults them, and the disruption controller then allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "both fields set is rejected by the API server": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ],
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db is rejected by the API server (minAvailable and maxUnavailable cannot both be set), so it protects nothing. Fix the spec; use maxUnavailable: 1."
        ]
    },
    "a string count is rejected by the API server": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ],
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db is rejected by the API server (maxUnavailable: \"1\" is not a non-negative integer or a percentage from 0% to 100%), so it protects nothing. Fix the spec; use maxUnavailable: 1."
        ]
    },
    "an In selector without values is rejected": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ],
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget data/db is rejected by the API server (selector: app In needs at least one value), so it protects nothing. Fix the spec; use maxUnavailable: 1."
        ]
    },
    "a null selector selects none": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "a PDB in another namespace covers nothing": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "matchExpressions DoesNotExist on a present key selects nothing": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "matchLabels and expressions must all hold": {
        "stateful-workload-has-pdb": [
            "StatefulSet data/db is stateful but no PodDisruptionBudget in namespace data selects its pods (pod labels app=db). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "two PDBs on one pod stall the eviction API": {
        "pod-covered-by-one-pdb": [
            "StatefulSet data/db pods are selected by 2 PodDisruptionBudgets (PodDisruptionBudget data/a, PodDisruptionBudget data/b): the eviction API refuses to evict a pod with more than one, so drains stall. Keep exactly one."
        ]
    },
    "a sharded Prometheus needs every shard covered": {
        "stateful-workload-has-pdb": [
            "Prometheus monitoring/kps shard 1 (StatefulSet prometheus-kps-shard-1) is stateful but no PodDisruptionBudget in namespace monitoring selects its pods (pod labels app.kubernetes.io/name=prometheus, app.kubernetes.io/instance=kps, app.kubernetes.io/managed-by=prometheus-operator, prometheus=kps, operator.prometheus.io/name=kps, operator.prometheus.io/shard=1). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "one PDB over all shards counts every shard's replicas": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget monitoring/kps sets minAvailable: 3 for 3 pods of Prometheus monitoring/kps shard 0 (StatefulSet prometheus-kps), Prometheus monitoring/kps shard 1 (StatefulSet prometheus-kps-shard-1), Prometheus monitoring/kps shard 2 (StatefulSet prometheus-kps-shard-2), which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ]
    },
    "ThanosRuler needs a PDB": {
        "stateful-workload-has-pdb": [
            "ThanosRuler monitoring/ruler is stateful but no PodDisruptionBudget in namespace monitoring selects its pods (pod labels app.kubernetes.io/name=thanos-ruler, app.kubernetes.io/instance=ruler, app.kubernetes.io/managed-by=prometheus-operator, thanos-ruler=ruler). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "an Elasticsearch with podDisruptionBudget {} has no PDB": {
        "stateful-workload-has-pdb": [
            "Elasticsearch logging/logs is stateful but no PodDisruptionBudget in namespace logging selects its pods (pod labels common.k8s.elastic.co/type=elasticsearch, elasticsearch.k8s.elastic.co/cluster-name=logs, elasticsearch.k8s.elastic.co/statefulset-name=logs-es-default). Remove spec.podDisruptionBudget to get ECK's default PDB, or give its spec a selector that matches these pods and maxUnavailable: 1."
        ]
    },
    "{spec: {}} disables ECK's PDB too": {
        "stateful-workload-has-pdb": [
            "Elasticsearch logging/logs is stateful but no PodDisruptionBudget in namespace logging selects its pods (pod labels common.k8s.elastic.co/type=elasticsearch, elasticsearch.k8s.elastic.co/cluster-name=logs, elasticsearch.k8s.elastic.co/statefulset-name=logs-es-default). Remove spec.podDisruptionBudget to get ECK's default PDB, or give its spec a selector that matches these pods and maxUnavailable: 1."
        ]
    },
    "{metadata: {}} disables ECK's PDB too": {
        "stateful-workload-has-pdb": [
            "Elasticsearch logging/logs is stateful but no PodDisruptionBudget in namespace logging selects its pods (pod labels common.k8s.elastic.co/type=elasticsearch, elasticsearch.k8s.elastic.co/cluster-name=logs, elasticsearch.k8s.elastic.co/statefulset-name=logs-es-default). Remove spec.podDisruptionBudget to get ECK's default PDB, or give its spec a selector that matches these pods and maxUnavailable: 1."
        ]
    },
    "a user spec becomes the PDB and must allow an eviction": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget logging/logs-es-default (ECK's copy of Elasticsearch logging/logs spec.podDisruptionBudget.spec) sets maxUnavailable: 0, which allows no eviction, so kubectl drain waits forever on nodes running those pods. Set spec.podDisruptionBudget.spec.maxUnavailable: 1 on the Elasticsearch, or remove spec.podDisruptionBudget to get ECK's default."
        ]
    },
    "a user spec without a selector selects no pod": {
        "stateful-workload-has-pdb": [
            "Elasticsearch logging/logs is stateful but no PodDisruptionBudget in namespace logging selects its pods (pod labels common.k8s.elastic.co/type=elasticsearch, elasticsearch.k8s.elastic.co/cluster-name=logs, elasticsearch.k8s.elastic.co/statefulset-name=logs-es-default). Remove spec.podDisruptionBudget to get ECK's default PDB, or give its spec a selector that matches these pods and maxUnavailable: 1."
        ]
    },
    "a PDB beside ECK's own one double-covers": {
        "pod-covered-by-one-pdb": [
            "Elasticsearch logging/logs pods are selected by 2 PodDisruptionBudgets (PodDisruptionBudget logging/logs, PodDisruptionBudget logging/logs-es-default (made by ECK for Elasticsearch logging/logs)): the eviction API refuses to evict a pod with more than one, so drains stall. Keep exactly one."
        ]
    },
    "several nodeSets are counted and judged per nodeSet": {
        "pdb-allows-voluntary-disruption": [
            "PodDisruptionBudget logging/all sets minAvailable: 3 for 3 pods of Elasticsearch logging/logs nodeSet hot (StatefulSet logs-es-hot), Elasticsearch logging/logs nodeSet warm (StatefulSet logs-es-warm), which allows no eviction, so kubectl drain waits forever on nodes running those pods. Use maxUnavailable: 1."
        ],
        "pod-covered-by-one-pdb": [
            "Elasticsearch logging/logs nodeSet hot (StatefulSet logs-es-hot) pods are selected by 2 PodDisruptionBudgets (PodDisruptionBudget logging/all, PodDisruptionBudget logging/hot): the eviction API refuses to evict a pod with more than one, so drains stall. Keep exactly one."
        ]
    },
    "a PDB without unhealthyPodEvictionPolicy is advised AlwaysAllow": {
        "pdb-evicts-unhealthy-pods": [
            "PodDisruptionBudget data/db sets no unhealthyPodEvictionPolicy, so the API server's IfHealthyBudget applies: one pod that is running but never becomes ready holds every drain of its node. Set unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "IfHealthyBudget is advised AlwaysAllow": {
        "pdb-evicts-unhealthy-pods": [
            "PodDisruptionBudget data/db sets unhealthyPodEvictionPolicy: \"IfHealthyBudget\": one pod that is running but never becomes ready holds every drain of its node. Set unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "an Elasticsearch PDB spec without the policy is advised it": {
        "pdb-evicts-unhealthy-pods": [
            "Elasticsearch logging/logs spec.podDisruptionBudget.spec sets no unhealthyPodEvictionPolicy, so the API server's IfHealthyBudget applies: one pod that is running but never becomes ready holds every drain of its node. Set unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "a Deployment mounting a claim is stateful": {
        "stateful-workload-has-pdb": [
            "Deployment monitoring/grafana is stateful but no PodDisruptionBudget in namespace monitoring selects its pods (pod labels app=grafana). Add one with maxUnavailable: 1 and unhealthyPodEvictionPolicy: AlwaysAllow."
        ]
    },
    "a multi-replica Deployment without a PDB is advised one": {
        "replicated-deployment-has-pdb": [
            "Deployment apps/web runs 2 replicas but no PodDisruptionBudget in namespace apps selects its pods (pod labels app=web): a drain may evict all of them at once. Add a PDB with maxUnavailable: 1, and spread the replicas over nodes (topologySpreadConstraints on kubernetes.io/hostname)."
        ]
    },
    "a multi-replica Kibana without a PDB is advised one": {
        "replicated-deployment-has-pdb": [
            "Kibana logging/kb runs 2 replicas but no PodDisruptionBudget in namespace logging selects its pods (pod labels common.k8s.elastic.co/type=kibana, kibana.k8s.elastic.co/name=kb): a drain may evict all of them at once. Add a PDB with maxUnavailable: 1, and spread the replicas over nodes (topologySpreadConstraints on kubernetes.io/hostname)."
        ]
    },
    "no tolerations": {
        "daemonset-tolerates-all-taints": [
            "DaemonSet logging/agent does not tolerate every taint: a NoSchedule taint (e.g. node-role.kubernetes.io/control-plane, nvidia.com/gpu, a dedicated-pool taint) keeps its pods off that node; a NoExecute taint (e.g. a dedicated-node or maintenance taint) keeps its pods off that node and evicts those already running (the DaemonSet controller itself adds tolerations for cordoned, NotReady, unreachable and pressured nodes; a PreferNoSchedule taint is only a soft preference). Add the toleration {operator: Exists} (no key, effect or tolerationSeconds)."
        ]
    },
    "per-effect tolerations are accepted by Kubernetes, not by the pack": {
        "daemonset-tolerates-all-taints": [
            "DaemonSet logging/agent tolerates every NoSchedule and NoExecute taint through per-effect tolerations, which Kubernetes accepts; this pack asks for the single toleration instead so no taint effect can be missed. Add the toleration {operator: Exists} (no key, effect or tolerationSeconds)."
        ]
    },
    "a timed toleration of another taint evicts": {
        "daemonset-tolerates-all-taints": [
            "DaemonSet logging/agent tolerates dedicated:NoExecute for only 60s: the taint manager evicts its pods that long after a matching NoExecute taint appears. Drop tolerationSeconds."
        ]
    },
    "an init container without requests": {
        "node-agent-requests-and-priority": [
            "DaemonSet logging/agent init container init sets no requests.cpu, requests.memory, limits.memory. Set them."
        ]
    },
    "the default priority": {
        "node-agent-requests-and-priority": [
            "DaemonSet logging/agent runs at the default priority, so its pods are preempted before others when a node is full. Set priorityClassName: system-node-critical."
        ]
    }
};

describe("messages say, word for word, what Kubernetes does and how to fix it", () => {
    for (const c of CASES) {
        it(`${c.name}: ${MESSAGES[c.name] ? "reports exactly these messages" : "reports nothing"}`, () => {
            const actual: Record<string, string[]> = {};
            for (const v of evaluate(subjects(...c.objects)).violations) {
                actual[v.rule] = [...(actual[v.rule] ?? []), v.message].sort();
            }
            assert.deepStrictEqual(actual, MESSAGES[c.name] ?? {});
        });
    }
});
