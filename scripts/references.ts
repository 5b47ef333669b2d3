/**
 * Cross-reference checks over a full render: what one object names must exist in the render,
 * or be made at run time by a named operator from an object in the render.
 *   - every Service selector matches a pod template (or the pods an operator makes);
 *   - every ServiceMonitor selects a Service with the named port, every PodMonitor a pod
 *     template with the named container port;
 *   - every Secret, ConfigMap, ServiceAccount and PVC a pod template names exists;
 *   - every Ingress backend is a Service with that port;
 *   - every in-cluster address `<service>.<namespace>.svc[:port]` in a ConfigMap or a container's
 *     env and args (Grafana datasources, Fluent Bit outputs, OpenTelemetry exporters, Jaeger's
 *     storage) is a Service with that port.
 */
import { describeObject } from "./kube-schema";
import { KubeObject } from "./chart-render";

type Labels = Record<string, string>;

interface PodSource {
    readonly namespace: string;
    readonly owner: string;
    readonly labels: Labels;
    readonly spec: Record<string, any>;
}

interface ServiceInfo {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Labels;
    readonly ports: ReadonlyArray<{ name?: string; port: number }>;
    /** The operator that makes it at run time, if it is not itself in the render. */
    readonly madeBy?: string;
}

/** Pod labels the operators put on the pods they make (read in each operator's source at the pinned versions). */
function operatorPods(o: KubeObject): PodSource[] {
    const ns = o.metadata?.namespace ?? "";
    const name = o.metadata?.name ?? "";
    const owner = describeObject(o);
    switch (o.kind) {
        case "Elasticsearch":
            return (o.spec?.nodeSets ?? []).map((set: any) => ({
                namespace: ns, owner,
                labels: { ...set.podTemplate?.metadata?.labels, "common.k8s.elastic.co/type": "elasticsearch", "elasticsearch.k8s.elastic.co/cluster-name": name, "elasticsearch.k8s.elastic.co/statefulset-name": `${name}-es-${set.name}` },
                spec: set.podTemplate?.spec ?? {},
            }));
        case "Kibana":
            return [{ namespace: ns, owner, labels: { ...o.spec?.podTemplate?.metadata?.labels, "common.k8s.elastic.co/type": "kibana", "kibana.k8s.elastic.co/name": name }, spec: o.spec?.podTemplate?.spec ?? {} }];
        case "Prometheus":
            return [{ namespace: ns, owner, labels: { ...o.spec?.podMetadata?.labels, "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": name, "app.kubernetes.io/managed-by": "prometheus-operator", prometheus: name, "operator.prometheus.io/name": name }, spec: {} }];
        case "Alertmanager":
            return [{ namespace: ns, owner, labels: { ...o.spec?.podMetadata?.labels, "app.kubernetes.io/name": "alertmanager", "app.kubernetes.io/instance": name, "app.kubernetes.io/managed-by": "prometheus-operator", alertmanager: name }, spec: {} }];
        case "MongoDBCommunity":
            return [{ namespace: ns, owner, labels: { app: `${name}-svc` }, spec: o.spec?.statefulSet?.spec?.template?.spec ?? {} }];
        default:
            return [];
    }
}

/** Services the operators make for their custom resources, with their ports. */
function operatorServices(o: KubeObject): ServiceInfo[] {
    const namespace = o.metadata?.namespace ?? "";
    const name = o.metadata?.name ?? "";
    switch (o.kind) {
        case "Elasticsearch":
            return [
                { namespace, name: `${name}-es-http`, labels: {}, ports: [{ name: "https", port: 9200 }], madeBy: "ECK" },
                { namespace, name: `${name}-es-transport`, labels: {}, ports: [{ name: "tls-transport", port: 9300 }], madeBy: "ECK" },
                ...(o.spec?.nodeSets ?? []).map((set: any) => ({ namespace, name: `${name}-es-${set.name}`, labels: {}, ports: [{ name: "https", port: 9200 }], madeBy: "ECK" })),
            ];
        case "Kibana":
            return [{ namespace, name: `${name}-kb-http`, labels: {}, ports: [{ name: "https", port: 5601 }], madeBy: "ECK" }];
        case "Prometheus":
            return [{ namespace, name: "prometheus-operated", labels: {}, ports: [{ name: "web", port: 9090 }], madeBy: "the Prometheus Operator" }];
        case "Alertmanager":
            return [{ namespace, name: "alertmanager-operated", labels: {}, ports: [{ name: "web", port: 9093 }], madeBy: "the Prometheus Operator" }];
        case "MongoDBCommunity":
            return [{ namespace, name: `${name}-svc`, labels: {}, ports: [{ name: "mongodb", port: 27017 }], madeBy: "the MongoDB operator" }];
        default:
            return [];
    }
}

