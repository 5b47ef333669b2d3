import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as YAML from "yaml";
import { chartSource, ECK_OPERATOR } from "../shared/charts";
import {
    dataView, ECK, elasticsearchManifest, JAEGER_INDEX_PATTERN, KIBANA_NAME, KIBANA_POD_LABELS, ES_NAME, ES_USERS, esRoles, EsUser, ilmPolicy, indexTemplate, kibanaManifest,
    LOG_DATA_STREAM, LOG_INDEX_PATTERN, logStreams, NODE_LOGS, setupFiles, setupJobManifest, setupScript, userSecretName,
} from "./elasticsearch";
import { esExporterManifests } from "./es-exporter";
import { keystoreEntries, repositoryClientConfig, slmPolicy, snapshotRepository } from "./backup";
import { fluentBitSections, nodeInputFiles, parserSections, REDACTION_SCRIPT, renderSections } from "./fluent-bit-config";
import { redactionPatterns, redactionScript } from "./redaction";
import { FLUENT_BIT, fluentBitDaemonSet, fluentBitMonitoring, fluentBitRbac } from "./fluent-bit";
import { ECK_OPERATOR_SELECTOR, ECK_RELEASE, eckNodeReaderRbac, eckOperatorService, eckOperatorValues } from "./values";
import { annotated, elasticsearchLanded, kibanaLanded, READY_CONDITION, timeoutAnnotation } from "../shared/await";
import { manifestDeclarer } from "../shared/manifest";
import { BackupSettings, LoggingSettings } from "../settings/profiles";
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
    /** Where Fluent Bit runs: the node agents' namespace, the only privileged one. */
    readonly agentNamespace: string;
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
    /** Snapshots (README "Backup and restore"); the stack's name is the default prefix in the bucket. */
    readonly backup: { readonly settings: BackupSettings; readonly secrets: pulumi.Input<Readonly<Record<string, string | undefined>>>; readonly stack: string };
}

/** Elasticsearch and Kibana awaits: image pulls, volumes and (for Kibana) the first migrations. */
export const ES_COLD_START_SECONDS = 1800;

