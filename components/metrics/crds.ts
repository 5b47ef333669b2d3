import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartSource, CHARTS } from "../shared/charts";
import { protectStatefulTransform, retainSharedCrdsTransform } from "../shared/workloads";

export interface MonitoringCrdsArgs {
    /** Namespace recorded as the chart's release namespace (CRDs are cluster-scoped). */
    readonly namespace: string;
    /**
     * Also protect the CRDs (prod): deleting one deletes every custom resource of its kind.
     * Default false. They are retained on delete in every profile either way.
     */
    readonly protectData?: boolean;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
}

/**
 * The Prometheus Operator's CRDs as their own chart, installed before anything that declares a
 * ServiceMonitor or PrometheusRule, so logging, tracing and Graylog never wait for the whole
 * monitoring stack. The chart keeps them in templates/, so v4 Chart applies them server-side on
 * every update: bumping the pinned version upgrades the CRDs (plain Helm never would).
 */
export class MonitoringCrds extends pulumi.ComponentResource {
    constructor(name: string, args: MonitoringCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:metrics:MonitoringCrds", name, {}, opts);
        new k8s.helm.v4.Chart(`${name}-chart`, {
            ...chartSource(CHARTS.prometheusOperatorCrds, args.chartDirectory),
            name: "prometheus-operator-crds",
            namespace: args.namespace,
            values: {},
        }, { parent: this, transforms: [retainSharedCrdsTransform, ...(args.protectData ? [protectStatefulTransform] : [])] });
        this.registerOutputs({});
    }
}
