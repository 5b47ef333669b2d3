import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { chartSource, GRAYLOG, MONGODB_OPERATOR } from "../shared/charts";
import {
    DATANODE_PDB, datanodePdbAlias, externalInputManifests, GRAYLOG_RELEASE, GRAYLOG_ROOT_SECRET, GRAYLOG_SECRET, graylogChecksums, graylogPdbs, graylogChartTransform, graylogProbePlan, graylogServiceMonitor,
    graylogValues, MONGODB_BACKUP_USER, MONGODB_METRICS_USER, MONGODB_PASSWORDS_SECRET, MONGODB_VERSION, mongodbManifest, mongodbOperatorValues, mongodbPodMonitor, mongodbUri, smtpReceiver,
} from "./values";
import { DUMP_CREDENTIALS_SECRET, GraylogDumpSettings, mongodbDumpCronJob, rcloneSecretEnv } from "./backup";
import { graylogSetupJob, NOTIFICATIONS_SECRET, notificationSecretReceivers, setupScript } from "./setup";
import { manifestDeclarer } from "../shared/manifest";
import { AlertingSettings, GraylogSettings } from "../settings/profiles";
import { ephemeralStorageTransform, protectStatefulTransform, retainSharedCrdsTransform, withInputsHash } from "../shared/workloads";
import { probesTransform } from "../shared/probes";
import { annotated, mongodbLanded, slowStartTransform, timeoutAnnotation } from "../shared/await";

/** MongoDB and the Graylog StatefulSets: image pulls, volumes, replica-set initiation, migrations. */
export const GRAYLOG_COLD_START_SECONDS = 1200;

export interface GraylogArgs {
    readonly namespace: string;
    readonly graylog: GraylogSettings;
    readonly storageClassName?: string;
    /** Admin password from the stack (a secret); unset: generated. */
    readonly rootPassword?: pulumi.Input<string>;
    /** MongoDB server version for the replica set. Default MONGODB_VERSION (the Graylog chart's own default). */
    readonly mongodbVersion?: string;
    readonly protectData?: boolean;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
    /** Graylog's public https URL when it has an ingress. */
    readonly externalUrl?: string;
    /** The Prometheus Operator CRDs; the ServiceMonitor is created only when given. */
    readonly monitoringCrds?: pulumi.Resource;
    /** Require distinct nodes and spread over zones (prod). */
    readonly zoneAware?: boolean;
    /** The stack's alert receivers: Graylog notifies the same ones. */
    readonly alerting: AlertingSettings;
    /** Receiver name -> credential (a secret), as for Alertmanager. */
    readonly alertingSecrets: pulumi.Input<Readonly<Record<string, string>>>;
    /** Fence the external inputs with a NetworkPolicy. */
    readonly networkPolicies: boolean;
    /** The scheduled MongoDB dump to the stack's object store, when backups are on; `secrets` is `backupSecrets`. */
    readonly backup?: GraylogDumpSettings & { readonly secrets: pulumi.Input<Readonly<Record<string, string | undefined>>> };
}

/**
 * Graylog 7 (open source) with its Data Node, MongoDB through the MongoDB operator, every
 * secret made by the program, and a GELF input provisioned for Fluent Bit.
 */
export class Graylog extends pulumi.ComponentResource {

