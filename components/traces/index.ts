import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { chartSource, JAEGER } from "../shared/charts";
import {
    JAEGER_POD_LABELS, JAEGER_RELEASE, JaegerElasticsearch, JaegerPrometheus, jaegerChartTransform, jaegerConfigChecksum, jaegerProbePlan, jaegerValues, PROMETHEUS_TRUST_SECRET,
    prometheusTrustCertificate,
} from "./jaeger-values";
import { manifestDeclarer } from "../shared/manifest";
import { OTEL_AGENT, otelAgentConfig, otelAgentDaemonSet, otelAgentMonitoring, otelAgentRbac } from "./otel-agent";
import { TracingSettings } from "../settings/profiles";
import { drainSafePdb, ephemeralStorageTransform } from "../shared/workloads";
import { probesTransform } from "../shared/probes";

export interface TracingArgs {
    readonly namespace: string;
    /** Where the OpenTelemetry agent runs: the node agents' namespace, the only privileged one. */
    readonly agentNamespace: string;
    readonly tracing: TracingSettings;
    /** Elasticsearch for span storage; without it Jaeger keeps traces in memory. */
    readonly elasticsearch?: JaegerElasticsearch;
    /** Prometheus, which scrapes the agents' span metrics; Jaeger's Monitor tab queries it. Without it the tab stays off. */
    readonly prometheus?: Omit<JaegerPrometheus, "caSecret">;
    /**
     * The ClusterIssuer whose CA signed an https Prometheus' certificate: the pillar asks it for a
     * trust Secret that Jaeger verifies Prometheus with. Default none (Prometheus over http).
     */
    readonly prometheusCaIssuer?: string;
    /** Spread Jaeger replicas over zones too. Default false. */
    readonly zoneAware?: boolean;
    /** The Prometheus Operator CRDs; the agents' ServiceMonitor is created only when given. */
    readonly monitoringCrds?: pulumi.Resource;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
}

/**
 * Traces: Jaeger v2 (jaegertracing chart 4.x) and an OpenTelemetry Collector agent on every
 * node that applications reach through their node's IP.
 */
export class Tracing extends pulumi.ComponentResource {
    /** Jaeger query UI/API inside the cluster. */
    public readonly queryUrl: string;
    /** Where agents (or applications) send OTLP gRPC. */
    public readonly otlpEndpoint: string;

    constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:tracing:Tracing", name, {}, opts);
        const ns = args.namespace;
        const child = { parent: this };
        const manifest = manifestDeclarer(this, name);

        const trust = args.prometheus && args.prometheusCaIssuer !== undefined
            ? manifest("prometheus-trust", prometheusTrustCertificate(ns, args.prometheusCaIssuer))
            : undefined;
        const prometheus = args.prometheus && { ...args.prometheus, ...(trust ? { caSecret: PROMETHEUS_TRUST_SECRET } : {}) };
        const values = jaegerValues(args.tracing, args.zoneAware ?? false, args.elasticsearch, prometheus);
        // A changed Jaeger configuration rolls its pods (the chart's Deployment has no checksum of it).
        const jaeger = new k8s.helm.v4.Chart(`${name}-jaeger`, {
            ...chartSource(JAEGER, args.chartDirectory),
            name: JAEGER_RELEASE,
            namespace: ns,
            values,
        }, { ...child, transforms: [jaegerChartTransform(jaegerConfigChecksum(values)), probesTransform(jaegerProbePlan()), ephemeralStorageTransform], dependsOn: trust ? [trust] : [] });
        // The chart has no PDB template; several replicas get the program's.
        if (args.tracing.replicas > 1) {
            manifest("jaeger-pdb", drainSafePdb(JAEGER_RELEASE, ns, JAEGER_POD_LABELS));
        }
        this.otlpEndpoint = `${JAEGER_RELEASE}.${ns}.svc:4317`;
        this.queryUrl = `http://${JAEGER_RELEASE}.${ns}.svc:16686`;

        const agentConfig = YAML.stringify(otelAgentConfig({ samplingPercentage: args.tracing.samplingPercentage, jaegerEndpoint: this.otlpEndpoint }));
        const agents = args.agentNamespace;
        const rbac = otelAgentRbac(agents).map((obj) => manifest(`otel-agent-${obj.kind.toLowerCase()}`, obj));
        const config = new k8s.core.v1.ConfigMap(`${name}-otel-agent-config`, {
            metadata: { name: `${OTEL_AGENT}-config`, namespace: agents },
            data: { "agent.yaml": agentConfig },
        }, child);
        const checksum = crypto.createHash("sha256").update(agentConfig).digest("hex").slice(0, 16);
        manifest("otel-agent-daemonset", otelAgentDaemonSet(agents, args.tracing.agent.resources, `${OTEL_AGENT}-config`, checksum), {
            dependsOn: [...rbac, config, jaeger],
            // Replaced (moved to another namespace), the old DaemonSet goes first: the new pods
            // would otherwise wait for the old ones' host ports, and the DaemonSet await time out
            // (pulumi-kubernetes creates first when the namespace changes, provider.go Diff).
            deleteBeforeReplace: true,
        });
        for (const obj of otelAgentMonitoring(agents).filter((o) => args.monitoringCrds || o.kind !== "ServiceMonitor")) {
            manifest(`otel-agent-${obj.kind.toLowerCase()}`, obj, { dependsOn: args.monitoringCrds ? [args.monitoringCrds] : [] });
        }
        this.registerOutputs({ queryUrl: this.queryUrl, otlpEndpoint: this.otlpEndpoint });
    }
}
