import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { alertmanagerConfigYaml } from "./alertmanager-config";
import { platformRuleGroups, RuleScope } from "./alert-rules";
import { chartSource, CHARTS } from "../shared/charts";
import { dashboardJson, platformDashboards } from "./dashboards";
import { LogsDataSource, MONITORING_RELEASE, monitoringProbePlan, monitoringValues, MonitoringValuesInput, nodeExporterMoveTransform, TracesDataSource } from "./values";
import { AlertingSettings, MetricsSettings } from "../settings/profiles";
import { ephemeralStorageTransform, protectStatefulTransform } from "../shared/workloads";
import { probesTransform } from "../shared/probes";
import { admissionOrderingValues, mergeValues } from "./admission";
import { manifestDeclarer } from "../shared/manifest";
import { httpsAppProtocolTransform, monitoringCertificates, monitoringUrl } from "./tls";

export interface MonitoringArgs {
    /** Namespace for the whole stack but node-exporter; it must exist. */
    readonly namespace: string;
    /** Where node-exporter runs: the node agents' namespace, the only privileged one. */
    readonly agentNamespace: string;
    readonly metrics: MetricsSettings;
    readonly alerting: AlertingSettings;
    /** Receiver credentials by receiver name (a Pulumi secret). */
    readonly alertingSecrets: pulumi.Input<Readonly<Record<string, string>>>;
    /** Unset uses the cluster's default StorageClass. */
    readonly storageClassName?: string;
    /** Spread Prometheus, Alertmanager and Grafana replicas over zones too. Default false. */
    readonly zoneAware?: boolean;
    /** Retain PVCs and protect the CRDs and stateful resources. Default false. */
    readonly protectData?: boolean;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
    /**
     * cert-manager is installed, so the operator's admission webhook gets its certificate from
     * it; without it the webhook is left out (its own cert Jobs are Helm hooks v4 Chart skips).
     */
    readonly certManager: boolean;
    /**
     * The ClusterIssuer of the platform CA. With it, Prometheus and Alertmanager serve HTTPS with
     * its certificates and every client verifies them; without it (TLS off) they serve HTTP.
     */
    readonly caIssuer?: string;
    /** Which other pillars exist, for their alert rules and dashboards. */
    readonly scope: RuleScope;
    /** Grafana's Elasticsearch datasource, when logging is enabled. */
    readonly logs?: LogsDataSource;
    /** Grafana's Jaeger datasource, when tracing is enabled. */
    readonly traces?: TracesDataSource;
    /** Public URLs of Grafana, Prometheus and Alertmanager when they have an ingress. */
    readonly externalUrls?: MonitoringValuesInput["externalUrls"];
}

/** The chart values, plus the install order around the admission webhook when it is on. */
function withAdmissionOrdering(args: MonitoringArgs, values: Record<string, unknown>): Record<string, unknown> {
    return args.certManager ? mergeValues(values, admissionOrderingValues(args.namespace)) : values;
}

/**
 * Metrics: kube-prometheus-stack (Prometheus Operator, Prometheus, Alertmanager, Grafana,
 * node-exporter, kube-state-metrics) with the platform's own alert rules, routing and
 * dashboards. Needs cert-manager for the operator's admission webhook certificate.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** URLs inside the cluster (https when TLS is on), for anything else that queries them. */
    public readonly services: { prometheus: string; alertmanager: string; grafana: string };
    /** The Secret holding Grafana's admin user and password. */
    public readonly grafanaAdminSecret: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:metrics:Monitoring", name, {}, opts);
        const namespace = args.namespace;
        const protect = args.protectData ?? false;
        const grafanaSecretName = "grafana-admin";
        const alertmanagerSecretName = "alertmanager-platform-config";

        const grafanaPassword = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this });
        const grafanaSecret = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: grafanaSecretName, namespace },
            type: "Opaque",
            stringData: { "admin-user": "admin", "admin-password": grafanaPassword.result },
        }, { parent: this });

        const alertmanagerSecret = new k8s.core.v1.Secret(`${name}-alertmanager-config`, {
            metadata: { name: alertmanagerSecretName, namespace },
            type: "Opaque",
            stringData: {
                "alertmanager.yaml": pulumi.secret(pulumi.output(args.alertingSecrets).apply((creds) => alertmanagerConfigYaml(args.alerting, creds))),
            },
        }, { parent: this });

        for (const d of platformDashboards(args.scope)) {
            new k8s.core.v1.ConfigMap(`${name}-dashboard-${d.uid}`, {
                metadata: { name: `dashboard-${d.uid}`, namespace, labels: { grafana_dashboard: "1" } },
                data: { [`${d.uid}.json`]: dashboardJson(d) },
            }, { parent: this });
        }

        const tls = args.caIssuer !== undefined;
        const manifest = manifestDeclarer(this, name);
        // Awaited Ready: the operator reads the trust Secret's CA when it writes the configuration,
        // and the pods mount the serving Secrets.
        const certificates = tls
            ? monitoringCertificates(namespace, args.caIssuer!).map((c) => manifest(`certificate-${c.metadata.name}`, c))
            : [];

        const chart = new k8s.helm.v4.Chart(`${name}-kps`, {
            ...chartSource(CHARTS.kubePrometheusStack, args.chartDirectory),
            name: MONITORING_RELEASE,
            namespace,
            values: withAdmissionOrdering(args, monitoringValues({
                namespace,
                agentNamespace: args.agentNamespace,
                metrics: args.metrics,
                zoneAware: args.zoneAware ?? false,
                storageClassName: args.storageClassName,
                protectData: protect,
                certManager: args.certManager,
                tls,
                alertmanagerConfigSecret: alertmanagerSecretName,
                grafanaAdminSecret: grafanaSecretName,
                logs: args.logs,
                traces: args.traces,
                externalUrls: args.externalUrls,
            })),
        }, {
            parent: this,
            dependsOn: [grafanaSecret, alertmanagerSecret, ...certificates],
            transforms: [
                nodeExporterMoveTransform(`${name}-kps`, namespace),
                probesTransform(monitoringProbePlan(args.certManager)),
                ephemeralStorageTransform,
                ...(protect ? [protectStatefulTransform] : []),
                ...(tls ? [httpsAppProtocolTransform] : []),
            ],
        });

        // Outside the chart, so no depends-on: waiting for the whole Chart includes the admission webhook's
        // Service endpoint and the webhooks' injected CA (see ./admission.ts).
        new k8s.apiextensions.CustomResource(`${name}-platform-rules`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "platform-alerts", namespace, labels: { "app.kubernetes.io/part-of": "observability-platform" } },
            spec: { groups: platformRuleGroups(args.scope) },
        }, { parent: this, dependsOn: [chart] });

        this.services = {
            prometheus: monitoringUrl("prometheus", namespace, tls),
            alertmanager: monitoringUrl("alertmanager", namespace, tls),
            grafana: `http://${MONITORING_RELEASE}-grafana.${namespace}.svc:80`,
        };
        this.grafanaAdminSecret = grafanaSecret.metadata.name;
        this.registerOutputs({ services: this.services, grafanaAdminSecret: this.grafanaAdminSecret });
    }
}
