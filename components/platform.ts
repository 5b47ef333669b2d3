import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Access } from "./access";
import { dataStorePolicies, defaultDenyPolicy, egressPolicy } from "./access/values";
import { MonitoringCrds } from "./metrics/crds";
import { LOG_INDEX_PATTERN } from "./logs/elasticsearch";
import { backupBasePath, SLM_POLICY, SNAPSHOT_REPOSITORY } from "./logs/backup";
import { MONGODB_DUMP_CRONJOB } from "./graylog/backup";
import { Graylog } from "./graylog";
import { gelfEndpoint } from "./graylog/values";
import { Logging } from "./logs";
import { Monitoring } from "./metrics";
import { monitoringUrl } from "./metrics/tls";
import { PlatformSettings } from "./settings";
import { ISSUERS, Tls } from "./tls";
import { Tracing } from "./traces";
import { NODE_TUNING, nodeTuningDaemonSet } from "./shared/node-tuning";
import { NODE_CRITICAL_PRIORITY } from "./shared/workloads";
import { ingressPaths, uiRoutes } from "./wiring";

/** Pod Security Standard levels (https://kubernetes.io/docs/concepts/security/pod-security-standards/). */
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface NamespacePlan {
    readonly name: string;
    /** What the namespace enforces; `audit` and `warn` stay at restricted so drift shows. */
    readonly enforce: PodSecurityLevel;
    readonly reason: string;
    /** A DaemonSet at system-node-critical priority runs here. */
    readonly nodeAgents: boolean;
}

/**
 * GKE admits pods at `system-node-critical` (or `system-cluster-critical`) outside kube-system
 * only in a namespace holding a ResourceQuota scoped to that PriorityClass; without one the node
 * agents' DaemonSets report "insufficient quota to match these scopes" and never start. The
 * quota is harmless elsewhere. The limit is a pod count no fleet reaches: GKE's largest cluster
 * has 15,000 nodes, one pod of each agent DaemonSet on each.
 */
export function nodeCriticalQuota(namespace: string, daemonSets: number): Record<string, any> {
    return {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "node-critical-pods", namespace },
        spec: {
            hard: { pods: String(15000 * daemonSets) },
            scopeSelector: { matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: [NODE_CRITICAL_PRIORITY] }] },
        },
    };
}

/** The DaemonSets of the enabled pillars, all in the node agents' namespace. */
export function nodeAgentSets(settings: PlatformSettings): string[] {
    return [
        ...(settings.metrics.enabled ? ["node-exporter"] : []),
        ...(settings.logging.enabled ? ["fluent-bit"] : []),
        ...(settings.tracing.enabled ? ["otel-agent"] : []),
        ...(needsNodeTuning(settings) ? [NODE_TUNING] : []),
    ];
}

/** Elasticsearch and the Graylog Data Node need vm.max_map_count raised on their nodes. */
const needsNodeTuning = (settings: PlatformSettings) => settings.logging.enabled || settings.graylog.enabled;

/**
 * The namespaces a stack needs and how strict each can be. Only the node agents' namespace admits
 * privileged pods: node-exporter uses the host network, PID namespace and root filesystem, Fluent
 * Bit reads host log files and keeps its buffer on a hostPath, the OpenTelemetry agent binds host
 * ports, and node tuning raises vm.max_map_count. Every other namespace enforces `restricted`, or
 * `baseline` where one image cannot run otherwise, with the reason here: the one place it is stated.
 */
