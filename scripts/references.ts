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
    readonly annotations?: Labels;
    readonly spec: Record<string, any>;
}

interface ServiceInfo {
    readonly namespace: string;
    readonly name: string;
    readonly labels: Labels;
    readonly ports: ReadonlyArray<{ name?: string; port: number; targetPort?: number | string; protocol?: string }>;
    /** The operator that makes it at run time, if it is not itself in the render. */
    readonly madeBy?: string;
    /** The pods it sends to: its own selector, or the labels of the pods its operator makes. */
    readonly selector?: Labels;
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
                { namespace, name: `${name}-es-http`, labels: {}, ports: [{ name: "https", port: 9200 }], madeBy: "ECK", selector: { "elasticsearch.k8s.elastic.co/cluster-name": name } },
                { namespace, name: `${name}-es-transport`, labels: {}, ports: [{ name: "tls-transport", port: 9300 }], madeBy: "ECK", selector: { "elasticsearch.k8s.elastic.co/cluster-name": name } },
                ...(o.spec?.nodeSets ?? []).map((set: any) => ({ namespace, name: `${name}-es-${set.name}`, labels: {}, ports: [{ name: "https", port: 9200 }], madeBy: "ECK", selector: { "elasticsearch.k8s.elastic.co/statefulset-name": `${name}-es-${set.name}` } })),
            ];
        case "Kibana":
            return [{ namespace, name: `${name}-kb-http`, labels: {}, ports: [{ name: "https", port: 5601 }], madeBy: "ECK", selector: { "kibana.k8s.elastic.co/name": name } }];
        case "Prometheus":
            return [{ namespace, name: "prometheus-operated", labels: {}, ports: [{ name: "web", port: 9090 }], madeBy: "the Prometheus Operator", selector: { "app.kubernetes.io/name": "prometheus" } }];
        case "Alertmanager":
            return [{ namespace, name: "alertmanager-operated", labels: {}, ports: [{ name: "web", port: 9093 }], madeBy: "the Prometheus Operator", selector: { "app.kubernetes.io/name": "alertmanager" } }];
        case "MongoDBCommunity":
            return [{ namespace, name: `${name}-svc`, labels: {}, ports: [{ name: "mongodb", port: 27017 }], madeBy: "the MongoDB operator", selector: { app: `${name}-svc` } }];
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
            sources.push({ namespace: o.metadata?.namespace ?? "", owner: describeObject(o), labels: template.metadata?.labels ?? {}, annotations: template.metadata?.annotations ?? {}, spec: template.spec ?? {} });
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