/** Secrets operators and cert-manager make at run time, by `namespace/name`, with who makes them. */
function runtimeSecrets(o: KubeObject): Array<[string, string]> {
    const ns = o.metadata?.namespace ?? "";
    const name = o.metadata?.name ?? "";
    switch (o.kind) {
        case "Certificate":
            return [[`${ns}/${o.spec?.secretName}`, "cert-manager"]];
        case "Elasticsearch":
            return ["es-elastic-user", "es-http-certs-public", "es-http-ca-internal", "es-http-certs-internal"].map((s) => [`${ns}/${name}-${s}`, "ECK"]);
        case "Kibana":
            return [[`${ns}/${name}-kb-config`, "ECK"], [`${ns}/${name}-kb-http-certs-public`, "ECK"]];
        default:
            return [];
    }
}

/**
 * What every cluster runs without the platform: the control-plane and kube-system pods that
 * kube-prometheus-stack's Services select (kubeadm's labels), the API server's `kubernetes`
 * Service, and the kubelet Service the Prometheus Operator keeps (its `--kubelet-service` flag).
 */
const CLUSTER_PODS: readonly Labels[] = [
    { "k8s-app": "kube-dns" }, { "k8s-app": "kube-proxy" }, { component: "etcd" }, { component: "kube-scheduler" }, { component: "kube-controller-manager" },
];