/** The Secret whose keys ECK copies into every node's keystore: the object store's credentials. */
export const ES_BACKUP_CREDENTIALS_SECRET = "es-backup-credentials";
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
        const streams = logStreams(args.logging.nodeLogs);
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
            stringData: { "roles.yml": YAML.stringify(esRoles(streams)) },
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

        // Snapshots: the credentials go into the keystore through a Secret ECK reads
        // (spec.secureSettings); the pod template carries an HMAC of them under a generated key,
        // so a new credential is a visible, awaited change of the Elasticsearch resource, and the
        // digest tells nothing about the credential.
        const repository = args.backup.settings.enabled ? args.backup.settings.repository : undefined;
        const backupResources: pulumi.Resource[] = [];
        let backup: { secureSettingsSecret: string; clientConfig: Record<string, string | boolean>; credentialsDigest: pulumi.Output<string> } | undefined;
        if (repository) {
            const entries = pulumi.output(args.backup.secrets).apply((secrets) => keystoreEntries(repository.type, secrets));
            backupResources.push(new k8s.core.v1.Secret(`${name}-es-backup-credentials`, {
                metadata: { name: ES_BACKUP_CREDENTIALS_SECRET, namespace: ns },
                stringData: pulumi.secret(entries),
            }, child));
            const digestKey = new random.RandomPassword(`${name}-backup-digest-key`, { length: 32, special: false }, child).result;
            backup = {
                secureSettingsSecret: ES_BACKUP_CREDENTIALS_SECRET,
                clientConfig: repositoryClientConfig(repository),
                credentialsDigest: pulumi.unsecret(pulumi.all([entries, digestKey]).apply(([e, key]) =>
                    crypto.createHmac("sha256", key).update(JSON.stringify(Object.entries(e).sort())).digest("hex").slice(0, 16))),
            };
        }

        const after = [operator, httpCert, rolesSecret, ...userSecrets, ...backupResources];
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
            backup,
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

        const replicas = args.logging.elasticsearch.nodes > 1 ? 1 : 0;
        const setupData: Record<string, string> = {
            "setup.sh": setupScript(ns, streams, repository !== undefined),
            "ilm-policy.json": JSON.stringify(ilmPolicy(args.logging.retentionDays), null, 2),
            ...(repository
                ? {
                    "snapshot-repository.json": JSON.stringify(snapshotRepository(repository, args.backup.stack), null, 2),
                    "slm-policy.json": JSON.stringify(slmPolicy(args.backup.settings, [...streams.map((s) => s.indexPattern), JAEGER_INDEX_PATTERN]), null, 2),
                }
                : {}),
        };
        for (const stream of streams) {
            setupData[setupFiles(stream).template] = JSON.stringify(indexTemplate(stream, replicas), null, 2);
            setupData[setupFiles(stream).dataView] = JSON.stringify(dataView(stream), null, 2);
        }
        const setup = new k8s.core.v1.ConfigMap(`${name}-setup`, { metadata: { name: "logging-setup", namespace: ns }, data: setupData }, child);
        // Named after what it applies, so a new script, retention or template replaces the Job and
        // it runs again; it starts once Elasticsearch (green or yellow) and Kibana answer.
        // With snapshots, the credentials' digest counts as an input: a new credential runs the
        // Job again, which verifies the repository with it once every node restarted (above).
        const job = setupJobManifest(ns, "logging-setup");
        const jobName = backup
            ? backup.credentialsDigest.apply((digest) => withInputsHash(job, { ...setupData, [ES_BACKUP_CREDENTIALS_SECRET]: digest }).metadata.name as string)
            : withInputsHash(job, setupData).metadata.name as string;
        const setupJob = manifest("setup-job", { ...job, metadata: { ...job.metadata, name: jobName } }, {
            dependsOn: [elasticsearch, kibana, setup],
            customTimeouts: { create: "30m", update: "30m" },
            deleteBeforeReplace: true,
        });

        /** A consumer's credentials and CA in its own namespace, and the resources that hold them. */
        const deliver = (consumer: "grafana" | "jaeger" | "fluentBit", namespace: string): { consumer: EsConsumer; resources: pulumi.Resource[] } => {
            // Object names after the Elasticsearch user (`fluent-bit`, `grafana`, `jaeger`).
            const user = ES_USERS[consumer].username;
            const credentialsSecret = `logs-${user}-credentials`;
            const secret = new k8s.core.v1.Secret(`${name}-${consumer}-credentials`, {
                metadata: { name: credentialsSecret, namespace },
                type: "kubernetes.io/basic-auth",
                stringData: { username: user, password: passwords[consumer] },
            }, child);
            // A leaf certificate from the platform CA: cert-manager writes the CA into its
            // Secret's ca.crt, which is all the consumer mounts.
            const trust = certificate(`${consumer}-platform-trust`, namespace, `platform-trust-${user}`, `platform-trust-${user}`, [`platform-trust.${namespace}.svc`]);
            return { consumer: { namespace, credentialsSecret, caSecret: `platform-trust-${user}` }, resources: [secret, trust] };
        };

        // Fluent Bit runs beside the other node agents, so its Elasticsearch user and the CA reach
        // it in that namespace as they reach Grafana and Jaeger in theirs.
        const agents = args.agentNamespace;
        const { consumer: fluentBitEs, resources: fluentBitInputs } = deliver("fluentBit", agents);
        const redaction = args.logging.redaction;
        const fluentBitData: Record<string, string> = {
            "fluent-bit.conf": renderSections(fluentBitSections({
                namespace: agents,
                elasticsearch: { host: `${ECK.httpService}.${ns}.svc`, port: 9200, dataStream: LOG_DATA_STREAM },
                graylog: args.graylog,
                bufferLimitMb: toMebibytes(args.logging.fluentBit.bufferLimit),
                nodeLogs: args.logging.nodeLogs ? { dataStream: NODE_LOGS.dataStream } : undefined,
                redaction: redaction.enabled,
            })),
            "parsers.conf": renderSections(parserSections()),
            ...(args.logging.nodeLogs ? nodeInputFiles() : {}),
            ...(redaction.enabled ? { [REDACTION_SCRIPT]: redactionScript(redactionPatterns(redaction.builtins, redaction.patterns)) } : {}),
        };
        const rbac = fluentBitRbac(agents).map((obj) => manifest(`fluent-bit-${obj.kind.toLowerCase()}`, obj));
        const config = new k8s.core.v1.ConfigMap(`${name}-fluent-bit-config`, {
            metadata: { name: `${FLUENT_BIT}-config`, namespace: agents },
            data: fluentBitData,
        }, child);
        manifest("fluent-bit-daemonset", fluentBitDaemonSet({
            namespace: agents,
            resources: args.logging.fluentBit.resources,
            configMap: `${FLUENT_BIT}-config`,
            credentialsSecret: fluentBitEs.credentialsSecret,
            caSecret: fluentBitEs.caSecret,
            configChecksum: short(Object.keys(fluentBitData).sort().map((file) => `${file}\n${fluentBitData[file]}`).join("\n")),
            nodeLogs: args.logging.nodeLogs,
        }), {
            // No log is written before the setup Job has installed and verified the index template
            // and ILM policy: a first write without them creates a plain index that never rolls
            // over and fills the disk (Fluent Bit's role may auto-create indices).
            dependsOn: [...rbac, config, elasticsearch, setupJob, ...fluentBitInputs],
            // Moved to another namespace (or otherwise replaced), the old DaemonSet goes first:
            // two Fluent Bits on a node would read the same hostPath tail database and buffer.
            // pulumi-kubernetes creates the new object first when the namespace changes
            // (provider.go Diff, deleteBeforeReplace only for the same name and namespace).
            deleteBeforeReplace: true,
        });

        const monitoring = [...fluentBitMonitoring(agents), ...esExporterManifests(ns, userSecretName("exporter"))];
        for (const obj of monitoring.filter((o) => args.monitoringCrds || o.kind !== "ServiceMonitor")) {
            const crds = obj.kind === "ServiceMonitor" && args.monitoringCrds ? [args.monitoringCrds] : [];
            manifest(`${obj.metadata.name}-${obj.kind.toLowerCase()}`, obj, { dependsOn: [elasticsearch, ...crds] });
        }

        const external = (consumer: "grafana" | "jaeger", namespace: string | undefined): EsConsumer | undefined => {
            if (namespace === undefined) {
                return undefined;
            }
            const delivered = deliver(consumer, namespace);
            this.consumerResources.push(...delivered.resources);
            return delivered.consumer;
        };
        this.consumers = { grafana: external("grafana", args.consumers?.grafana), jaeger: external("jaeger", args.consumers?.jaeger) };
        this.elasticsearchUrl = `https://${ECK.httpService}.${ns}.svc:9200`;
        this.kibanaService = `${ECK.kibanaService}.${ns}.svc:5601`;
        this.registerOutputs({ elasticsearchUrl: this.elasticsearchUrl, kibanaService: this.kibanaService, indexPattern: LOG_INDEX_PATTERN });
    }
}
