/**
 * What runs pods, the labels those pods carry and how many there are, including pods that
 * operators create from custom resources. The labels are the ones each operator sets on the
 * pods it creates (sources cited per entry), so a PDB written against them can be judged.
 */
import { kindOf, KubeObject, LabelSelector, nameOf, namespaceOf, podSpecOf, selectorMatches, Subject } from "./kube";

export interface Workload {
    readonly subject: Subject;
    readonly namespace: string;
    /** Labels every pod of the workload carries. */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Desired pods, when the object says (DaemonSets depend on the node count: undefined). */
    readonly replicas?: number;
    /** Keeps data on a PersistentVolumeClaim or is an operator-managed data store. */
    readonly stateful: boolean;
    /** The name of a PDB the operator creates itself for these pods, when it does. */
    readonly operatorPdb?: string;
}

function templateLabels(object: KubeObject): Record<string, string> {
    const template = object.kind === "CronJob" ? object.spec?.jobTemplate?.spec?.template : object.spec?.template;
    return { ...(template?.metadata?.labels ?? {}) };
}

function mountsClaim(object: KubeObject): boolean {
    const volumes: any[] = podSpecOf(object)?.volumes ?? [];
    return volumes.some((v) => v?.persistentVolumeClaim) || (object.spec?.volumeClaimTemplates ?? []).length > 0;
}

const PROMETHEUS_OPERATOR = "monitoring.coreos.com";

/**
 * Pod labels set by the Prometheus Operator (pkg/prometheus/statefulset.go, pkg/alertmanager and
 * pkg/thanos in prometheus-operator v0.93), merged with `spec.podMetadata.labels`.
 */
function prometheusOperatorLabels(object: KubeObject, app: string, legacyKey: string): Record<string, string> {
    const name = object.metadata?.name ?? "";
    return {
        ...(object.spec?.podMetadata?.labels ?? {}),
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/managed-by": "prometheus-operator",
        ...(app === "prometheus" ? { "operator.prometheus.io/name": name, "operator.prometheus.io/shard": "0" } : {}),
        [legacyKey]: name,
    };
}

/** The workload a subject describes, or undefined for objects that run no pods. */
export function workloadOf(subject: Subject): Workload | undefined {
    const object = subject.object;
    const kind = kindOf(subject);
    const group = (object.apiVersion ?? "").split("/")[0];
    const namespace = namespaceOf(subject);
    const base = { subject, namespace };
    switch (kind) {
        case "StatefulSet":
            return { ...base, podLabels: templateLabels(object), replicas: object.spec?.replicas ?? 1, stateful: true };
        case "Deployment":
        case "ReplicaSet":
            return { ...base, podLabels: templateLabels(object), replicas: object.spec?.replicas ?? 1, stateful: mountsClaim(object) };
        case "DaemonSet":
            return { ...base, podLabels: templateLabels(object), stateful: false };
    }
    if (group === PROMETHEUS_OPERATOR) {
        const shards = object.spec?.shards ?? 1;
        if (kind === "Prometheus") {
            return { ...base, podLabels: prometheusOperatorLabels(object, "prometheus", "prometheus"), replicas: (object.spec?.replicas ?? 1) * shards, stateful: true };
        }
        if (kind === "Alertmanager") {
            return { ...base, podLabels: prometheusOperatorLabels(object, "alertmanager", "alertmanager"), replicas: object.spec?.replicas ?? 1, stateful: true };
        }
        if (kind === "ThanosRuler") {
            return { ...base, podLabels: prometheusOperatorLabels(object, "thanos-ruler", "thanos-ruler"), replicas: object.spec?.replicas ?? 1, stateful: true };
        }
    }
    if (group === "elasticsearch.k8s.elastic.co" && kind === "Elasticsearch") {
        // ECK labels every node pod with the cluster name and creates `<name>-es-default` as a
        // PDB unless spec.podDisruptionBudget is an empty object
        // (https://www.elastic.co/docs/deploy-manage/deploy/cloud-on-k8s/pod-disruption-budget).
        const pdb = object.spec?.podDisruptionBudget;
        const disabled = pdb !== undefined && pdb !== null && Object.keys(pdb).length === 0;
        const replicas = (object.spec?.nodeSets ?? []).reduce((sum: number, set: any) => sum + (set?.count ?? 0), 0);
        return {
            ...base,
            podLabels: { "common.k8s.elastic.co/type": "elasticsearch", "elasticsearch.k8s.elastic.co/cluster-name": nameOf(subject) },
            replicas,
            stateful: true,
            operatorPdb: disabled ? undefined : `${nameOf(subject)}-es-default`,
        };
    }
    if ((group === "mongodbcommunity.mongodb.com" && kind === "MongoDBCommunity") || (group === "mongodb.com" && kind === "MongoDB")) {
        // The MongoDB operators label replica-set pods `app: <name>-svc` and make no PDB.
        return { ...base, podLabels: { app: `${nameOf(subject)}-svc` }, replicas: object.spec?.members ?? 1, stateful: true };
    }
    return undefined;
}