function clusterServices(objects: readonly KubeObject[]): ServiceInfo[] {
    const services: ServiceInfo[] = [{ namespace: "default", name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" }, ports: [{ name: "https", port: 443 }], madeBy: "the API server" }];
    for (const o of objects.filter((x) => x.kind === "Deployment")) {
        for (const c of o.spec?.template?.spec?.containers ?? []) {
            const flag = (c.args ?? []).find((a: string) => a.startsWith("--kubelet-service="));
            if (flag) {
                const [namespace, name] = flag.split("=")[1].split("/");
                services.push({
                    namespace, name, labels: { "app.kubernetes.io/name": "kubelet", "k8s-app": "kubelet", "app.kubernetes.io/managed-by": "prometheus-operator" },
                    ports: [{ name: "https-metrics", port: 10250 }, { name: "http-metrics", port: 10255 }, { name: "cadvisor", port: 4194 }], madeBy: "the Prometheus Operator",
                });
            }
        }
    }
    return services;
}

function podSources(objects: readonly KubeObject[]): PodSource[] {
    const sources: PodSource[] = CLUSTER_PODS.map((labels) => ({ namespace: "kube-system", owner: "the cluster", labels, spec: {} }));
    for (const o of objects) {
        const template = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template : ["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"].includes(o.kind) ? o.spec?.template : undefined;
        if (template) {
            sources.push({ namespace: o.metadata?.namespace ?? "", owner: describeObject(o), labels: template.metadata?.labels ?? {}, spec: template.spec ?? {} });
        }
        sources.push(...operatorPods(o));
    }
    return sources;
}

const matches = (selector: Labels | undefined, labels: Labels) =>
    selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** A LabelSelector (matchLabels and matchExpressions) against labels. */
function selects(selector: { matchLabels?: Labels; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined, labels: Labels): boolean {
    if (!selector) {
        return false;
    }
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    const byExpressions = (selector.matchExpressions ?? []).every((e) => {
        switch (e.operator) {
            case "In": return (e.values ?? []).includes(labels[e.key]);
            case "NotIn": return !(e.values ?? []).includes(labels[e.key]);
            case "Exists": return e.key in labels;
            case "DoesNotExist": return !(e.key in labels);
            default: return false;
        }
    });
    return byLabels && byExpressions;
}

/** Every broken reference in a rendered stack, one sentence each. */
export function referenceProblems(objects: readonly KubeObject[]): string[] {
    const problems: string[] = [];
    const pods = podSources(objects);
    const services: ServiceInfo[] = [
        ...objects.filter((o) => o.kind === "Service").map((o) => ({
            namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "", labels: o.metadata?.labels ?? {},
            ports: (o.spec?.ports ?? []).map((p: { name?: string; port: number }) => ({ name: p.name, port: p.port })),
        })),
        ...objects.flatMap(operatorServices),
        ...clusterServices(objects),
    ];
    const service = (ns: string, name: string) => services.find((s) => s.namespace === ns && s.name === name);
    const exists = new Set(objects.map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`));
    const madeAtRunTime = new Map(objects.flatMap(runtimeSecrets));

    // Services select pods.
    for (const o of objects.filter((x) => x.kind === "Service" && x.spec?.selector && x.spec?.type !== "ExternalName")) {
        const ns = o.metadata.namespace;
        if (!pods.some((p) => p.namespace === ns && matches(o.spec.selector, p.labels))) {
            problems.push(`${describeObject(o)}: its selector ${JSON.stringify(o.spec.selector)} matches no pod template in ${ns}`);
        }
    }

    // ServiceMonitors and PodMonitors.
    for (const o of objects.filter((x) => x.kind === "ServiceMonitor" || x.kind === "PodMonitor")) {
        const ns = o.metadata.namespace;
        const nsSel = o.spec?.namespaceSelector ?? {};
        const inScope = (candidate: string) => nsSel.any === true || (nsSel.matchNames ? nsSel.matchNames.includes(candidate) : candidate === ns);
        if (o.kind === "ServiceMonitor") {
            const selected = services.filter((s) => inScope(s.namespace) && selects(o.spec?.selector, s.labels));
            if (selected.length === 0) {
                problems.push(`${describeObject(o)}: selects no Service`);
            }
            for (const endpoint of o.spec?.endpoints ?? []) {
                if (endpoint.port && selected.length > 0 && !selected.some((s) => s.ports.some((p) => p.name === endpoint.port))) {
                    problems.push(`${describeObject(o)}: no selected Service (${selected.map((s) => s.name).join(", ")}) has a port named "${endpoint.port}"`);
                }
            }
        } else {
            const selected = pods.filter((p) => inScope(p.namespace) && selects(o.spec?.selector, p.labels));
            if (selected.length === 0) {
                problems.push(`${describeObject(o)}: selects no pod template`);
            }
            for (const endpoint of o.spec?.podMetricsEndpoints ?? []) {
                const named = (p: PodSource) => (p.spec.containers ?? []).some((c: any) => (c.ports ?? []).some((port: any) => port.name === endpoint.port));
                if (endpoint.port && selected.length > 0 && !selected.some(named)) {
                    problems.push(`${describeObject(o)}: no selected pod has a container port named "${endpoint.port}"`);
                }
            }
        }
    }

    // What pod templates name.
    for (const pod of pods) {
        const need = (kind: string, name: string | undefined, optional?: boolean) => {
            if (!name || optional || exists.has(`${kind}/${pod.namespace}/${name}`)) {
                return;
            }
            if (kind === "Secret" && madeAtRunTime.has(`${pod.namespace}/${name}`)) {
                return;
            }
            if (kind === "ServiceAccount" && name === "default") {
                return;
            }
            problems.push(`${pod.owner}: ${kind} ${pod.namespace}/${name} does not exist in the render and no operator makes it`);
        };
        const spec = pod.spec;
        need("ServiceAccount", spec.serviceAccountName);
        for (const v of spec.volumes ?? []) {
            need("Secret", v.secret?.secretName, v.secret?.optional);
            need("ConfigMap", v.configMap?.name, v.configMap?.optional);
            need("PersistentVolumeClaim", v.persistentVolumeClaim?.claimName);
            for (const source of v.projected?.sources ?? []) {
                need("Secret", source.secret?.name, source.secret?.optional);
                need("ConfigMap", source.configMap?.name, source.configMap?.optional);
            }
        }
        for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
            for (const e of c.env ?? []) {
                need("Secret", e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.optional);
                need("ConfigMap", e.valueFrom?.configMapKeyRef?.name, e.valueFrom?.configMapKeyRef?.optional);
            }
            for (const e of c.envFrom ?? []) {
                need("Secret", e.secretRef?.name, e.secretRef?.optional);
                need("ConfigMap", e.configMapRef?.name, e.configMapRef?.optional);
            }
        }
        for (const s of spec.imagePullSecrets ?? []) {
            need("Secret", s.name);
        }
    }

    // Ingress backends.
    for (const o of objects.filter((x) => x.kind === "Ingress")) {
        const backends = [o.spec?.defaultBackend, ...(o.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend))].filter(Boolean);
        for (const backend of backends) {
            const s: ServiceInfo | undefined = backend.service ? service(o.metadata.namespace, backend.service.name) : undefined;
            if (!backend.service) {
                continue;
            }
            if (!s) {
                problems.push(`${describeObject(o)}: backend Service ${backend.service.name} does not exist`);
            } else if (!s.ports.some((p) => p.name === backend.service.port?.name || p.port === backend.service.port?.number)) {
                problems.push(`${describeObject(o)}: Service ${backend.service.name} has no port ${JSON.stringify(backend.service.port)}`);
            }
        }
    }

    // In-cluster addresses in configuration.
    const ADDRESS = /\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\b(?::(\d+))?/g;
    const texts: Array<[KubeObject, string]> = [];
    for (const o of objects) {
        if (o.kind === "ConfigMap") {
            texts.push(...Object.values(o.data ?? {}).map((t): [KubeObject, string] => [o, String(t)]));
        }
        const template = o.spec?.template?.spec;
        for (const c of [...(template?.containers ?? []), ...(template?.initContainers ?? [])]) {
            texts.push([o, [...(c.args ?? []), ...(c.command ?? []), ...(c.env ?? []).map((e: any) => e.value ?? "")].join("\n")]);
        }
    }
    for (const [o, text] of texts) {
        for (const m of text.matchAll(ADDRESS)) {
            const [address, name, , namespace, , port] = m;
            if (namespace === "default" && name === "kubernetes") {
                continue;
            }
            const s = service(namespace, name);
            if (!s) {
                problems.push(`${describeObject(o)}: ${address} names Service ${namespace}/${name}, which does not exist`);
            } else if (port && !s.ports.some((p) => p.port === Number(port))) {
                problems.push(`${describeObject(o)}: ${address}: Service ${namespace}/${name} has no port ${port} (${s.ports.map((p) => p.port).join(", ")})`);
            }
        }
    }
    return [...new Set(problems)].sort();
}