function allServices(objects: readonly KubeObject[]): ServiceInfo[] {
    return [
        ...objects.filter((o) => o.kind === "Service").map((o) => ({
            namespace: o.metadata?.namespace ?? "", name: o.metadata?.name ?? "", labels: o.metadata?.labels ?? {},
            ports: (o.spec?.ports ?? []).map((p: { name?: string; port: number; targetPort?: number | string; protocol?: string }) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
            ...(o.spec?.selector && o.spec?.type !== "ExternalName" ? { selector: o.spec.selector } : {}),
        })),
        ...objects.flatMap(operatorServices),
        ...clusterServices(objects),
    ];
}

/** Every broken reference in a rendered stack, one sentence each. */
export function referenceProblems(objects: readonly KubeObject[]): string[] {
    const problems: string[] = [];
    const pods = podSources(objects);
    const services = allServices(objects);
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
    for (const { object: o, address, name, namespace, port } of inClusterAddresses(objects)) {
        const s = service(namespace, name);
        if (!s) {
            problems.push(`${describeObject(o)}: ${address} names Service ${namespace}/${name}, which does not exist`);
        } else if (port && !s.ports.some((p) => p.port === port)) {
            problems.push(`${describeObject(o)}: ${address}: Service ${namespace}/${name} has no port ${port} (${s.ports.map((p) => p.port).join(", ")})`);
        }
    }
    return [...new Set(problems)].sort();
}

interface Address {
    readonly object: KubeObject;
    readonly address: string;
    readonly name: string;
    readonly namespace: string;
    readonly port?: number;
}

/** Every `<service>.<namespace>.svc[:port]` in a ConfigMap or a container's env and args, the API server's aside. */
function inClusterAddresses(objects: readonly KubeObject[]): Address[] {
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
    const found: Address[] = [];
    for (const [object, text] of texts) {
        for (const [address, name, , namespace, , port] of text.matchAll(ADDRESS)) {
            if (!(namespace === "default" && name === "kubernetes")) {
                found.push({ object, address, name, namespace, ...(port ? { port: Number(port) } : {}) });
            }
        }
    }
    return found;
}

/** The ConfigMaps a pod spec mounts or reads into its environment. */
function configMapsRead(spec: Record<string, any>): Set<string> {
    const names = [
        ...(spec.volumes ?? []).flatMap((v: any) => [v.configMap?.name, ...(v.projected?.sources ?? []).map((s: any) => s.configMap?.name)]),
        ...[...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap((c: any) => [
            ...(c.envFrom ?? []).map((e: any) => e.configMapRef?.name),
            ...(c.env ?? []).map((e: any) => e.valueFrom?.configMapKeyRef?.name),
        ]),
    ];
    return new Set(names.filter((n): n is string => typeof n === "string"));
}

/** A caller: pods (a namespace and labels), or a source that is no pod the render knows. */
type Caller = { readonly namespace: string; readonly labels: Labels; readonly what: string } | { readonly anywhere: string };

const isPolicyIsolating = (np: KubeObject) => (np.spec?.policyTypes ?? ["Ingress"]).includes("Ingress");

/**
 * Whether the NetworkPolicies admit a caller to a pod's port, as the API defines it: a pod no
 * Ingress policy selects admits everything; a selected pod admits what any rule of any selecting
 * policy admits. A pod on the host network is subject to none. A caller that is no pod passes a
 * rule only with no `from` or an ipBlock of 0.0.0.0/0.
 */
function admitted(policies: readonly KubeObject[], namespaceLabels: (ns: string) => Labels, caller: Caller, pod: PodSource, port: number | string, protocol: string): boolean {
    if (pod.spec.hostNetwork) {
        return true;
    }
    const containerPorts = (pod.spec.containers ?? []).flatMap((c: any) => c.ports ?? []);
    const named = typeof port === "string" ? containerPorts.find((p: any) => p.name === port) : containerPorts.find((p: any) => p.containerPort === port);
    const selecting = policies.filter((np) => np.metadata?.namespace === pod.namespace && isPolicyIsolating(np) && selects(np.spec?.podSelector ?? {}, pod.labels));
    if (selecting.length === 0) {
        return true;
    }
    const portMatches = (p: any) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || p.port === port || (named && (p.port === named.containerPort || p.port === named.name)));
    const peerMatches = (peer: any, policyNamespace: string) => {
        if ("anywhere" in caller) {
            return peer.ipBlock?.cidr === "0.0.0.0/0" && !(peer.ipBlock.except ?? []).length;
        }
        if (peer.ipBlock) {
            return peer.ipBlock.cidr === "0.0.0.0/0";
        }
        const inNamespace = peer.namespaceSelector ? selects(peer.namespaceSelector, namespaceLabels(caller.namespace)) : caller.namespace === policyNamespace;
        return inNamespace && (peer.podSelector ? selects(peer.podSelector, caller.labels) : true);
    };
    return selecting.some((np) => (np.spec?.ingress ?? []).some((rule: any) =>
        (!rule.ports || rule.ports.some(portMatches)) && (!rule.from || rule.from.some((peer: any) => peerMatches(peer, np.metadata.namespace)))));
}

/**
 * What the NetworkPolicies of a render refuse that the render itself says is called, one sentence
 * each: every Service port an in-cluster address, a ServiceMonitor, a PodMonitor, an annotated
 * pod, an Ingress backend or a webhook names must be admitted to the pods behind it from the
 * caller, on the pods' port. Callers: the pods whose template or mounted ConfigMap holds the
 * address (any pod of the namespace for a ConfigMap no template mounts, such as Grafana's
 * datasources, which its sidecar reads through the API), Prometheus for the monitors and the
 * annotated pods, and, as a source that is no pod the render knows, the ingress controller and
 * the API server. Also: every namespace with a Pod Security level has a default-deny policy.
 */
export function admissionProblems(objects: readonly KubeObject[]): string[] {
    const problems: string[] = [];
    const pods = podSources(objects);
    const services = allServices(objects);
    const policies = objects.filter((o) => o.kind === "NetworkPolicy");
    const namespaces = new Map(objects.filter((o) => o.kind === "Namespace").map((o) => [o.metadata.name, o.metadata.labels ?? {}]));
    const namespaceLabels = (ns: string): Labels => ({ ...namespaces.get(ns), "kubernetes.io/metadata.name": ns });
    const prometheus: Caller[] = podSources(objects).filter((p) => p.owner.startsWith("Prometheus ")).map((p) => ({ namespace: p.namespace, labels: p.labels, what: p.owner }));
    const behind = (svc: ServiceInfo) => (svc.selector ? pods.filter((p) => p.namespace === svc.namespace && matches(svc.selector, p.labels)) : []);
    const callerName = (c: Caller) => ("anywhere" in c ? c.anywhere : c.what);
    const refusals = (callers: readonly Caller[], targets: readonly PodSource[], port: number | string, protocol: string, why: string) =>
        callers.flatMap((caller) => targets.filter((pod) => !admitted(policies, namespaceLabels, caller, pod, port, protocol))
            .map((pod) => `${why}: ${callerName(caller)} is not admitted to ${pod.owner} port ${port}/${protocol}`));
    const check = (callers: readonly Caller[], targets: readonly PodSource[], port: number | string, protocol: string, why: string) => {
        problems.push(...refusals(callers, targets, port, protocol, why));
    };
    const serviceRefusals = (callers: readonly Caller[], svc: ServiceInfo, port: { name?: string; port?: number }, why: string) =>
        svc.ports.filter((p) => (port.name !== undefined && p.name === port.name) || (port.port !== undefined && p.port === port.port))
            .flatMap((p) => refusals(callers, behind(svc), p.targetPort ?? p.port, p.protocol ?? "TCP", why));
    const toService = (callers: readonly Caller[], svc: ServiceInfo, port: { name?: string; port?: number }, why: string) => {
        problems.push(...serviceRefusals(callers, svc, port, why));
    };
    const service = (ns: string, name: string) => services.find((s) => s.namespace === ns && s.name === name);

    for (const o of objects.filter((x) => x.kind === "ServiceMonitor")) {
        const nsSel = o.spec?.namespaceSelector ?? {};
        const inScope = (candidate: string) => nsSel.any === true || (nsSel.matchNames ? nsSel.matchNames.includes(candidate) : candidate === o.metadata.namespace);
        for (const svc of services.filter((s) => inScope(s.namespace) && selects(o.spec?.selector, s.labels))) {
            for (const endpoint of o.spec?.endpoints ?? []) {
                toService(prometheus, svc, { name: endpoint.port }, describeObject(o));
            }
        }
    }
    for (const o of objects.filter((x) => x.kind === "PodMonitor")) {
        const targets = pods.filter((p) => p.namespace === o.metadata.namespace && selects(o.spec?.selector, p.labels));
        for (const endpoint of o.spec?.podMetricsEndpoints ?? []) {
            check(prometheus, targets, endpoint.port, "TCP", describeObject(o));
        }
    }
    for (const pod of pods.filter((p) => p.annotations?.["prometheus.io/scrape"] === "true" && p.annotations?.["prometheus.io/port"])) {
        check(prometheus, [pod], Number(pod.annotations!["prometheus.io/port"]), "TCP", `${pod.owner}'s prometheus.io annotations`);
    }
    const ingressController: Caller = { anywhere: "the ingress controller" };
    for (const o of objects.filter((x) => x.kind === "Ingress")) {
        const backends = [o.spec?.defaultBackend, ...(o.spec?.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend))].filter((b) => b?.service);
        for (const b of backends) {
            const svc = service(o.metadata.namespace, b.service.name);
            if (svc) {
                toService([ingressController], svc, { name: b.service.port?.name, port: b.service.port?.number }, describeObject(o));
            }
        }
    }
    const apiServer: Caller = { anywhere: "the API server" };
    for (const o of objects.filter((x) => x.kind === "ValidatingWebhookConfiguration" || x.kind === "MutatingWebhookConfiguration")) {
        for (const w of o.webhooks ?? []) {
            const ref = w.clientConfig?.service;
            const svc = ref ? service(ref.namespace, ref.name) : undefined;
            if (svc) {
                toService([apiServer], svc, { port: ref.port ?? 443 }, `${describeObject(o)} (${w.name})`);
            }
        }
    }
    for (const { object, address, name, namespace, port } of inClusterAddresses(objects)) {
        const svc = service(namespace, name);
        if (!svc) {
            continue;
        }
        const ns = object.metadata?.namespace ?? "";
        const own = podSources([object]).filter((p) => p.owner === describeObject(object));
        const mounting = object.kind === "ConfigMap"
            ? pods.filter((p) => p.namespace === ns && configMapsRead(p.spec).has(object.metadata.name))
            : own;
        const callers: Caller[] = mounting.length > 0
            ? mounting.map((p) => ({ namespace: p.namespace, labels: p.labels, what: p.owner }))
            : pods.filter((p) => p.namespace === ns).map((p) => ({ namespace: p.namespace, labels: p.labels, what: p.owner }));
        const why = `${describeObject(object)} (${address})`;
        // Without a port in the address, one of the Service's ports is the one called.
        const perPort = (port !== undefined ? [port] : svc.ports.map((p) => p.port)).map((p) =>
            mounting.length > 0
                ? serviceRefusals(callers, svc, { port: p }, why)
                // A ConfigMap no template mounts: some pod of its namespace must be admitted.
                : callers.some((c) => serviceRefusals([c], svc, { port: p }, why).length === 0) ? [] : [`${why}: no pod of ${ns} is admitted to Service ${namespace}/${name} port ${p}`]);
        if (perPort.every((refused) => refused.length > 0)) {
            problems.push(...perPort[0]);
        }
    }
    for (const [name, labels] of namespaces) {
        if (labels["pod-security.kubernetes.io/enforce"] === undefined) {
            continue;
        }
        const denies = policies.some((np) => np.metadata?.namespace === name && isPolicyIsolating(np)
            && Object.keys(np.spec?.podSelector?.matchLabels ?? {}).length === 0 && (np.spec?.podSelector?.matchExpressions ?? []).length === 0
            && (np.spec?.ingress ?? []).length === 0);
        if (!denies) {
            problems.push(`Namespace ${name}: no default-deny ingress NetworkPolicy (podSelector {}, no ingress rule)`);
        }
    }
    return [...new Set(problems)].sort();
}