export function namespacePlan(settings: PlatformSettings): NamespacePlan[] {
    const ns = settings.namespaces;
    const plan: NamespacePlan[] = [
        { name: ns.certManager, enforce: "restricted", reason: "cert-manager runs as non-root with no host access", nodeAgents: false },
    ];
    if (nodeAgentSets(settings).length > 0) {
        plan.push({
            name: ns.nodeAgents, enforce: "privileged", nodeAgents: true,
            reason: "node agents: node-exporter uses the host network, PID namespace and root filesystem; Fluent Bit reads host log files and buffers on a hostPath; " +
                "the OpenTelemetry agent binds host ports; node tuning raises vm.max_map_count for Elasticsearch and the Graylog Data Node",
        });
    }
    const restricted = "every container runs as non-root, without privilege escalation or capabilities, under RuntimeDefault seccomp";
    if (settings.metrics.enabled) {
        plan.push({ name: ns.monitoring, enforce: "restricted", reason: restricted, nodeAgents: false });
    }
    if (settings.logging.enabled) {
        plan.push({ name: ns.logging, enforce: "restricted", reason: restricted, nodeAgents: false });
    }
    if (settings.tracing.enabled) {
        plan.push({ name: ns.tracing, enforce: "restricted", reason: restricted, nodeAgents: false });
    }
    if (settings.graylog.enabled) {
        plan.push({
            name: ns.graylog, enforce: "baseline", nodeAgents: false,
            reason: "the Graylog Data Node image starts as root: its entrypoint chowns the data directory and drops to the graylog user with setpriv, " +
                "which needs CHOWN, DAC_OVERRIDE, FOWNER, SETGID and SETUID (components/graylog/values.ts DATANODE_POD_SECURITY); every other pod there is restricted",
        });
    }
    return plan;
}

/**
 * The platform's NetworkPolicies, with `access.networkPolicies`: every platform namespace denies
 * the ingress no path admits (`ingressPaths`), and with `networkPolicy.restrictEgress` all egress
 * but DNS, the API server, the platform's namespaces and `networkPolicy.egressCidrs`. The
 * monitoring namespace may also reach kube-system, whose pods (CoreDNS) Prometheus scrapes.
 */
export function platformNetworkPolicies(settings: PlatformSettings): Record<string, any>[] {
    if (!settings.access.networkPolicies) {
        return [];
    }
    const namespaces = namespacePlan(settings).map((p) => p.name);
    const n = settings.networkPolicy;
    return [
        ...namespaces.map((ns) => defaultDenyPolicy(ns, n.restrictEgress)),
        ...dataStorePolicies(ingressPaths(settings)),
        ...(n.restrictEgress
            ? namespaces.map((ns) => egressPolicy(ns, {
                platformNamespaces: namespaces,
                apiServerCidrs: n.apiServerCidrs,
                egressCidrs: n.egressCidrs,
                alsoNamespaces: ns === settings.namespaces.monitoring ? ["kube-system"] : [],
            }))
            : []),
    ];
}

export interface PlatformArgs {
    /** The stack's validated settings; every pillar reads its own slice. */
    readonly settings: PlatformSettings;
}

/**
 * The whole observability platform for one stack: namespaces first, then each enabled pillar.
 */
