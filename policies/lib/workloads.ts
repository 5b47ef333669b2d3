/**
 * What runs pods, the labels those pods carry and how many there are, including pods that
 * operators create from custom resources, and the PDBs that select them, including the ones
 * operators create. The labels are the ones each operator sets on the pods it creates (sources
 * cited per entry), so a PDB written against them is judged as the disruption controller would.
 */
import {
    attempt, describe, groupOf, isUnknown, kindOf, LabelSelector, nameOf, namespaceOf, plain, podTemplateOf, selectorMatches, selectorProblem, Subject, Unknown,
} from "./kube";

export interface Workload {
    /** The object that declares the pods (a StatefulSet, or the operator's custom resource). */
    readonly subject: Subject;
    /** `Kind namespace/name`, plus the shard or nodeSet when one resource makes several. */
    readonly label: string;
    readonly namespace: string;
    /** Labels every pod of the workload carries. */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Desired pods; undefined when the object does not say (DaemonSets follow the node count). */
    readonly replicas: number | undefined | Unknown;
    /** Keeps data on a PersistentVolumeClaim or is an operator-managed data store. */
    readonly stateful: boolean | Unknown;
    /** A Deployment (or ECK Kibana) whose replicas serve requests. */
    readonly deployment: boolean;
}

export interface Budget {
    readonly minAvailable?: unknown;
    readonly maxUnavailable?: unknown;
}

export interface Pdb {
    /** The object findings are reported against: the PDB, or the resource its operator makes it from. */
    readonly subject: Subject;
    /** How messages name the PDB. */
    readonly label: string;
    readonly name: string;
    readonly namespace: string;
    /** As the API server stores it; a selector the API server would reject selects nothing. */
    readonly selector: LabelSelector | null | undefined | Unknown;
    readonly budget: Budget | Unknown;
    /** Why the API server rejects the object, when it does. */
    readonly invalid?: string;
    /** Its numbers are set by the operator from live cluster state, not by this spec. */
    readonly managed?: string;
}

/** A subject whose workload or PDB cannot be built because a value it needs is unknown during preview. */
export interface Unchecked {
    readonly subject: Subject;
    readonly unknown: string;
    readonly pdb: boolean;
}

function templateLabels(template: any): Record<string, string> {
    return { ...(plain(template?.metadata?.labels) ?? {}) };
}

function mountsClaim(object: any, template: any): boolean {
    const volumes: any[] = template?.spec?.volumes ?? [];
    return volumes.some((v) => v?.persistentVolumeClaim) || (object.spec?.volumeClaimTemplates ?? []).length > 0;
}

function count(read: () => unknown, absent: number | undefined): number | undefined | Unknown {
    const value = attempt(read);
    if (isUnknown(value)) return value;
    if (value === undefined || value === null) return absent;
    return Number.isInteger(value) ? (value as number) : undefined;
}

/**
 * Pods of the Prometheus Operator's kinds (prometheus-operator v0.93.0):
 * pkg/prometheus/server/operator.go makeSelectorLabels and statefulset.go, pkg/alertmanager/statefulset.go,
 * pkg/thanos/statefulset.go. `spec.podMetadata.labels` are kept, the operator's own labels win.
 * Prometheus runs one StatefulSet per shard (pkg/prometheus/common.go prometheusNameByShard):
 * `prometheus-<cr>` for shard 0, `prometheus-<cr>-shard-<n>` after, each with `spec.replicas` pods
 * labelled `operator.prometheus.io/shard: "<n>"`; `shards` unset or below 2 means one shard.
 */