    constructor(name: string, args: GraylogArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:graylog:Graylog", name, {}, opts);
        const ns = args.namespace;
        const protect = args.protectData ?? false;
        const child = { parent: this };
        const manifest = manifestDeclarer(this, name);
        // What the retained MongoDB depends on outlives a rebuild with it (`destroy
        // --exclude-protected`, then `up`): the pepper (graylog.conf: changing `password_secret`
        // "will render all user sessions and encrypted values in the database invalid"), the
        // MongoDB users' passwords, and the Secrets that hold them. Protected and retained exactly
        // when MongoDB is.
        const keep = { ...child, protect, retainOnDelete: protect };
        const password = (role: string, length: number, opts: pulumi.CustomResourceOptions = child) =>
            new random.RandomPassword(`${name}-${role}`, { length, special: false }, opts).result;

        const smtpPasswordOf = args.alerting.smtp?.username ? smtpReceiver(args.alerting) : undefined;
        const rootPassword = args.rootPassword ? pulumi.secret(args.rootPassword) : password("root-password", 32);
        const pepper = password("password-secret", 96, keep);
        const mongoAdmin = password("mongodb-admin", 32, keep);
        const mongoGraylog = password("mongodb-graylog", 32, keep);
        const mongoMetrics = password("mongodb-metrics", 32, keep);
        const mongoBackup = password("mongodb-backup", 32, keep);

        const mongoSecret = new k8s.core.v1.Secret(`${name}-mongodb-passwords`, {
            metadata: { name: MONGODB_PASSWORDS_SECRET, namespace: ns },
            stringData: { admin: mongoAdmin, graylog: mongoGraylog, [MONGODB_METRICS_USER]: mongoMetrics, [MONGODB_BACKUP_USER]: mongoBackup },
        }, keep);
        const rootSecret = new k8s.core.v1.Secret(`${name}-root`, {
            metadata: { name: GRAYLOG_ROOT_SECRET, namespace: ns },
            type: "kubernetes.io/basic-auth",
            stringData: { username: "admin", password: rootPassword },
        }, child);
        const graylogSecret = new k8s.core.v1.Secret(`${name}-secrets`, {
            metadata: { name: GRAYLOG_SECRET, namespace: ns },
            stringData: {
                GRAYLOG_MONGODB_URI: pulumi.secret(mongoGraylog.apply((pw) => mongodbUri(ns, pw))),
                GRAYLOG_ROOT_USERNAME: "admin",
                GRAYLOG_PASSWORD_SECRET: pepper,
                GRAYLOG_ROOT_PASSWORD_SHA2: pulumi.secret(pulumi.output(rootPassword).apply((pw) => crypto.createHash("sha256").update(pw).digest("hex"))),
                ...(smtpPasswordOf ? { GRAYLOG_TRANSPORT_EMAIL_AUTH_PASSWORD: pulumi.secret(pulumi.output(args.alertingSecrets).apply((c) => c[smtpPasswordOf] ?? "")) } : {}),
            },
        }, keep);
        const secretReceivers = notificationSecretReceivers(args.alerting);
        const notificationsSecret = secretReceivers.length > 0
            ? [new k8s.core.v1.Secret(`${name}-notifications`, {
                metadata: { name: NOTIFICATIONS_SECRET, namespace: ns },
                stringData: pulumi.secret(pulumi.output(args.alertingSecrets).apply((c) => Object.fromEntries(secretReceivers.map((r) => [r, c[r] ?? ""])))),
            }, child)]
            : [];

        // The operator's CRDs (MongoDBCommunity and the rest) are cluster-wide: retained in every profile.
        const operator = new k8s.helm.v4.Chart(`${name}-mongodb-operator`, {
            ...chartSource(MONGODB_OPERATOR, args.chartDirectory),
            name: "mongodb-kubernetes",
            namespace: ns,
            values: mongodbOperatorValues(),
        }, { ...child, transforms: [retainSharedCrdsTransform, ephemeralStorageTransform, ...(protect ? [protectStatefulTransform] : [])] });
        // Awaited until the operator reports the replica set Running at its version and member
        // count: Graylog refuses to start without MongoDB, and its chart waits for this.
        const mongodbVersion = args.mongodbVersion ?? MONGODB_VERSION;
        const mongodb = manifest("mongodb", annotated(mongodbManifest(ns, args.graylog, mongodbVersion, args.storageClassName, args.zoneAware),
            { ...mongodbLanded(mongodbVersion, args.graylog.mongodbMembers), ...timeoutAnnotation(GRAYLOG_COLD_START_SECONDS) }), {
            dependsOn: [operator, mongoSecret],
            protect,
            retainOnDelete: protect,
        });

        // A change to what a StatefulSet's ConfigMap holds rolls its pods; nothing else does (a new
        // root password needs a rollout restart, see the README).
        const values = graylogValues(args.graylog, args.storageClassName, args.externalUrl, { zoneAware: args.zoneAware, alerting: args.alerting });
        const chart = new k8s.helm.v4.Chart(`${name}-graylog`, {
            ...chartSource(GRAYLOG, args.chartDirectory),
            name: GRAYLOG_RELEASE,
            namespace: ns,
            values,
        }, {
            ...child,
            dependsOn: [graylogSecret, mongodb],
            // The chart's StatefulSets are awaited (built in); a first start pulls large images
            // and runs MongoDB migrations, so they get longer than the default 10 minutes.
            transforms: [
                graylogChartTransform(graylogChecksums(values)),
                probesTransform(graylogProbePlan()),
                ephemeralStorageTransform,
                slowStartTransform(["StatefulSet"], GRAYLOG_COLD_START_SECONDS),
                ...(protect ? [protectStatefulTransform] : []),
            ],
        });

        for (const pdb of graylogPdbs(ns, args.graylog)) {
            const aliases = pdb.metadata.name === DATANODE_PDB ? [{ name: datanodePdbAlias(`${name}-graylog`, ns), parent: chart }] : undefined;
            manifest(`pdb-${pdb.metadata.name}`, pdb, aliases ? { aliases } : {});
        }

        const setupData = { "setup.sh": setupScript({ namespace: ns, graylog: args.graylog, alerting: args.alerting }) };
        const setup = new k8s.core.v1.ConfigMap(`${name}-setup`, { metadata: { name: "graylog-setup", namespace: ns }, data: setupData }, child);
        // Named after what it applies, so a changed script or a rotated receiver credential
        // replaces the Job and it runs again; it waits for the whole chart (both StatefulSets
        // ready) and the admin credentials.
        const setupJob = graylogSetupJob(ns, "graylog-setup", GRAYLOG_ROOT_SECRET, args.alerting);
        // The credentials the Job reads from the notifications Secret enter the name as an HMAC
        // keyed with the pepper (96 random characters that never leave a secret), so the name
        // neither shows a credential nor lets anyone test a guessed one against it. The digest
        // is unsecret on purpose: a secret `metadata.name` would make the Job's whole metadata
        // secret in previews, state and the render, and the name reveals nothing.
        const jobName = secretReceivers.length > 0
            ? pulumi.unsecret(pulumi.all([pulumi.output(args.alertingSecrets), pepper]).apply(([credentials, key]) => {
                const digest = crypto.createHmac("sha256", key).update(JSON.stringify(secretReceivers.map((r) => [r, credentials[r] ?? ""]))).digest("hex");
                return withInputsHash(setupJob, { ...setupData, [NOTIFICATIONS_SECRET]: digest }).metadata.name as string;
            }))
            : withInputsHash(setupJob, setupData).metadata.name as string;
        manifest("setup-job", { ...setupJob, metadata: { ...setupJob.metadata, name: jobName } }, {
            dependsOn: [chart, setup, rootSecret, ...notificationsSecret],
            customTimeouts: { create: "30m", update: "30m" },
            deleteBeforeReplace: true,
        });
        for (const object of externalInputManifests(ns, args.graylog, args.networkPolicies)) {
            manifest(`${object.kind.toLowerCase()}-${object.metadata.name}`, object, { dependsOn: [chart] });
        }
        if (args.backup) {
            // The object store's credentials as rclone reads them; a changed credential is read by
            // the next scheduled run (the pod reads the Secret when it starts).
            const { secrets, repository } = args.backup;
            const credentials = new k8s.core.v1.Secret(`${name}-backup-credentials`, {
                metadata: { name: DUMP_CREDENTIALS_SECRET, namespace: ns },
                stringData: pulumi.secret(pulumi.output(secrets).apply((s) => rcloneSecretEnv(repository, s))),
            }, child);
            manifest("mongodb-dump", mongodbDumpCronJob(ns, MONGODB_PASSWORDS_SECRET, args.backup), { dependsOn: [credentials, mongodb] });
        }
        if (args.monitoringCrds) {
            manifest("servicemonitor", graylogServiceMonitor(ns), { dependsOn: [args.monitoringCrds, chart] });
            manifest("podmonitor-mongodb", mongodbPodMonitor(ns), { dependsOn: [args.monitoringCrds, mongodb] });
        }

        this.registerOutputs({});
    }
}
