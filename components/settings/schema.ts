/**
 * What a stack file may say: every key, its type and its bounds, each with the sentence a user
 * sees when the value is wrong. Everything is optional here because a profile supplies the
 * defaults; `settings.ts` merges and checks what needs more than one key.
 */
import { z } from "zod";
import { BACKUP_INTERVAL_HOURS, BACKUP_REPOSITORY_TYPES, PROFILES, RECEIVER_TYPES, STORAGE_CHANGE_KEYS, UI_AUTH_MODES } from "./profiles";
import { isQuantity, parseQuantity } from "../shared/quantity";
import { BUILTIN_REDACTION_NAMES } from "./redaction";

/** A schema whose every failure reads "allowed: <what>". */
function allowed<T extends z.ZodType>(schema: T, what: string): T {
    return schema.meta({ allowed: what });
}

const int = (min: number, max: number, unit = "") =>
    allowed(z.int().min(min).max(max), `an integer from ${min} to ${max}${unit ? ` (${unit})` : ""}`);

const quantity = (example: string) =>
    allowed(
        z.string().refine((v) => isQuantity(v) && parseQuantity(v) > 0),
        `a positive Kubernetes quantity such as ${example}`,
    );

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;
const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CIDR = /^((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\/(3[0-2]|[12]?[0-9])$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

const dnsName = allowed(z.string().regex(DNS_NAME), "a lower-case DNS name with at least two labels, such as observability.example.com");
const k8sName = allowed(z.string().regex(K8S_NAME), "a Kubernetes object name (lower-case letters, digits and '-', at most 63)");
const email = allowed(z.string().regex(EMAIL), "an email address");
const duration = allowed(z.string().regex(DURATION), "a Prometheus duration such as 30s, 5m or 4h");
const bool = allowed(z.boolean(), "true or false");
const byteSize = allowed(z.string().regex(/^[1-9][0-9]*(B|KB|MB|GB|TB|PB)$/), "a Prometheus size such as 45GB");

const resources = allowed(
    z.strictObject({
        requests: z.strictObject({ cpu: quantity("250m").optional(), memory: quantity("512Mi").optional() }).optional(),
        limits: z.strictObject({ cpu: quantity("1").optional(), memory: quantity("1Gi").optional() }).optional(),
    }),
    "an object {requests: {cpu, memory}, limits: {cpu, memory}}",
);

const obj = <T extends z.ZodRawShape>(shape: T, what: string) => allowed(z.strictObject(shape), what).optional();

export const receiverSchema = obj(
    {
        name: k8sName,
        type: allowed(z.enum(RECEIVER_TYPES), `one of ${RECEIVER_TYPES.join(", ")}`),
        to: email.optional(),
        channel: allowed(z.string().regex(/^[#@]?[a-z0-9._-]+$/), "a Slack channel such as #alerts").optional(),
    },
    "an object {name, type, to?, channel?}",
);

/** The stack file's keys (without the project prefix) and what each accepts. */
export const configSchema = z.strictObject({
    profile: allowed(z.enum(PROFILES), `one of ${PROFILES.join(", ")}`),
    domain: dnsName.optional(),
    ingressClassName: k8sName.optional(),
    storageClassName: k8sName.optional(),
    // Day-two storage changes (components/settings/deployed.ts).
    /** The storage class (named, or the cluster default) has `allowVolumeExpansion: true`. */
    storageClassAllowsExpansion: bool.optional(),
    /** Storage changes an operator cannot make, done by hand per the README; each key is checked off once. */
    storageChangesDoneByHand: allowed(
        z.array(allowed(z.enum(STORAGE_CHANGE_KEYS), `one of ${STORAGE_CHANGE_KEYS.join(", ")}`)),
        `a list of the storage keys whose change was done by hand: ${STORAGE_CHANGE_KEYS.join(", ")}`,
    ).optional(),
    protectData: bool.optional(),
    /** Deploy every chart from this directory of packaged charts instead of their repositories (air-gapped clusters). */
    chartDirectory: allowed(z.string().min(1), "a directory holding every pinned chart as <name>-<version>.tgz (npm run charts:pull fills one)").optional(),
    metrics: obj(
        {
            enabled: bool.optional(),
            prometheus: obj(
                {
                    replicas: int(1, 10).optional(),
                    retentionDays: int(1, 730, "days").optional(),
                    retentionSize: byteSize.optional(),
                    storageSize: quantity("50Gi").optional(),
                    resources: resources.optional(),
                },
                "an object {replicas, retentionDays, retentionSize, storageSize, resources}",
            ),
            alertmanager: obj(
                { replicas: int(1, 5).optional(), storageSize: quantity("1Gi").optional(), resources: resources.optional() },
                "an object {replicas, storageSize, resources}",
            ),
            grafana: obj(
                { replicas: int(1, 10).optional(), storageSize: quantity("5Gi").optional(), resources: resources.optional() },
                "an object {replicas, storageSize, resources}",
            ),
            operator: obj({ resources: resources.optional(), webhookReplicas: int(1, 5).optional() }, "an object {resources, webhookReplicas}"),
            kubeStateMetrics: obj({ resources: resources.optional() }, "an object {resources}"),
            nodeExporter: obj({ resources: resources.optional() }, "an object {resources}"),
        },
        "an object {enabled, prometheus, alertmanager, grafana, operator, kubeStateMetrics, nodeExporter}",
    ),
    alerting: obj(
        {
            receivers: allowed(z.array(receiverSchema.unwrap()), "a list of receivers").optional(),
            defaultReceiver: k8sName.optional(),
            criticalReceiver: k8sName.optional(),
            smtp: obj(
                {
                    smarthost: allowed(z.string().regex(/^[a-z0-9.-]+:[0-9]{1,5}$/), "host:port").optional(),
                    from: email.optional(),
                    username: z.string().optional(),
                    requireTls: bool.optional(),
                },
                "an object {smarthost, from, username?, requireTls?}",
            ),
            groupWait: duration.optional(),
            groupInterval: duration.optional(),
            repeatInterval: duration.optional(),
        },
        "an object {receivers, defaultReceiver, criticalReceiver, smtp, groupWait, groupInterval, repeatInterval}",
    ),
    /** Secret: receiver name -> credential (Slack or webhook URL, PagerDuty routing key, SMTP password). */
    alertingSecrets: allowed(
        z.record(z.string(), allowed(z.string().min(1), "a non-empty string")),
        "an object mapping receiver names to credentials",
    ).optional(),
    /** Secret: Graylog's admin password; without it the program generates one. */
    graylogRootPassword: allowed(z.string().min(16), "a password of at least 16 characters").optional(),
    logging: obj(
        {
            enabled: bool.optional(),
            retentionDays: int(1, 3650, "days").optional(),
            elasticsearch: obj(
                {
                    version: allowed(z.string().regex(/^8\.[0-9]+\.[0-9]+$/), "an Elasticsearch 8.x version such as 8.19.19").optional(),
                    nodes: int(1, 9).optional(),
                    heap: quantity("2Gi").optional(),
                    storageSize: quantity("50Gi").optional(),
                    resources: resources.optional(),
                    zoneAwareness: bool.optional(),
                    nodeSetName: k8sName.optional(),
                },
                "an object {version, nodes, heap, storageSize, resources, zoneAwareness, nodeSetName}",
            ),
            kibana: obj({ replicas: int(1, 5).optional(), resources: resources.optional() }, "an object {replicas, resources}"),
            operator: obj({ resources: resources.optional() }, "an object {resources}"),
            fluentBit: obj(
                { bufferLimit: quantity("1Gi").optional(), resources: resources.optional() },
                "an object {bufferLimit, resources}",
            ),
            nodeLogs: bool.optional(),
            redaction: obj(
                {
                    enabled: bool.optional(),
                    builtins: allowed(
                        z.array(allowed(z.enum(BUILTIN_REDACTION_NAMES as [string, ...string[]]), `one of ${BUILTIN_REDACTION_NAMES.join(", ")}`)),
                        `a list of built-in pattern names (${BUILTIN_REDACTION_NAMES.join(", ")})`,
                    ).optional(),
                    patterns: allowed(
                        z.array(allowed(z.strictObject({
                            name: allowed(z.string().regex(/^[a-z][a-z0-9-]{0,30}$/), "a lower-case name of letters, digits and '-', starting with a letter, at most 31 characters"),
                            // Printable ASCII: the pattern is written into the Lua script as a quoted
                            // string, and Lua patterns match bytes, so a non-ASCII letter would be two
                            // unrelated bytes to them.
                            pattern: allowed(z.string().min(1).max(200).regex(/^[\x20-\x7e]+$/), "a Lua pattern of 1 to 200 printable ASCII characters (no tabs, no letters beyond ASCII)"),
                            minLength: int(1, 4096, "characters").optional(),
                            luhn: bool.optional(),
                        }), "an object {name, pattern, minLength?, luhn?}")).max(20),
                        "a list of at most 20 {name, pattern, minLength?, luhn?}",
                    ).optional(),
                },
                "an object {enabled, builtins, patterns}",
            ),
        },
        "an object {enabled, retentionDays, elasticsearch, kibana, operator, fluentBit, nodeLogs, redaction}",
    ),
    tracing: obj(
        {
            enabled: bool.optional(),
            samplingPercentage: allowed(z.number().min(0).max(100), "a number from 0 to 100").optional(),
            retentionDays: int(1, 365, "days").optional(),
            storage: allowed(z.enum(["memory", "elasticsearch"]), "memory or elasticsearch").optional(),
            replicas: int(1, 10).optional(),
            resources: resources.optional(),
            agent: obj({ resources: resources.optional() }, "an object {resources}"),
        },
        "an object {enabled, samplingPercentage, retentionDays, storage, replicas, resources, agent}",
    ),
    graylog: obj(
        {
            enabled: bool.optional(),
            replicas: int(1, 9).optional(),
            dataNodeReplicas: int(1, 9).optional(),
            mongodbMembers: allowed(z.union([z.literal(1), z.literal(3), z.literal(5)]), "1, 3 or 5 (an odd number of voters)").optional(),
            storageSize: quantity("50Gi").optional(),
            mongodbStorageSize: quantity("10Gi").optional(),
            resources: resources.optional(),
            dataNodeResources: resources.optional(),
            inputs: obj(
                {
                    syslogTcp: bool.optional(),
                    beats: bool.optional(),
                    sourceRanges: allowed(z.array(allowed(z.string().regex(CIDR), "an IPv4 CIDR such as 203.0.113.0/24")), "a list of IPv4 CIDRs such as 203.0.113.0/24").optional(),
                },
                "an object {syslogTcp, beats, sourceRanges}",
            ),
        },
        "an object {enabled, replicas, dataNodeReplicas, mongodbMembers, storageSize, mongodbStorageSize, resources, dataNodeResources, inputs}",
    ),
    backup: obj(
        {
            enabled: bool.optional(),
            declinedBecause: allowed(z.string().trim().min(10), "a sentence of at least 10 characters saying why this stack keeps no backups").optional(),
            repository: obj(
                {
                    type: allowed(z.enum(BACKUP_REPOSITORY_TYPES), `one of ${BACKUP_REPOSITORY_TYPES.join(", ")}`),
                    bucket: allowed(z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/), "a bucket (s3, gcs) or container (azure) name: 3 to 63 lower-case letters, digits, '.', '-' or '_'"),
                    basePath: allowed(z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/), "a path inside the bucket such as observability/prod, without leading or trailing '/'").optional(),
                    endpoint: allowed(z.string().regex(/^(https?:\/\/)?[a-z0-9.-]+(:[0-9]{1,5})?$/), "a host[:port], optionally with http:// or https://, such as minio.storage.svc:9000").optional(),
                    region: allowed(z.string().regex(/^[a-z0-9-]+$/), "a region name such as eu-west-1").optional(),
                    pathStyleAccess: bool.optional(),
                    projectId: allowed(z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/), "a Google Cloud project ID").optional(),
                    endpointSuffix: allowed(z.string().regex(/^[a-z0-9.-]+$/), "an Azure endpoint suffix such as core.windows.net").optional(),
                },
                "an object {type, bucket, basePath?, endpoint?, region?, pathStyleAccess?, projectId?, endpointSuffix?}",
            ),
            intervalHours: allowed(
                z.literal([...BACKUP_INTERVAL_HOURS]),
                `one of ${BACKUP_INTERVAL_HOURS.join(", ")} (hours between snapshots)`,
            ).optional(),
            retention: obj(
                {
                    expireAfterDays: int(1, 3650, "days").optional(),
                    minCount: int(1, 1000).optional(),
                    maxCount: int(1, 10000).optional(),
                },
                "an object {expireAfterDays, minCount, maxCount}",
            ),
        },
        "an object {enabled, declinedBecause, repository, intervalHours, retention}",
    ),
    /** Secret: the object store's credentials, delivered into the Elasticsearch keystore. */
    backupSecrets: obj(
        {
            accessKey: allowed(z.string().min(1), "a non-empty string").optional(),
            secretKey: allowed(z.string().min(1), "a non-empty string").optional(),
            sessionToken: allowed(z.string().min(1), "a non-empty string").optional(),
            credentialsJson: allowed(z.string().min(1), "a Google service account key (JSON)").optional(),
            account: allowed(z.string().min(1), "a non-empty string").optional(),
            key: allowed(z.string().min(1), "a non-empty string").optional(),
            sasToken: allowed(z.string().min(1), "a non-empty string").optional(),
        },
        "an object {accessKey, secretKey, sessionToken?} (s3), {credentialsJson} (gcs) or {account, key or sasToken} (azure)",
    ),
    tls: obj({ enabled: bool.optional(), webhookReplicas: int(1, 5).optional(), acmeEmail: email.optional() }, "an object {enabled, webhookReplicas, acmeEmail}"),
    access: obj(
        {
            uiAuth: allowed(z.enum(UI_AUTH_MODES), `one of ${UI_AUTH_MODES.join(", ")}`).optional(),
            oidc: obj(
                {
                    issuerUrl: allowed(z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/), "an https URL of the OIDC issuer").optional(),
                    clientId: allowed(z.string().min(1), "a non-empty string").optional(),
                    allowedEmailDomains: allowed(z.array(z.string().regex(/^(\*|[a-z0-9.-]+\.[a-z]{2,})$/)).min(1), "a non-empty list of email domains, or [\"*\"]").optional(),
                },
                "an object {issuerUrl, clientId, allowedEmailDomains}",
            ),
            networkPolicies: bool.optional(),
            awaitIngressStatus: bool.optional(),
        },
        "an object {uiAuth, oidc, networkPolicies, awaitIngressStatus}",
    ),
    networkPolicy: obj(
        {
            restrictEgress: bool.optional(),
            apiServerCidrs: allowed(z.array(allowed(z.string().regex(CIDR), "an IPv4 CIDR such as 10.0.0.1/32")), "a list of IPv4 CIDRs such as [\"10.0.0.1/32\"]").optional(),
            egressCidrs: allowed(z.array(allowed(z.string().regex(CIDR), "an IPv4 CIDR such as 203.0.113.0/24")), "a list of IPv4 CIDRs such as [\"203.0.113.0/24\"]").optional(),
        },
        "an object {restrictEgress, apiServerCidrs, egressCidrs}",
    ),
    /** Secret: the OIDC client secret oauth2-proxy presents. */
    oidcClientSecret: allowed(z.string().min(1), "a non-empty string").optional(),
});

export type StackConfig = z.infer<typeof configSchema>;

/** How each top-level key arrives from the CLI (always a string) and is decoded. */
export const TOP_LEVEL_KINDS: Readonly<Record<keyof StackConfig, "string" | "boolean" | "object">> = {
    profile: "string",
    domain: "string",
    ingressClassName: "string",
    storageClassName: "string",
    storageClassAllowsExpansion: "boolean",
    storageChangesDoneByHand: "object",
    protectData: "boolean",
    chartDirectory: "string",
    metrics: "object",
    alerting: "object",
    alertingSecrets: "object",
    graylogRootPassword: "string",
    logging: "object",
    tracing: "object",
    graylog: "object",
    backup: "object",
    backupSecrets: "object",
    tls: "object",
    access: "object",
    networkPolicy: "object",
    oidcClientSecret: "string",
};

/** Keys whose values are secrets: read as Pulumi secrets and never printed. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["alertingSecrets", "backupSecrets", "graylogRootPassword", "oidcClientSecret"]);

/** The "allowed" sentence attached to a schema, walking through optional wrappers. */
export function allowedOf(schema: z.ZodType | undefined): string | undefined {
    let current: z.ZodType | undefined = schema;
    while (current) {
        const meta = current.meta() as { allowed?: string } | undefined;
        if (meta?.allowed) {
            return meta.allowed;
        }
        current = current instanceof z.ZodOptional ? (current.unwrap() as z.ZodType) : undefined;
    }
    return undefined;
}