function prometheusOperatorWorkloads(subject: Subject, kind: string, namespace: string): Workload[] {
    const object = subject.object;
    const name = nameOf(subject);
    const app = { Prometheus: "prometheus", Alertmanager: "alertmanager", ThanosRuler: "thanos-ruler" }[kind]!;
    const base = {
        ...templateLabels(object.spec?.podMetadata ? { metadata: object.spec.podMetadata } : undefined),
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/managed-by": "prometheus-operator",
        [app]: name,
    };
    const replicas = count(() => object.spec?.replicas, 1);
    if (kind !== "Prometheus") {
        return [{ subject, label: describe(subject), namespace, podLabels: base, replicas, stateful: true, deployment: false }];
    }
    // How many pods carry which shard label is what every PDB is judged on, so an unknown count leaves the whole resource unchecked.
    const shards = object.spec?.shards;
    const n = Number.isInteger(shards) && shards > 1 ? shards : 1;
    return Array.from({ length: n }, (_, shard) => ({
        subject,
        label: n === 1 ? describe(subject) : `${describe(subject)} shard ${shard} (StatefulSet prometheus-${name}${shard === 0 ? "" : `-shard-${shard}`})`,
        namespace,
        podLabels: { ...base, "operator.prometheus.io/name": name, "operator.prometheus.io/shard": String(shard) },
        replicas,
        stateful: true,
        deployment: false,
    }));
}

/**
 * ECK 3.5.0 (elastic/cloud-on-k8s): one StatefulSet `<es>-es-<nodeSet>` per nodeSet, pods labelled
 * with the cluster name and StatefulSet name (pkg/controller/elasticsearch/label/label.go NewPodLabels)
 * over the nodeSet's podTemplate labels.
 */
function elasticsearchWorkloads(subject: Subject, namespace: string): Workload[] {
    const es = nameOf(subject);
    const nodeSets: any[] = subject.object.spec?.nodeSets ?? [];
    return nodeSets.map((set) => {
        const sset = `${es}-es-${set?.name}`;
        return {
            subject,
            label: nodeSets.length === 1 ? describe(subject) : `${describe(subject)} nodeSet ${set?.name} (StatefulSet ${sset})`,
            namespace,
            podLabels: {
                ...templateLabels(set?.podTemplate),
                "common.k8s.elastic.co/type": "elasticsearch",
                "elasticsearch.k8s.elastic.co/cluster-name": es,
                "elasticsearch.k8s.elastic.co/statefulset-name": sset,
            },
            replicas: count(() => set?.count, 0),
            stateful: true,
            deployment: false,
        };
    });
}

const METADATA_FIELDS = ["annotations", "finalizers", "labels", "name", "namespace"];
const PDB_SPEC_FIELDS = ["maxUnavailable", "minAvailable", "selector", "unhealthyPodEvictionPolicy"];
/** Not the Go zero value: "" is zero for a string field, while an empty map or list is not nil. */
const set = (v: unknown) => v !== undefined && v !== null && v !== "";

/**
 * The PDB ECK makes for an Elasticsearch (pkg/controller/elasticsearch/pdb/reconcile_default.go
 * expectedPDB, pkg/apis/common/v1/common.go IsDisabled/IsSpecified):
 * - `spec.podDisruptionBudget` absent: the default PDB `<es>-es-default`, selecting
 *   `elasticsearch.k8s.elastic.co/cluster-name: <es>`, minAvailable set from the live cluster health;
 * - equal to the zero template after the CRD prunes unknown fields (`{}`, `{spec: {}}`,
 *   `{metadata: {}}`): disabled, no PDB (IsDisabled is a reflect.DeepEqual with the zero value, so
 *   an empty `labels: {}` map or `finalizers: []` list already makes it non-zero);
 * - with any of spec.selector/minAvailable/maxUnavailable/unhealthyPodEvictionPolicy: that spec
 *   verbatim becomes the PDB, selector included (a spec without one selects no pod).
 * With an enterprise license and no spec ECK makes one PDB per role group instead, each pod still
 * under exactly one of them (reconcile_with_roles.go), so coverage is the same.
 */