export class Platform extends pulumi.ComponentResource {
    /** Namespace name by role. */
    public readonly namespaces: pulumi.Output<Record<string, string>>;
    /** UI name -> https URL, for the UIs that have an ingress. */
    public readonly urls: pulumi.Output<Record<string, string>>;
    /** Gated UI name -> `namespace/secret` holding its basic-auth password. */
    public readonly uiCredentials: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:index:Platform", name, {}, opts);
        const { settings } = args;
        const created: Record<string, k8s.core.v1.Namespace> = {};
        const quotas: Record<string, k8s.core.v1.ResourceQuota> = {};
        for (const plan of namespacePlan(settings)) {
            created[plan.name] = new k8s.core.v1.Namespace(`${name}-ns-${plan.name}`, {
                metadata: {
                    name: plan.name,
                    labels: {
                        "pod-security.kubernetes.io/enforce": plan.enforce,
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/warn": plan.enforce === "restricted" ? "restricted" : "baseline",
                        "app.kubernetes.io/part-of": "observability-platform",
                    },
                    annotations: { "observability-platform/pod-security-reason": plan.reason },
                },
            }, { parent: this, retainOnDelete: settings.protectData });
            if (plan.nodeAgents) {
                quotas[plan.name] = new k8s.core.v1.ResourceQuota(`${name}-quota-${plan.name}`, nodeCriticalQuota(plan.name, nodeAgentSets(settings).length) as k8s.core.v1.ResourceQuotaArgs,
                    { parent: this, dependsOn: [created[plan.name]] });
            }
        }
        const ns = settings.namespaces;
        const agents = ns.nodeAgents;
        const tls = settings.tls.enabled
            ? new Tls(`${name}-tls`, {
                namespace: ns.certManager,
                profile: settings.profile,
                webhookReplicas: settings.tls.webhookReplicas,
                zoneAware: settings.profile === "prod",
                domain: settings.domain,
                acmeEmail: settings.tls.acmeEmail,
                ingressClassName: settings.ingressClassName,
                chartDirectory: settings.chartDirectory,
            }, { parent: this, dependsOn: [created[ns.certManager]] })
            : undefined;
        const crds = settings.metrics.enabled
            ? new MonitoringCrds(`${name}-monitoring-crds`, { namespace: ns.monitoring, protectData: settings.protectData, chartDirectory: settings.chartDirectory }, { parent: this })
            : undefined;
        // Everything that asks for a certificate waits for cert-manager's webhook and issuers.
        // A pillar with node agents also waits for their namespace and its node-critical quota.
        const after = (namespace: string, withAgents: boolean, ...more: pulumi.Resource[]) =>
            ({ parent: this, dependsOn: [created[namespace], ...(withAgents ? [created[agents], quotas[agents]] : []), ...(tls?.ready ?? []), ...more] });
        // Awaited (every node tuned) before the stores whose pods need it are created. A node that
        // joins later runs it at node-critical priority, before ordinary pods; a store pod that
        // still starts first fails its bootstrap check and is restarted until it passes.
        const nodeTuning = needsNodeTuning(settings)
            ? [new k8s.apps.v1.DaemonSet(`${name}-node-tuning`, nodeTuningDaemonSet(agents) as k8s.apps.v1.DaemonSetArgs,
                { parent: this, dependsOn: [created[agents], quotas[agents]] })]
            : [];
        // Graylog's MongoDB dump goes to the snapshots' object store, whenever there is one.
        const dump = settings.graylog.enabled && settings.backup.enabled && settings.backup.repository
            ? { repository: settings.backup.repository, intervalHours: settings.backup.intervalHours, retention: settings.backup.retention }
            : undefined;
        const scope = {
            logging: settings.logging.enabled,
            tracing: settings.tracing.enabled,
            graylog: settings.graylog.enabled,
            tls: settings.tls.enabled,
            namespaces: ns,
            backup: settings.logging.enabled && settings.backup.enabled && settings.backup.repository
                ? { intervalHours: settings.backup.intervalHours, repository: SNAPSHOT_REPOSITORY, policy: SLM_POLICY }
                : undefined,
            graylogDump: dump ? { cronJob: MONGODB_DUMP_CRONJOB, intervalHours: dump.intervalHours } : undefined,
        };

        // prod spreads every multi-replica workload over zones as well as nodes.
        const zoneAware = settings.profile === "prod";
        const external = (app: string) => (settings.domain ? `https://${app}.${settings.domain}` : undefined);

        const logging = settings.logging.enabled
            ? new Logging(`${name}-logging`, {
                namespace: ns.logging,
                agentNamespace: agents,
                logging: settings.logging,
                storageClassName: settings.storageClassName,
                protectData: settings.protectData,
                chartDirectory: settings.chartDirectory,
                zoneAware,
                monitoringCrds: crds,
                graylog: settings.graylog.enabled ? gelfEndpoint(ns.graylog) : undefined,
                kibanaUrl: external("kibana"),
                caIssuer: ISSUERS.ca,
                backup: { settings: settings.backup, secrets: settings.backupSecrets, stack: settings.stack },
                consumers: {
                    grafana: settings.metrics.enabled ? ns.monitoring : undefined,
                    jaeger: settings.tracing.enabled && settings.tracing.storage === "elasticsearch" ? ns.tracing : undefined,
                },
            }, after(ns.logging, true, ...nodeTuning))
            : undefined;

        const pillars: pulumi.Resource[] = [...(logging ? [logging] : [])];
        if (settings.graylog.enabled) {
            pillars.push(new Graylog(`${name}-graylog`, {
                namespace: ns.graylog,
                graylog: settings.graylog,
                storageClassName: settings.storageClassName,
                rootPassword: settings.graylogRootPassword,
                protectData: settings.protectData,
                chartDirectory: settings.chartDirectory,
                externalUrl: external("graylog"),
                monitoringCrds: crds,
                zoneAware: settings.profile === "prod",
                alerting: settings.alerting,
                alertingSecrets: settings.alertingSecrets,
                networkPolicies: settings.access.networkPolicies,
                backup: dump
                    ? { ...dump, secrets: settings.backupSecrets, basePath: backupBasePath(dump.repository, settings.stack) }
                    : undefined,
            }, after(ns.graylog, false, ...nodeTuning)));
        }

