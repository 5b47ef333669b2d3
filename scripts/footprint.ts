/**
 * What a stack asks of the cluster, from its full render: the requests of the DaemonSets (paid on
 * every node), and the requests of everything else including the pods operators create from
 * custom resources, at the operator's default where the resource sets none. Jobs are left out:
 * they run once and finish. CPU in millicores, memory in MiB.
 */
import { parseQuantity } from "../components/shared/quantity";
import { KubeObject } from "./chart-render";

export interface Requests {
    cpu: number;
    memory: number;
}

export interface WorkloadFootprint extends Requests {
    readonly kind: string;
    readonly namespace: string;
    readonly name: string;
    /** Pods (for a DaemonSet: per node). */
    readonly pods: number;
}

export interface Footprint {
    readonly perNode: Requests & { readonly daemonSets: WorkloadFootprint[] };
    readonly total: Requests & { readonly workloads: WorkloadFootprint[] };
    /** `Kind namespace/name container` for every long-running container that requests neither CPU nor memory. */
    readonly withoutRequests: string[];
}

type Container = { name?: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

const millicores = (q: string | undefined) => (q === undefined ? 0 : Math.round(parseQuantity(String(q)) * 1000));
const mebibytes = (q: string | undefined) => (q === undefined ? 0 : Math.round(parseQuantity(String(q)) / 2 ** 20));

/** A container's requests; Kubernetes defaults a missing request to the limit. */
function requestsOf(c: Container): Requests {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    return { cpu: millicores(req.cpu ?? lim.cpu), memory: mebibytes(req.memory ?? lim.memory) };
}

/** A pod's effective requests: its containers together, or its largest init container if larger. */
function podRequests(containers: readonly Container[], initContainers: readonly Container[] = []): Requests {
    const sum = containers.map(requestsOf).reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
    for (const init of initContainers.map(requestsOf)) {
        sum.cpu = Math.max(sum.cpu, init.cpu);
        sum.memory = Math.max(sum.memory, init.memory);
    }
    return sum;
}

/**
 * Defaults the operators apply to a container the custom resource leaves without resources:
 * ECK gives Elasticsearch 2Gi and Kibana 1Gi of memory (requests and limits), and no CPU
 * (ECK docs, "Manage compute resources", defaults table).
 */
const OPERATOR_DEFAULTS: Record<string, Container["resources"]> = {
    "Elasticsearch/elasticsearch": { requests: { memory: "2Gi" }, limits: { memory: "2Gi" } },
    "Kibana/kibana": { requests: { memory: "1Gi" }, limits: { memory: "1Gi" } },
};

function withDefault(kind: string, main: string, containers: readonly Container[] = []): Container[] {
    const out = containers.map((c) => ({ ...c }));
    const found = out.find((c) => c.name === main);
    const fallback = OPERATOR_DEFAULTS[`${kind}/${main}`];
    if (found && !found.resources && fallback) {
        found.resources = fallback;
    } else if (!found) {
        out.push({ name: main, resources: fallback });
    }
    return out;
}

/** The prometheus-operator's config-reloader sidecar, as the operator's own flags set it. */
function configReloader(objects: readonly KubeObject[]): Container {
    const args: string[] = objects
        .filter((o) => o.kind === "Deployment")
        .flatMap((o) => o.spec?.template?.spec?.containers ?? [])
        .flatMap((c: { args?: string[] }) => c.args ?? [])
        .filter((a: string) => a.startsWith("--config-reloader-"));
    const flag = (name: string) => args.find((a) => a.startsWith(`--config-reloader-${name}=`))?.split("=")[1];
    const requests: Record<string, string> = {};
    const cpu = flag("cpu-request");
    const memory = flag("memory-request");
    if (cpu !== undefined && cpu !== "0") requests.cpu = cpu;
    if (memory !== undefined && memory !== "0") requests.memory = memory;
    return { name: "config-reloader", resources: { requests } };
}

/** The pods a workload or custom resource runs: how many and what each container asks for. */
function podsOf(o: KubeObject, objects: readonly KubeObject[]): Array<{ pods: number; containers: Container[]; init: Container[] }> | undefined {
    const spec = o.spec ?? {};
    switch (o.kind) {
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
            return [{ pods: o.kind === "DaemonSet" ? 1 : spec.replicas ?? 1, containers: spec.template?.spec?.containers ?? [], init: spec.template?.spec?.initContainers ?? [] }];
        case "Elasticsearch":
            return (spec.nodeSets ?? []).map((set: any) => ({
                pods: set.count ?? 1,
                containers: withDefault("Elasticsearch", "elasticsearch", set.podTemplate?.spec?.containers),
                init: [],
            }));
        case "Kibana":
            return [{ pods: spec.count ?? 1, containers: withDefault("Kibana", "kibana", spec.podTemplate?.spec?.containers), init: [] }];
        case "Prometheus":
        case "Alertmanager": {
            const main = o.kind === "Prometheus" ? "prometheus" : "alertmanager";
            const shards = o.kind === "Prometheus" ? spec.shards ?? 1 : 1;
            return [{ pods: (spec.replicas ?? 1) * shards, containers: [{ name: main, resources: spec.resources }, configReloader(objects), ...(spec.containers ?? []).filter((c: Container) => c.name !== main && c.name !== "config-reloader")], init: [] }];
        }
        case "MongoDBCommunity":
            return [{ pods: spec.members ?? 1, containers: spec.statefulSet?.spec?.template?.spec?.containers ?? [{ name: "mongod" }, { name: "mongodb-agent" }], init: [] }];
        default:
            return undefined;
    }
}

export function footprint(objects: readonly KubeObject[]): Footprint {
    const daemonSets: WorkloadFootprint[] = [];
    const workloads: WorkloadFootprint[] = [];
    const withoutRequests: string[] = [];
    for (const o of objects) {
        const pods = podsOf(o, objects);
        if (!pods) {
            continue;
        }
        const ref = `${o.kind} ${o.metadata?.namespace ?? "_cluster"}/${o.metadata?.name}`;
        let cpu = 0;
        let memory = 0;
        let count = 0;
        for (const group of pods) {
            const each = podRequests(group.containers, group.init);
            cpu += each.cpu * group.pods;
            memory += each.memory * group.pods;
            count += group.pods;
            for (const c of group.containers) {
                const r = requestsOf(c);
                if (r.cpu === 0 && r.memory === 0) {
                    withoutRequests.push(`${ref} ${c.name}`);
                }
            }
        }
        const entry = { kind: o.kind, namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "", pods: count, cpu, memory };
        (o.kind === "DaemonSet" ? daemonSets : workloads).push(entry);
    }
    const order = (a: WorkloadFootprint, b: WorkloadFootprint) => `${a.namespace}/${a.kind}/${a.name}`.localeCompare(`${b.namespace}/${b.kind}/${b.name}`);
    const add = (list: readonly WorkloadFootprint[]) => list.reduce((a, w) => ({ cpu: a.cpu + w.cpu, memory: a.memory + w.memory }), { cpu: 0, memory: 0 });
    return {
        perNode: { ...add(daemonSets), daemonSets: daemonSets.sort(order) },
        total: { ...add(workloads), workloads: workloads.sort(order) },
        withoutRequests: [...new Set(withoutRequests)].sort(),
    };
}