function elasticsearchPdb(subject: Subject, namespace: string): Pdb | undefined {
    const template = subject.object.spec?.podDisruptionBudget;
    const name = `${nameOf(subject)}-es-default`;
    const spec = template?.spec ?? {};
    const metadata = template?.metadata ?? {};
    if (template !== undefined && template !== null && PDB_SPEC_FIELDS.some((f) => spec[f] !== undefined && spec[f] !== null)) {
        return {
            subject, name, namespace,
            label: `PodDisruptionBudget ${namespace}/${name} (ECK's copy of ${describe(subject)} spec.podDisruptionBudget.spec)`,
            ...pdbFields(spec),
        };
    }
    if (template !== undefined && template !== null && !METADATA_FIELDS.some((f) => set(metadata[f]))) {
        return undefined;
    }
    return {
        subject, name, namespace,
        label: `PodDisruptionBudget ${namespace}/${name} (made by ECK for ${describe(subject)})`,
        selector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": nameOf(subject) } },
        budget: {},
        managed: "ECK sets its minAvailable from the cluster's health",
    };
}

/**
 * Why the API server rejects a PDB spec (k8s pkg/apis/policy/validation ValidatePodDisruptionBudgetSpec
 * and apimachinery ValidateLabelSelector), judged on the values that are known.
 */
function pdbProblem(budget: Budget | Unknown, selector: Pdb["selector"]): string | undefined {
    const problems: string[] = [];
    if (!isUnknown(budget)) {
        if (set(budget.minAvailable) && set(budget.maxUnavailable)) {
            problems.push("minAvailable and maxUnavailable cannot both be set");
        }
        for (const field of ["minAvailable", "maxUnavailable"] as const) {
            const value = budget[field];
            if (value === undefined || value === null) continue;
            const ok = (Number.isInteger(value) && (value as number) >= 0) || (typeof value === "string" && /^[0-9]+%$/.test(value) && Number(value.slice(0, -1)) <= 100);
            if (!ok) problems.push(`${field}: ${JSON.stringify(value)} is not a non-negative integer or a percentage from 0% to 100%`);
        }
    }
    const bad = isUnknown(selector) ? undefined : selectorProblem(selector);
    if (bad) problems.push(`selector: ${bad}`);
    return problems.length > 0 ? problems.join("; ") : undefined;
}

/** A PDB's selector and numbers, each read on its own so one unknown value does not hide the other. */
function pdbFields(spec: any): Pick<Pdb, "selector" | "budget" | "invalid"> {
    const selector = attempt(() => plain(spec?.selector));
    const budget = attempt(() => ({ minAvailable: plain(spec?.minAvailable), maxUnavailable: plain(spec?.maxUnavailable) }));
    return { selector, budget, invalid: pdbProblem(budget, selector) };
}

/** The workloads a subject declares (several for a sharded Prometheus or a multi-nodeSet Elasticsearch). */
export function workloadsOf(subject: Subject): Workload[] {
    const object = subject.object;
    const kind = kindOf(subject);
    const group = groupOf(subject);
    const namespace = namespaceOf(subject);
    const one = (podLabels: Record<string, string>, replicas: Workload["replicas"], stateful: Workload["stateful"], deployment = false): Workload[] =>
        [{ subject, label: describe(subject), namespace, podLabels, replicas, stateful, deployment }];
    const template = podTemplateOf(object, kind);
    switch (`${group}:${kind}`) {
        case "apps:StatefulSet":
            return one(templateLabels(template), count(() => object.spec?.replicas, 1), true);
        case "apps:Deployment":
        case "apps:ReplicaSet":
            return one(templateLabels(template), count(() => object.spec?.replicas, 1), attempt(() => mountsClaim(object, template)), kind === "Deployment");
        case "apps:DaemonSet":
            return one(templateLabels(template), undefined, false);
        case "monitoring.coreos.com:Prometheus":
        case "monitoring.coreos.com:Alertmanager":
        case "monitoring.coreos.com:ThanosRuler":
            return prometheusOperatorWorkloads(subject, kind, namespace);
        case "elasticsearch.k8s.elastic.co:Elasticsearch":
            return elasticsearchWorkloads(subject, namespace);
        case "kibana.k8s.elastic.co:Kibana":
            // ECK: Deployment `<kb>-kb`, pods labelled by pkg/controller/kibana/label NewLabels; no PDB of its own.
            return one({ ...templateLabels(object.spec?.podTemplate), "common.k8s.elastic.co/type": "kibana", "kibana.k8s.elastic.co/name": nameOf(subject) },
                count(() => object.spec?.count, 1), false, true);
        case "mongodbcommunity.mongodb.com:MongoDBCommunity":
        case "mongodb.com:MongoDB":
            // mongodb-community-operator controllers/construct/mongodbstatefulset.go: every member pod is
            // labelled `app: <serviceName>`, `<name>-svc` unless spec.statefulSet.spec.serviceName says otherwise. No PDB.
            return one({ app: object.spec?.statefulSet?.spec?.serviceName ?? `${nameOf(subject)}-svc` }, count(() => object.spec?.members, 1), true);
        default:
            return [];
    }
}

