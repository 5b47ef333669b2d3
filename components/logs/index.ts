import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as YAML from "yaml";
import { chartSource, ECK_OPERATOR } from "../shared/charts";
import {
    dataView, ECK, elasticsearchManifest, KIBANA_NAME, KIBANA_POD_LABELS, ES_NAME, ES_USERS, esRoles, EsUser, ilmPolicy, indexTemplate, kibanaManifest,
    LOG_DATA_STREAM, LOG_INDEX_PATTERN, setupJobManifest, setupScript, userSecretName,
} from "./elasticsearch";
import { esExporterManifests } from "./es-exporter";
import { fluentBitSections, parserSections, renderSections } from "./fluent-bit-config";
import { FLUENT_BIT, fluentBitDaemonSet, fluentBitMonitoring, fluentBitRbac } from "./fluent-bit";
import { ECK_OPERATOR_SELECTOR, ECK_RELEASE, eckNodeReaderRbac, eckOperatorService, eckOperatorValues } from "./values";
import { annotated, elasticsearchLanded, kibanaLanded, READY_CONDITION, timeoutAnnotation } from "../shared/await";
import { manifestDeclarer } from "../shared/manifest";
import { LoggingSettings } from "../settings/profiles";
import { toMebibytes } from "../shared/quantity";
import { drainSafePdb, ephemeralStorageTransform, protectStatefulTransform, withInputsHash } from "../shared/workloads";

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
    /** Prefer spreading Elasticsearch and Kibana over zones (never required). Default false. */
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

/** Elasticsearch and Kibana awaits: image pulls, volumes and (for Kibana) the first migrations. */
export const ES_COLD_START_SECONDS = 1800;
export const KIBANA_COLD_START_SECONDS = 1200;

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
    /** Elasticsearch, awaited until green: what a writer (Jaeger) waits for before it starts. */
    public readonly elasticsearchReady: pulumi.Resource;

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
                metadata: { name: certName, namespace, annotations: { ...READY_CONDITION } },
                spec: { secretName, dnsNames, issuerRef: { name: args.caIssuer, kind: "ClusterIssuer", group: "cert-manager.io" }, privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" } },
            });

        const zoneAware = args.zoneAware ?? false;
        // ECK reads Nodes only for downward node labels, which only zoneAwareness asks for here
        // (annotatePodsWithNodeLabels returns early without them, driver/shared/node_labels.go).
        const nodeReader = args.logging.elasticsearch.zoneAwareness ? eckNodeReaderRbac(ns).map((obj) => manifest(`eck-${obj.kind.toLowerCase()}`, obj)) : [];
        const operator = new k8s.helm.v4.Chart(`${name}-eck-operator`, {
            ...chartSource(ECK_OPERATOR, args.chartDirectory),
            name: ECK_RELEASE,
            namespace: ns,
            values: eckOperatorValues(args.logging.operator.resources, ns),
        }, { ...child, dependsOn: nodeReader, transforms: [ephemeralStorageTransform, ...(protect ? [protectStatefulTransform] : [])] });
        manifest("eck-operator-pdb", drainSafePdb(ECK_RELEASE, ns, ECK_OPERATOR_SELECTOR));
        manifest("eck-operator-service", eckOperatorService(ns));

        const httpCert = certificate("es-http-cert", ns, `${ES_NAME}-es-http-tls`, `${ES_NAME}-es-http-tls`, [
            ECK.httpService, `${ECK.httpService}.${ns}`, `${ECK.httpService}.${ns}.svc`, `${ECK.httpService}.${ns}.svc.cluster.local`,
        ]);
        const rolesSecret = new k8s.core.v1.Secret(`${name}-es-roles`, {
            metadata: { name: "es-platform-roles", namespace: ns },
            stringData: { "roles.yml": YAML.stringify(esRoles()) },
        }, child);

        // The file-realm users' passwords and Secrets are protected and retained exactly when
        // Elasticsearch is, so a rebuild around the retained cluster keeps its users' credentials.
        const keep = { ...child, protect, retainOnDelete: protect };
        const passwords = {} as Record<EsUser, pulumi.Output<string>>;
        const userSecrets = (Object.keys(ES_USERS) as EsUser[]).map((user) => {
            passwords[user] = new random.RandomPassword(`${name}-es-${user}`, { length: 32, special: false }, keep).result;
            return new k8s.core.v1.Secret(`${name}-es-user-${user}`, {
                metadata: { name: userSecretName(user), namespace: ns },
                type: "kubernetes.io/basic-auth",
                stringData: { username: ES_USERS[user].username, password: passwords[user], roles: ES_USERS[user].role },
            }, keep);
        });

        const after = [operator, httpCert, rolesSecret, ...userSecrets];
        // Awaited until the change landed (ECK done, every node on the version, green): the setup
        // Job, Fluent Bit and Jaeger come after it, and `up` fails rather than report a rollout or
        // downscale that never finished. A cold start pulls images, provisions volumes and forms
        // the cluster node by node.
        const elasticsearch = manifest("elasticsearch", annotated(elasticsearchManifest({
            namespace: ns,
            logging: args.logging,
            storageClassName: args.storageClassName,
            protectData: protect,
            zoneAware,
            httpCertificateSecret: `${ES_NAME}-es-http-tls`,
            rolesSecret: "es-platform-roles",
        }), { ...elasticsearchLanded(args.logging.elasticsearch.version), ...timeoutAnnotation(ES_COLD_START_SECONDS) }), { dependsOn: after, protect, retainOnDelete: protect });
        this.elasticsearchReady = elasticsearch;
        const kibana = manifest("kibana", annotated(kibanaManifest(ns, args.logging, zoneAware, args.kibanaUrl),
            { ...kibanaLanded(args.logging.elasticsearch.version, args.logging.kibana.replicas), ...timeoutAnnotation(KIBANA_COLD_START_SECONDS) }), {
            // Kibana is green only once Elasticsearch is; its own wait starts then.
            dependsOn: [operator, elasticsearch],
        });
        // ECK 3.5.0 makes no PDB for Kibana (kibana_types.go has no podDisruptionBudget field).
        if (args.logging.kibana.replicas > 1) {
            manifest("kibana-pdb", drainSafePdb(`${KIBANA_NAME}-kb`, ns, KIBANA_POD_LABELS));
        }

        const setupData = {
            "setup.sh": setupScript(ns),
            "ilm-policy.json": JSON.stringify(ilmPolicy(args.logging.retentionDays), null, 2),
            "index-template.json": JSON.stringify(indexTemplate(args.logging.elasticsearch.nodes > 1 ? 1 : 0), null, 2),
            "data-view.json": JSON.stringify(dataView(), null, 2),
        };
        const setup = new k8s.core.v1.ConfigMap(`${name}-setup`, { metadata: { name: "logging-setup", namespace: ns }, data: setupData }, child);
        // Named after what it applies, so a new script, retention or template replaces the Job and
        // it runs again; it starts once Elasticsearch (green or yellow) and Kibana answer.
        const setupJob = manifest("setup-job", withInputsHash(setupJobManifest(ns, "logging-setup"), setupData), {
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
        }), {
            // No log is written before the setup Job has installed and verified the index template
            // and ILM policy: a first write without them creates a plain index that never rolls
            // over and fills the disk (Fluent Bit's role may auto-create indices).
            dependsOn: [...rbac, config, elasticsearch, setupJob],
        });

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