export interface Pdb {
    readonly subject: Subject;
    readonly namespace: string;
    readonly selector?: LabelSelector;
}

export function isPdb(subject: Subject): boolean {
    return kindOf(subject) === "PodDisruptionBudget";
}

interface LabelIndex<T> {
    /** Items under each `key=value` they require (PDBs) or carry (workloads). */
    readonly byLabel: Map<string, T[]>;
    /** PDBs with no matchLabels (expressions only, or empty): checked against every workload. */
    readonly rest: T[];
}

function push<K, T>(map: Map<K, T[]>, key: K, item: T): void {
    const list = map.get(key);
    if (list) list.push(item); else map.set(key, [item]);
}

/**
 * Everything the stack-level rules need, built in one pass. PDBs are indexed by namespace and
 * by one required label, workloads by namespace and every label they carry, so matching stays
 * linear in the number of objects instead of workloads x PDBs.
 */
export interface Inventory {
    readonly workloads: readonly Workload[];
    readonly pdbsByNamespace: ReadonlyMap<string, readonly Pdb[]>;
    readonly pdbIndex: ReadonlyMap<string, LabelIndex<Pdb>>;
    readonly workloadIndex: ReadonlyMap<string, LabelIndex<Workload>>;
}

const cache = new WeakMap<readonly Subject[], Inventory>();

export function inventory(subjects: readonly Subject[]): Inventory {
    const cached = cache.get(subjects);
    if (cached) {
        return cached;
    }
    const workloads: Workload[] = [];
    const pdbsByNamespace = new Map<string, Pdb[]>();
    const pdbIndex = new Map<string, LabelIndex<Pdb>>();
    const workloadIndex = new Map<string, LabelIndex<Workload>>();
    const indexOf = <T>(map: Map<string, LabelIndex<T>>, ns: string) => {
        let index = map.get(ns);
        if (!index) map.set(ns, (index = { byLabel: new Map(), rest: [] }));
        return index;
    };
    for (const subject of subjects) {
        if (isPdb(subject)) {
            const namespace = namespaceOf(subject);
            const pdb: Pdb = { subject, namespace, selector: subject.object.spec?.selector };
            push(pdbsByNamespace, namespace, pdb);
            const first = Object.entries(pdb.selector?.matchLabels ?? {})[0];
            const index = indexOf(pdbIndex, namespace);
            if (first) push(index.byLabel, `${first[0]}=${first[1]}`, pdb); else index.rest.push(pdb);
            continue;
        }
        const workload = workloadOf(subject);
        if (workload) {
            workloads.push(workload);
            const index = indexOf(workloadIndex, workload.namespace);
            index.rest.push(workload);
            for (const [k, v] of Object.entries(workload.podLabels)) push(index.byLabel, `${k}=${v}`, workload);
        }
    }
    const inv = { workloads, pdbsByNamespace, pdbIndex, workloadIndex };
    cache.set(subjects, inv);
    return inv;
}

/** The PDBs of the workload's namespace that select its pods. */
export function pdbsCovering(inv: Inventory, workload: Workload): Pdb[] {
    const index = inv.pdbIndex.get(workload.namespace);
    if (!index) {
        return [];
    }
    const candidates = [...index.rest, ...Object.entries(workload.podLabels).flatMap(([k, v]) => index.byLabel.get(`${k}=${v}`) ?? [])];
    return candidates.filter((pdb) => selectorMatches(pdb.selector, workload.podLabels));
}

/** The workloads whose pods a PDB selects. */
export function workloadsSelectedBy(inv: Inventory, pdb: Pdb): Workload[] {
    const index = inv.workloadIndex.get(pdb.namespace);
    if (!index) {
        return [];
    }
    const first = Object.entries(pdb.selector?.matchLabels ?? {})[0];
    const candidates = first ? index.byLabel.get(`${first[0]}=${first[1]}`) ?? [] : index.rest;
    return candidates.filter((w) => selectorMatches(pdb.selector, w.podLabels));
}