export function isPdb(subject: Subject): boolean {
    return kindOf(subject) === "PodDisruptionBudget" && groupOf(subject) === "policy";
}

function pdbOf(subject: Subject): Pdb {
    const spec = subject.object.spec;
    const namespace = namespaceOf(subject);
    const name = nameOf(subject);
    return {
        subject, name, namespace, label: describe(subject),
        ...pdbFields(spec),
    };
}

const SEP = "\u0000";

interface NamespaceIndex {
    /** Workloads under every `key SEP value` and every key their pods carry. */
    readonly workloadsByLabel: Map<string, Workload[]>;
    readonly workloadsByKey: Map<string, Workload[]>;
    readonly workloads: Workload[];
    /** PDBs under the most selective positive requirement of their selector. */
    readonly pdbsByLabel: Map<string, Pdb[]>;
    readonly pdbsByKey: Map<string, Pdb[]>;
    /** PDBs with no positive requirement (empty, NotIn/DoesNotExist only): candidates for every workload. */
    readonly pdbsForAll: Pdb[];
    /** PDBs whose selector is unknown during preview: they may select any pod here. */
    readonly pdbsUnknown: Pdb[];
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
    const list = map.get(key);
    if (list) list.push(item); else map.set(key, [item]);
}

/** The requirement an index files a selector under: matchLabels, then In, then Exists. */
function anchorOf(selector: LabelSelector): { labels: string[] } | { key: string } | undefined {
    const first = Object.entries(selector.matchLabels ?? {})[0];
    if (first) return { labels: [`${first[0]}${SEP}${first[1]}`] };
    const reqs = selector.matchExpressions ?? [];
    const inReq = reqs.find((r) => r.operator === "In");
    if (inReq) return { labels: [...new Set(inReq.values ?? [])].map((v) => `${inReq.key}${SEP}${v}`) };
    const exists = reqs.find((r) => r.operator === "Exists");
    return exists ? { key: exists.key } : undefined;
}

/**
 * Everything the stack-level rules need, built in one pass. PDBs and workloads are indexed by
 * namespace and label, so matching stays near-linear in the number of objects for every selector
 * form instead of workloads x PDBs. Only selectors with no positive requirement (empty, or only
 * NotIn/DoesNotExist) are tried against every workload of their namespace.
 */
export interface Inventory {
    readonly workloads: readonly Workload[];
    readonly pdbs: readonly Pdb[];
    readonly unchecked: readonly Unchecked[];
    /** PDBs whose namespace is unknown during preview: they may select pods anywhere. */
    readonly pdbsAnywhere: readonly string[];
    readonly namespaces: ReadonlyMap<string, NamespaceIndex>;
}

const cache = new WeakMap<readonly Subject[], Inventory>();

