/**
 * Pod Security over every stack's full render (issue 28, items 1 and 2): only the node agents'
 * namespace is privileged, every other one enforces `restricted` (or `baseline`, with the reason
 * the namespace plan gives), and every pod template outside the agents' namespace (raw
 * manifests, chart objects after the program's transforms, operator resources' templates) sets
 * what `restricted` asks and more. The lab (scripts/lab, `podSecurityHolds`) proves the same
 * against a real API server's admission.
 */
import * as assert from "assert";
import { DATANODE_POD_SECURITY } from "../../components/graylog/values";
import { KubeObject } from "../../scripts/chart-render";
import { renderedStack, STACKS } from "./full-render";

const AGENTS = "node-agents";

/** What Pod Security `baseline` admits in `capabilities.add` (pod-security-standards, "Capabilities"). */
const BASELINE_CAPABILITIES = new Set(["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]);

/**
 * Containers that run at `baseline`, not `restricted`: the reason is their namespace's in the
 * namespace plan (components/platform.ts), and the securityContext is DATANODE_POD_SECURITY.
 */
const BASELINE_CONTAINERS = new Set(["graylog StatefulSet/graylog-datanode graylog-datanode"]);

/** Containers whose root filesystem stays writable, because what the image writes could not be established. */
const WRITABLE_ROOT: Readonly<Record<string, string>> = {
    "graylog StatefulSet/graylog copy-data": "graylog/graylog: the entrypoint rewrites plugins-merged and /tmp; no 7.0 source to read (components/graylog/values.ts)",
    "graylog StatefulSet/graylog graylog-app": "the same image and entrypoint",
    "graylog StatefulSet/graylog-datanode graylog-datanode": "graylog/graylog-datanode: its entrypoint writes as root; no 7.0 source to read",
    "graylog Deployment/mongodb-kubernetes-operator mongodb-kubernetes-operator": "mongodb-kubernetes 1.9.1: the chart mounts only its webhook certificate directory; what else the closed image writes is unknown",
    "monitoring Deployment/kps-grafana grafana": "Grafana 13 writes under /var/lib/grafana (its volume), but its defaults for plugins, logs and temporary files were not established",
    "monitoring Deployment/kps-grafana grafana-sc-dashboard": "kiwigrid/k8s-sidecar 2.10.1 (Python): its temporary files were not established",
    "monitoring Deployment/kps-grafana grafana-sc-datasources": "the same sidecar image",
};

/** Pods that keep their ServiceAccount token, because they call the Kubernetes API. */
const API_CALLERS: Readonly<Record<string, string>> = {
    "cert-manager Deployment/cert-manager": "cert-manager's controller",
    "cert-manager Deployment/cert-manager-cainjector": "writes caBundles into webhook configurations",
    "cert-manager Deployment/cert-manager-webhook": "reads its own serving certificate's Secret and does SubjectAccessReviews",
    "cert-manager Job/cert-manager-startupapicheck": "checks that the API accepts a Certificate",
    "logging StatefulSet/elastic-operator": "the ECK operator",
    "graylog Deployment/mongodb-kubernetes-operator": "the MongoDB operator",
    "graylog MongoDBCommunity/graylog-mongodb": "the agent's readiness probe patches its own pod's annotations",
    "monitoring Deployment/kps-operator": "the Prometheus Operator",
    "monitoring Deployment/kps-kube-state-metrics": "lists and watches every object it reports",
    "monitoring Deployment/kps-grafana": "its sidecars watch dashboard and datasource ConfigMaps",
    "monitoring Prometheus/kps-prometheus": "Kubernetes service discovery",
};

interface PodTemplate {
    readonly where: string;
    readonly namespace: string;
    readonly spec: Record<string, any>;
    /** The containers are the operator's (Prometheus, Alertmanager): only the pod is the program's. */
    readonly operatorContainers: boolean;
}

/** Every pod template an object carries, with the namespace it runs in. */
function podTemplates(o: KubeObject): PodTemplate[] {
    const namespace = o.metadata?.namespace;
    const where = `${namespace} ${o.kind}/${o.metadata?.name}`;
    const of = (spec: Record<string, any> | undefined, operatorContainers = false) => (spec ? [{ where, namespace, spec, operatorContainers }] : []);
    switch (o.kind) {
        case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
            return of(o.spec?.template?.spec);
        case "CronJob":
            return of(o.spec?.jobTemplate?.spec?.template?.spec);
        case "Elasticsearch":
            return (o.spec?.nodeSets ?? []).flatMap((n: any) => of(n.podTemplate?.spec ?? {}));
        case "Kibana":
            return of(o.spec?.podTemplate?.spec ?? {});
        case "MongoDBCommunity":
            return of(o.spec?.statefulSet?.spec?.template?.spec ?? {});
        // prometheus-operator v0.93.0 builds every container of these pods (prometheus,
        // alertmanager, config-reloader and its init) with allowPrivilegeEscalation false, a
        // read-only root filesystem and every capability dropped (pkg/prometheus/server/statefulset.go,
        // pkg/alertmanager/statefulset.go, pkg/operator/config_reloader.go); the resource sets the pod's.
        case "Prometheus": case "Alertmanager":
            return of(o.spec, true);
        default:
            return [];
    }
}

/** What is wrong with one container, read with its pod's securityContext under it. */
function containerProblems(t: PodTemplate, c: Record<string, any>): string[] {
    const id = `${t.where} ${c.name}`;
    const sc = c.securityContext ?? {};
    const pod = t.spec.securityContext ?? {};
    const problems: string[] = [];
    const baseline = BASELINE_CONTAINERS.has(id);
    if (sc.privileged === true) problems.push("privileged");
    if (sc.allowPrivilegeEscalation !== false) problems.push("allowPrivilegeEscalation is not false");
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push("capabilities do not drop ALL");
    const added: string[] = sc.capabilities?.add ?? [];
    const allowed = baseline ? BASELINE_CAPABILITIES : new Set<string>();
    if (added.some((cap) => !allowed.has(cap))) problems.push(`adds capabilities ${added.join(", ")}`);
    if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== "RuntimeDefault") problems.push("no RuntimeDefault seccomp profile");
    if (!baseline) {
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push("runAsNonRoot is not true");
        if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push("runs as uid 0");
    }
    if (sc.readOnlyRootFilesystem !== true && WRITABLE_ROOT[id] === undefined) problems.push("root filesystem writable and not listed in WRITABLE_ROOT");
    if (sc.readOnlyRootFilesystem === true && WRITABLE_ROOT[id] !== undefined) problems.push("listed in WRITABLE_ROOT but read-only: take it off the list");
    return problems.map((p) => `${id}: ${p}`);
}

/** A pod mounts its token unless the pod says no, or its ServiceAccount does (the pod's field wins). */
function mountsToken(t: PodTemplate, objects: readonly KubeObject[]): boolean {
    if (t.spec.automountServiceAccountToken !== undefined) {
        return t.spec.automountServiceAccountToken;
    }
    const name = t.spec.serviceAccountName ?? "default";
    const sa = objects.find((o) => o.kind === "ServiceAccount" && o.metadata?.name === name && o.metadata?.namespace === t.namespace);
    return sa?.automountServiceAccountToken ?? true;
}

export function podSecurityProblems(objects: readonly KubeObject[]): string[] {
    const problems: string[] = [];
    const templates = objects.flatMap(podTemplates);
    for (const t of templates) {
        if (t.namespace === AGENTS) {
            if (!t.where.includes(" DaemonSet/")) problems.push(`${t.where}: only node agents (DaemonSets) run in ${AGENTS}`);
            continue;
        }
        const s = t.spec;
        if (s.hostNetwork || s.hostPID || s.hostIPC) problems.push(`${t.where}: uses a host namespace`);
        if ((s.volumes ?? []).some((v: any) => v.hostPath)) problems.push(`${t.where}: mounts a hostPath`);
        if (!t.operatorContainers) {
            for (const c of [...(s.initContainers ?? []), ...(s.containers ?? [])]) {
                if ((c.ports ?? []).some((p: any) => p.hostPort)) problems.push(`${t.where} ${c.name}: binds a host port`);
                problems.push(...containerProblems(t, c));
            }
        } else if (s.securityContext?.runAsNonRoot !== true || s.securityContext?.seccompProfile?.type !== "RuntimeDefault") {
            problems.push(`${t.where}: the pod is not runAsNonRoot under RuntimeDefault seccomp`);
        }
        const token = mountsToken(t, objects);
        if (token && API_CALLERS[t.where] === undefined) problems.push(`${t.where}: mounts a ServiceAccount token it does not need (not in API_CALLERS)`);
        if (!token && API_CALLERS[t.where] !== undefined) problems.push(`${t.where}: listed in API_CALLERS but mounts no token: take it off the list`);
    }
    return problems;
}

export function namespaceProblems(objects: readonly KubeObject[]): string[] {
    const problems: string[] = [];
    for (const ns of objects.filter((o) => o.kind === "Namespace")) {
        const name = ns.metadata.name;
        const level = ns.metadata.labels?.["pod-security.kubernetes.io/enforce"];
        const reason = ns.metadata.annotations?.["observability-platform/pod-security-reason"];
        if (name === AGENTS) {
            if (level !== "privileged") problems.push(`${name}: the node agents' namespace enforces ${level}, not privileged`);
            continue;
        }
        if (level === "baseline") {
            const needs = [...BASELINE_CONTAINERS].filter((c) => c.startsWith(`${name} `));
            if (!reason) problems.push(`${name}: baseline without a reason`);
            if (needs.length === 0) problems.push(`${name}: baseline, but none of its containers needs more than restricted`);
        } else if (level !== "restricted") {
            problems.push(`${name}: enforces ${level}; only ${AGENTS} may be privileged`);
        }
    }
    return problems;
}

describe("Pod Security over the full render", function () {
    this.timeout(600_000);

    for (const stack of STACKS) {
        it(`${stack}: every pod outside ${AGENTS} runs non-root without privilege escalation or capabilities, under RuntimeDefault seccomp, read-only where the image allows, without a token it does not need`, async () => {
            const { objects } = await renderedStack(stack);
            assert.deepStrictEqual(podSecurityProblems(objects.map((o) => o.object)), []);
        });

        it(`${stack}: only ${AGENTS} is privileged; every other namespace enforces restricted, or baseline with the reason of a container that needs it`, async () => {
            const { objects } = await renderedStack(stack);
            const namespaces = objects.map((o) => o.object).filter((o) => o.kind === "Namespace");
            assert.ok(namespaces.some((n) => n.metadata.name === AGENTS));
            assert.deepStrictEqual(namespaceProblems(objects.map((o) => o.object)), []);
        });
    }

    it("each check catches what it checks: one change per case against prod's render", async () => {
        const { objects } = await renderedStack("prod");
        const all = () => objects.map((o) => structuredClone(o.object));
        const withChange = (change: (o: KubeObject) => boolean) => {
            const copies = all();
            assert.ok(copies.filter(change).length > 0, "the change applied");
            return [...podSecurityProblems(copies), ...namespaceProblems(copies)];
        };
        const kibana = (f: (spec: any) => void) => (o: KubeObject) => (o.kind === "Kibana" ? (f(o.spec.podTemplate.spec), true) : false);
        assert.deepStrictEqual(withChange(kibana((s) => delete s.securityContext.runAsNonRoot)), ["logging Kibana/logs kibana: runAsNonRoot is not true"]);
        assert.deepStrictEqual(withChange(kibana((s) => (s.containers[0].securityContext.allowPrivilegeEscalation = true))), ["logging Kibana/logs kibana: allowPrivilegeEscalation is not false"]);
        assert.deepStrictEqual(withChange(kibana((s) => (s.containers[0].securityContext.capabilities = { drop: ["ALL"], add: ["NET_ADMIN"] }))), ["logging Kibana/logs kibana: adds capabilities NET_ADMIN"]);
        assert.deepStrictEqual(withChange(kibana((s) => delete s.securityContext.seccompProfile)), ["logging Kibana/logs kibana: no RuntimeDefault seccomp profile"]);
        assert.deepStrictEqual(withChange(kibana((s) => (s.containers[0].securityContext.readOnlyRootFilesystem = false))), ["logging Kibana/logs kibana: root filesystem writable and not listed in WRITABLE_ROOT"]);
        assert.deepStrictEqual(withChange(kibana((s) => delete s.automountServiceAccountToken)), ["logging Kibana/logs: mounts a ServiceAccount token it does not need (not in API_CALLERS)"]);
        assert.deepStrictEqual(withChange(kibana((s) => (s.initContainers = [{ name: "sysctl", securityContext: { privileged: true, runAsUser: 0 } }]))).length, 5, "a privileged root init container fails five ways");
        assert.deepStrictEqual(withChange((o) => (o.kind === "Namespace" && o.metadata.name === "logging" ? ((o.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"), true) : false)),
            ["logging: enforces privileged; only node-agents may be privileged"]);
        assert.deepStrictEqual(withChange((o) => (o.kind === "Namespace" && o.metadata.name === "tracing" ? ((o.metadata.labels["pod-security.kubernetes.io/enforce"] = "baseline"), true) : false)),
            ["tracing: baseline, but none of its containers needs more than restricted"]);
        assert.deepStrictEqual(withChange((o) => (o.kind === "Deployment" && o.metadata.name === "elasticsearch-exporter" ? ((o.metadata.namespace = AGENTS), true) : false)),
            ["node-agents Deployment/elasticsearch-exporter: only node agents (DaemonSets) run in node-agents"]);
    });

    it("the Data Node, the one baseline container, adds back only baseline's capabilities", () => {
        assert.ok(DATANODE_POD_SECURITY.container.capabilities.add.every((c) => BASELINE_CAPABILITIES.has(c)));
    });
});