        // Jaeger stores spans in Elasticsearch and fails its readiness until it answers, so with
        // that storage it starts once Elasticsearch is green, not during its cold start.
        const jaegerEs = logging?.consumers.jaeger;
        const tracing = settings.tracing.enabled
            ? new Tracing(`${name}-tracing`, {
                namespace: ns.tracing,
                agentNamespace: agents,
                tracing: settings.tracing,
                elasticsearch: jaegerEs && logging
                    ? { url: logging.elasticsearchUrl, credentialsSecret: jaegerEs.credentialsSecret, caSecret: jaegerEs.caSecret, replicas: settings.logging.elasticsearch.nodes > 1 ? 1 : 0 }
                    : undefined,
                // The Monitor tab's span metrics, which this Prometheus scrapes from the agents;
                // with TLS it serves https from the platform CA, which Jaeger is given to verify.
                prometheus: settings.metrics.enabled ? { url: monitoringUrl("prometheus", ns.monitoring, settings.tls.enabled) } : undefined,
                prometheusCaIssuer: settings.metrics.enabled && settings.tls.enabled ? ISSUERS.ca : undefined,
                zoneAware,
                monitoringCrds: crds,
                chartDirectory: settings.chartDirectory,
            }, after(ns.tracing, true, ...(logging?.consumerResources ?? []), ...(jaegerEs && logging ? [logging.elasticsearchReady] : [])))
            : undefined;

        if (tracing) {
            pillars.push(tracing);
        }
        if (settings.metrics.enabled) {
            const grafanaLogs = logging?.consumers.grafana;
            pillars.push(new Monitoring(`${name}-metrics`, {
                namespace: ns.monitoring,
                agentNamespace: agents,
                metrics: settings.metrics,
                alerting: settings.alerting,
                alertingSecrets: settings.alertingSecrets,
                storageClassName: settings.storageClassName,
                protectData: settings.protectData,
                chartDirectory: settings.chartDirectory,
                zoneAware,
                certManager: settings.tls.enabled,
                caIssuer: settings.tls.enabled ? ISSUERS.ca : undefined,
                scope,
                logs: grafanaLogs && logging
                    ? {
                        url: logging.elasticsearchUrl,
                        username: "grafana",
                        passwordSecret: grafanaLogs.credentialsSecret,
                        caSecret: grafanaLogs.caSecret,
                        indexPattern: LOG_INDEX_PATTERN,
                    }
                    : undefined,
                traces: tracing ? { url: tracing.queryUrl } : undefined,
                externalUrls: { grafana: external("grafana"), prometheus: external("prometheus"), alertmanager: external("alertmanager") },
            }, after(ns.monitoring, true, ...(crds ? [crds] : []), ...(logging?.consumerResources ?? []))));
        }

        // Ingresses, gates and NetworkPolicies come last: their backends exist by then.
        const access = new Access(`${name}-access`, {
            routes: uiRoutes(settings),
            access: settings.access,
            domain: settings.domain,
            ingressClassName: settings.ingressClassName,
            issuer: tls?.uiIssuer ?? ISSUERS.ca,
            oidcClientSecret: settings.oidcClientSecret,
            zoneAware,
            networkPolicies: platformNetworkPolicies(settings),
        }, { parent: this, dependsOn: [...Object.values(created), ...(tls?.ready ?? []), ...pillars] });

        this.namespaces = pulumi.output(Object.fromEntries(Object.keys(created).map((n) => [n, created[n].metadata.name])));
        this.urls = pulumi.output<Record<string, string>>(access.urls);
        this.uiCredentials = pulumi.output<Record<string, string>>(access.gateSecrets);
        this.registerOutputs({ namespaces: this.namespaces, urls: this.urls, uiCredentials: this.uiCredentials });
    }
}