export function inventory(subjects: readonly Subject[]): Inventory {
    const cached = cache.get(subjects);
    if (cached) {
        return cached;
    }
    const workloads: Workload[] = [];
    const pdbs: Pdb[] = [];
    const unchecked: Unchecked[] = [];
    const namespaces = new Map<string, NamespaceIndex>();
    const indexOf = (ns: string) => {
        let index = namespaces.get(ns);
        if (!index) {
            index = { workloadsByLabel: new Map(), workloadsByKey: new Map(), workloads: [], pdbsByLabel: new Map(), pdbsByKey: new Map(), pdbsForAll: [], pdbsUnknown: [] };
            namespaces.set(ns, index);
        }
        return index;
    };
    const addPdb = (pdb: Pdb) => {
        pdbs.push(pdb);
        const index = indexOf(pdb.namespace);
        if (isUnknown(pdb.selector)) {
            index.pdbsUnknown.push(pdb);
            return;
        }
        if (!pdb.selector || pdb.invalid) {
            return;
        }
        const anchor = anchorOf(pdb.selector);
        if (!anchor) index.pdbsForAll.push(pdb);
        else if ("key" in anchor) push(index.pdbsByKey, anchor.key, pdb);
        else anchor.labels.forEach((l) => push(index.pdbsByLabel, l, pdb));
    };
    for (const subject of subjects) {
        const built = attempt(() => {
            if (isPdb(subject)) {
                return { pdbs: [pdbOf(subject)], workloads: [] };
            }
            const ws = workloadsOf(subject);
            const esPdb = kindOf(subject) === "Elasticsearch" && groupOf(subject) === "elasticsearch.k8s.elastic.co" ? elasticsearchPdb(subject, namespaceOf(subject)) : undefined;
            return { pdbs: esPdb ? [esPdb] : [], workloads: ws };
        });
        if (isUnknown(built)) {
            unchecked.push({ subject, unknown: built.unknown, pdb: isPdb(subject) });
            continue;
        }
        built.pdbs.forEach(addPdb);
        for (const w of built.workloads) {
            workloads.push(w);
            const index = indexOf(w.namespace);
            index.workloads.push(w);
            for (const [k, v] of Object.entries(w.podLabels)) {
                push(index.workloadsByLabel, `${k}${SEP}${v}`, w);
                push(index.workloadsByKey, k, w);
            }
        }
    }
    const pdbsAnywhere = unchecked.filter((u) => u.pdb).map((u) => describe(u.subject));
    const inv = { workloads, pdbs, unchecked, pdbsAnywhere, namespaces };
    cache.set(subjects, inv);
    return inv;
}

/** The PDBs of the workload's namespace that select its pods, and those whose selector is unknown. */
export function pdbsCovering(inv: Inventory, workload: Workload): { known: Pdb[]; unknown: string[] } {
    const index = inv.namespaces.get(workload.namespace);
    const unknown = [...(index?.pdbsUnknown ?? []).map((p) => p.label), ...inv.pdbsAnywhere];
    if (!index) {
        return { known: [], unknown };
    }
    const candidates = [
        ...index.pdbsForAll,
        ...Object.entries(workload.podLabels).flatMap(([k, v]) => [...(index.pdbsByLabel.get(`${k}${SEP}${v}`) ?? []), ...(index.pdbsByKey.get(k) ?? [])]),
    ];
    return { known: candidates.filter((pdb) => selectorMatches(pdb.selector as LabelSelector, workload.podLabels)), unknown };
}

/** The workloads whose pods a PDB (with a known, valid selector) selects. */
export function workloadsSelectedBy(inv: Inventory, pdb: Pdb): Workload[] {
    const index = inv.namespaces.get(pdb.namespace);
    const selector = pdb.selector as LabelSelector | null | undefined;
    if (!index || !selector || pdb.invalid) {
        return [];
    }
    const anchor = anchorOf(selector);
    const candidates = !anchor ? index.workloads
        : "key" in anchor ? index.workloadsByKey.get(anchor.key) ?? []
            : anchor.labels.flatMap((l) => index.workloadsByLabel.get(l) ?? []);
    return candidates.filter((w) => selectorMatches(selector, w.podLabels));
}
