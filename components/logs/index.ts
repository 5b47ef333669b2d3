import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as YAML from "yaml";
import { chartSource, ECK_OPERATOR } from "../shared/charts";
import {
    dataView, ECK, elasticsearchManifest, ES_NAME, ES_USERS, esRoles, EsUser, ilmPolicy, indexTemplate, kibanaManifest,
    LOG_DATA_STREAM, LOG_INDEX_PATTERN, setupJobManifest, setupScript, userSecretName,
} from "./elasticsearch";
import { esExporterManifests } from "./es-exporter";
import { fluentBitSections, parserSections, renderSections } from "./fluent-bit-config";
import { FLUENT_BIT, fluentBitDaemonSet, fluentBitMonitoring, fluentBitRbac } from "./fluent-bit";
import { ECK_OPERATOR_SELECTOR, ECK_RELEASE, ECK_WEBHOOK_CERT, ECK_WEBHOOK_SECRET, ECK_WEBHOOK_SERVICE, eckOperatorValues } from "./values";
import { manifestDeclarer } from "../shared/manifest";
import { LoggingSettings } from "../settings/profiles";
import { toMebibytes } from "../shared/quantity";
import { DRAIN_SAFE_PDB, protectStatefulTransform } from "../shared/workloads";

/** Where a consumer in another namespace finds its Elasticsearch credentials and CA. */
export interface EsConsumer {
    readonly namespace: string;
    /** Secret with `username` and `password`. */
    readonly credentialsSecret: string;
    /** Secret whose `ca.crt` is the platform CA that signed Elasticsearch's certificate. */
    readonly caSecret: string;
}

export interface LoggingArgs {
    readonly namespace: string;
    readonly logging: LoggingSettings;
    readonly storageClassName?: string;
    /** Protect Elasticsearch and keep its volumes. Default false. */
    readonly protectData?: boolean;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
    /** Spread Elasticsearch over zones with zone-aware shard allocation. Default false. */
    readonly zoneAware?: boolean;
    /** The Prometheus Operator CRDs; ServiceMonitors are created only when given. */
    readonly monitoringCrds?: pulumi.Resource;
    /** GELF destination for Fluent Bit's second output, when Graylog is enabled. */
    readonly graylog?: { readonly host: string; readonly port: number };
    /** Namespaces of Grafana and Jaeger, which get their own read/write users. */
    readonly consumers?: { readonly grafana?: string; readonly jaeger?: string };
    /** Kibana's public https URL when it has an ingress. */
    readonly kibanaUrl?: string;
    /** The ClusterIssuer that signs Elasticsearch's HTTP certificate (the platform CA). */
    readonly caIssuer: string;
}

const short = (text: string) => crypto.createHash("sha256").update(text).digest("hex").slice(0, 16);

/**
 * Logs: Elasticsearch and Kibana through ECK, Fluent Bit on every node, ILM retention and a
 * Kibana data view installed by an idempotent Job, and Elasticsearch metrics for alerting.
 * Needs cert-manager's platform CA issuer for Elasticsearch's HTTP certificate.
 */
export class Logging extends pulumi.ComponentResource {
    /** In-cluster Elasticsearch URL. */
    public readonly elasticsearchUrl: string;
    public readonly kibanaService: string;
    /** Credentials and CA delivered to each consumer namespace. */
    public readonly consumers: { grafana?: EsConsumer; jaeger?: EsConsumer };
    /** The Secrets and certificates consumers need before they start. */
    public readonly consumerResources: pulumi.Resource[] = [];

    constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:logging:Logging", name, {}, opts);
        const ns = args.namespace;
        const protect = args.protectData ?? false;
        const child = { parent: this };
        const manifest = manifestDeclarer(this, name);
        const certificate = (role: string, namespace: string, certName: string, secretName: string, dnsNames: string[]) =>
            manifest(role, {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                metadata: { name: certName, namespace },
                spec: { secretName, dnsNames, issuerRef: { name: args.caIssuer, kind: "ClusterIssuer", group: "cert-manager.io" }, privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } },
            });

        const webhookCert = certificate("eck-webhook-cert", ns, ECK_WEBHOOK_CERT, ECK_WEBHOOK_SECRET, [
            `${ECK_WEBHOOK_SERVICE}.${ns}.svc`, `${ECK_WEBHOOK_SERVICE}.${ns}.svc.cluster.local`,
        ]);
        const operator = new k8s.helm.v4.Chart(`${name}-eck-operator`, {
            ...chartSource(ECK_OPERATOR, args.chartDirectory),
            name: ECK_RELEASE,
            namespace: ns,
            values: eckOperatorValues(args.logging.operator.resources, true),
        }, { ...child, dependsOn: [webhookCert], transforms: protect ? [protectStatefulTransform] : [] });
        manifest("eck-operator-pdb", {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: ECK_RELEASE, namespace: ns },
            spec: { ...DRAIN_SAFE_PDB, selector: { matchLabels: ECK_OPERATOR_SELECTOR } },
        });

        const httpCert = certificate("es-http-cert", ns, `${ES_NAME}-es-http-tls`, `${ES_NAME}-es-http-tls`, [
            ECK.httpService, `${ECK.httpService}.${ns}`, `${ECK.httpService}.${ns}.svc`, `${ECK.httpService}.${ns}.svc.cluster.local`,
        ]);
        const rolesSecret = new k8s.core.v1.Secret(`${name}-es-roles`, {
            metadata: { name: "es-platform-roles", namespace: ns },
            stringData: { "roles.yml": YAML.stringify(esRoles()) },
        }, child);

        const passwords = {} as Record<EsUser, pulumi.Output<string>>;
        const userSecrets = (Object.keys(ES_USERS) as EsUser[]).map((user) => {
            passwords[user] = new random.RandomPassword(`${name}-es-${user}`, { length: 32, special: false }, child).result;
            return new k8s.core.v1.Secret(`${name}-es-user-${user}`, {
                metadata: { name: userSecretName(user), namespace: ns },
                type: "kubernetes.io/basic-auth",
                stringData: { username: ES_USERS[user].username, password: passwords[user], roles: ES_USERS[user].role },
            }, child);
        });

        const after = [operator, httpCert, rolesSecret, ...userSecrets];
        const elasticsearch = manifest("elasticsearch", elasticsearchManifest({
            namespace: ns,
            logging: args.logging,
            storageClassName: args.storageClassName,
            protectData: protect,
            zoneAware: args.zoneAware ?? false,
            httpCertificateSecret: `${ES_NAME}-es-http-tls`,
            rolesSecret: "es-platform-roles",
        }), { dependsOn: after, protect, retainOnDelete: protect });
        const kibana = manifest("kibana", kibanaManifest(ns, args.logging, args.kibanaUrl), { dependsOn: [operator] });

        const setup = new k8s.core.v1.ConfigMap(`${name}-setup`, {
            metadata: { name: "logging-setup", namespace: ns },
            data: {
                "setup.sh": setupScript(ns),
                "ilm-policy.json": JSON.stringify(ilmPolicy(args.logging.retentionDays), null, 2),
                "index-template.json": JSON.stringify(indexTemplate(args.logging.elasticsearch.nodes > 1 ? 1 : 0), null, 2),
                "data-view.json": JSON.stringify(dataView(), null, 2),
            },
        }, child);
        // A Job's pod template is immutable: a changed script gets a new Job through replacement.
        manifest("setup-job", setupJobManifest(ns, "logging-setup"), {
            dependsOn: [elasticsearch, kibana, setup],
            customTimeouts: { create: "30m", update: "30m" },
            deleteBeforeReplace: true,
        });

        const fluentBitConf = renderSections(fluentBitSections({
            namespace: ns,
            elasticsearch: { host: `${ECK.httpService}.${ns}.svc`, port: 9200, dataStream: LOG_DATA_STREAM },
            graylog: args.graylog,
            bufferLimitMb: toMebibytes(args.logging.fluentBit.bufferLimit),
        }));
        const parsersConf = renderSections(parserSections());
        const rbac = fluentBitRbac(ns).map((obj) => manifest(`fluent-bit-${obj.kind.toLowerCase()}`, obj));
        const config = new k8s.core.v1.ConfigMap(`${name}-fluent-bit-config`, {
            metadata: { name: `${FLUENT_BIT}-config`, namespace: ns },
            data: { "fluent-bit.conf": fluentBitConf, "parsers.conf": parsersConf },
        }, child);
        manifest("fluent-bit-daemonset", fluentBitDaemonSet({
            namespace: ns,
            resources: args.logging.fluentBit.resources,
            configMap: `${FLUENT_BIT}-config`,
            credentialsSecret: userSecretName("fluentBit"),
            caSecret: ECK.httpPublicCertsSecret,
            configChecksum: short(fluentBitConf + parsersConf),
        }), { dependsOn: [...rbac, config, elasticsearch] });

        const monitoring = [...fluentBitMonitoring(ns), ...esExporterManifests(ns, userSecretName("exporter"))];
        for (const obj of monitoring.filter((o) => args.monitoringCrds || o.kind !== "ServiceMonitor")) {
            const crds = obj.kind === "ServiceMonitor" && args.monitoringCrds ? [args.monitoringCrds] : [];
            manifest(`${obj.metadata.name}-${obj.kind.toLowerCase()}`, obj, { dependsOn: [elasticsearch, ...crds] });
        }

        const deliver = (consumer: "grafana" | "jaeger", namespace: string | undefined): EsConsumer | undefined => {
            if (!namespace) {
                return undefined;
            }
            const credentialsSecret = `logs-${consumer}-credentials`;
            this.consumerResources.push(new k8s.core.v1.Secret(`${name}-${consumer}-credentials`, {
                metadata: { name: credentialsSecret, namespace },
                type: "kubernetes.io/basic-auth",
                stringData: { username: ES_USERS[consumer].username, password: passwords[consumer] },
            }, child));
            // A leaf certificate from the platform CA: cert-manager writes the CA into its
            // Secret's ca.crt, which is all the consumer mounts.
            this.consumerResources.push(certificate(`${consumer}-platform-trust`, namespace, `platform-trust-${consumer}`,
                `platform-trust-${consumer}`, [`platform-trust.${namespace}.svc`]));
            return { namespace, credentialsSecret, caSecret: `platform-trust-${consumer}` };
        };
        this.consumers = { grafana: deliver("grafana", args.consumers?.grafana), jaeger: deliver("jaeger", args.consumers?.jaeger) };
        this.elasticsearchUrl = `https://${ECK.httpService}.${ns}.svc:9200`;
        this.kibanaService = `${ECK.kibanaService}.${ns}.svc:5601`;
        this.registerOutputs({ elasticsearchUrl: this.elasticsearchUrl, kibanaService: this.kibanaService, indexPattern: LOG_INDEX_PATTERN });
    }
}
