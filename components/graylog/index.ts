import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { chartSource, GRAYLOG, MONGODB_OPERATOR } from "../shared/charts";
import {
    gelfSetupJob, gelfSetupScript, GRAYLOG_RELEASE, GRAYLOG_ROOT_SECRET, GRAYLOG_SECRET, graylogPdbs,
    graylogChartTransform, graylogServiceMonitor, graylogValues, MONGODB_PASSWORDS_SECRET, mongodbManifest, mongodbOperatorValues, mongodbUri,
} from "./values";
import { manifestDeclarer } from "../shared/manifest";
import { GraylogSettings } from "../settings/profiles";
import { protectStatefulTransform } from "../shared/workloads";

export interface GraylogArgs {
    readonly namespace: string;
    readonly graylog: GraylogSettings;
    readonly storageClassName?: string;
    /** Admin password from the stack (a secret); unset: generated. */
    readonly rootPassword?: pulumi.Input<string>;
    /** MongoDB server version for the replica set. Default 7.0.25 (the Graylog chart's own default). */
    readonly mongodbVersion?: string;
    readonly protectData?: boolean;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
    /** Graylog's public https URL when it has an ingress. */
    readonly externalUrl?: string;
    /** The Prometheus Operator CRDs; the ServiceMonitor is created only when given. */
    readonly monitoringCrds?: pulumi.Resource;
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
        const password = (role: string, length: number) => new random.RandomPassword(`${name}-${role}`, { length, special: false }, child).result;

        const rootPassword = args.rootPassword ? pulumi.secret(args.rootPassword) : password("root-password", 32);
        const pepper = password("password-secret", 96);
        const mongoAdmin = password("mongodb-admin", 32);
        const mongoGraylog = password("mongodb-graylog", 32);

        const mongoSecret = new k8s.core.v1.Secret(`${name}-mongodb-passwords`, {
            metadata: { name: MONGODB_PASSWORDS_SECRET, namespace: ns },
            stringData: { admin: mongoAdmin, graylog: mongoGraylog },
        }, child);
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
            },
        }, child);

        const operator = new k8s.helm.v4.Chart(`${name}-mongodb-operator`, {
            ...chartSource(MONGODB_OPERATOR, args.chartDirectory),
            name: "mongodb-kubernetes",
            namespace: ns,
            values: mongodbOperatorValues(),
        }, { ...child, transforms: protect ? [protectStatefulTransform] : [] });
        const mongodb = manifest("mongodb", mongodbManifest(ns, args.graylog, args.mongodbVersion ?? "7.0.25", args.storageClassName), {
            dependsOn: [operator, mongoSecret],
            protect,
            retainOnDelete: protect,
        });
        for (const pdb of graylogPdbs(ns, args.graylog)) {
            manifest(`pdb-${pdb.metadata.name}`, pdb);
        }

        // A change to the Graylog settings rolls the pods; nothing else does (a new root password
        // needs a rollout restart, see the README).
        const checksum = crypto.createHash("sha256").update(JSON.stringify(args.graylog)).digest("hex");
        const chart = new k8s.helm.v4.Chart(`${name}-graylog`, {
            ...chartSource(GRAYLOG, args.chartDirectory),
            name: GRAYLOG_RELEASE,
            namespace: ns,
            values: graylogValues(args.graylog, args.storageClassName, args.externalUrl),
        }, {
            ...child,
            dependsOn: [graylogSecret, mongodb],
            transforms: [graylogChartTransform(checksum), ...(protect ? [protectStatefulTransform] : [])],
        });

        const setup = new k8s.core.v1.ConfigMap(`${name}-setup`, {
            metadata: { name: "graylog-setup", namespace: ns },
            data: { "setup.sh": gelfSetupScript(ns) },
        }, child);
        manifest("setup-job", gelfSetupJob(ns, "graylog-setup"), {
            dependsOn: [chart, setup, rootSecret],
            customTimeouts: { create: "30m", update: "30m" },
            deleteBeforeReplace: true,
        });
        if (args.monitoringCrds) {
            manifest("servicemonitor", graylogServiceMonitor(ns), { dependsOn: [args.monitoringCrds, chart] });
        }

        this.registerOutputs({});
    }
}
