/**
 * One typed, frozen `PlatformSettings` per stack: the profile's defaults with the stack's keys
 * laid over them. Every problem in a stack file is found before a resource is registered, and
 * all of them are reported together, each naming the stack, the key, the bad value and what is
 * allowed.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    AccessSettings, AlertingSettings, BackupRepositoryType, NetworkPolicySettings, BackupSettings, GraylogSettings, LoggingSettings, MetricsSettings, Profile, PROFILE_DEFAULTS,
    ResourceSettings, StorageChangeKey, TlsSettings, TracingSettings,
} from "./profiles";
import { chartFile, pinnedCharts } from "../shared/charts";
import { parseQuantity } from "../shared/quantity";
import { BUILTIN_REDACTION_NAMES, luaPatternProblem } from "./redaction";
import { allowedOf, configSchema, SECRET_KEYS, StackConfig, TOP_LEVEL_KINDS } from "./schema";

export const PROJECT = "observability-platform";

export interface Namespaces {
    readonly monitoring: string;
    readonly logging: string;
    readonly tracing: string;
    readonly graylog: string;
    readonly certManager: string;
    /** The node agents (node-exporter, Fluent Bit, the OpenTelemetry agent, node tuning): the one privileged namespace. */
    readonly nodeAgents: string;
}

export interface PlatformSettings {
    readonly project: string;
    readonly stack: string;
    readonly profile: Profile;
    /** Base domain for UIs (`grafana.<domain>`); no ingress is created without it. */
    readonly domain?: string;
    readonly ingressClassName: string;
    /** Storage class for every volume; unset uses the cluster default. */
    readonly storageClassName?: string;
    /** The class lets volumes grow in place (ECK and the API server then resize on a larger storageSize). */
    readonly storageClassAllowsExpansion: boolean;
    /** Storage changes done by hand (README procedures), which the deployed-storage comparison lets through once. */
    readonly storageChangesDoneByHand: readonly StorageChangeKey[];
    /** Absolute path of a directory of packaged charts to deploy from; unset: the charts' official repositories. */
    readonly chartDirectory?: string;
    /** Protect stateful resources and CRDs from `pulumi destroy`, retain PVCs. */
    readonly protectData: boolean;
    readonly namespaces: Namespaces;
    readonly metrics: MetricsSettings;
    readonly alerting: AlertingSettings;
    /** Receiver credentials by receiver name, as a Pulumi secret. */
    readonly alertingSecrets: pulumi.Output<Readonly<Record<string, string>>>;
    readonly logging: LoggingSettings;
    readonly tracing: TracingSettings;
    readonly graylog: GraylogSettings;
    readonly backup: BackupSettings;
    /** The object store's credentials (`backupSecrets`), as a Pulumi secret; empty without backups. */
    readonly backupSecrets: pulumi.Output<BackupSecrets>;
    /** Graylog's admin password from the stack, as a secret; unset: generated. */
    readonly graylogRootPassword?: pulumi.Output<string>;
    readonly tls: TlsSettings;
    readonly access: AccessSettings;
    readonly networkPolicy: NetworkPolicySettings;
    /** oauth2-proxy's OIDC client secret, as a Pulumi secret. */
    readonly oidcClientSecret?: pulumi.Output<string>;
}

/** `backupSecrets`: the credentials each repository type reads (the keys the schema allows). */
export type BackupSecrets = Readonly<Partial<Record<"accessKey" | "secretKey" | "sessionToken" | "credentialsJson" | "account" | "key" | "sasToken", string>>>;

/** A stack file that cannot be deployed. `pulumi up` prints the message without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly stack: string, readonly problems: readonly string[]) {
        super(
            `Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
            problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** By name, because tests and the render load the program afresh for every stack. */
export function isConfigError(err: unknown): err is ConfigError {
    return err instanceof Error && err.name === "ConfigError";
}

export interface RawConfig {
    readonly project?: string;
    readonly stack: string;
    /** Every config key as the CLI hands it over: `project:key` -> string (objects as JSON). */
    readonly config: Readonly<Record<string, string>>;
}

const NAMESPACES: Namespaces = {
    monitoring: "monitoring",
    logging: "logging",
    tracing: "tracing",
    graylog: "graylog",
    certManager: "cert-manager",
    nodeAgents: "node-agents",
};

/** Builds and validates the settings; throws a `ConfigError` listing every problem. */
export function buildSettings(raw: RawConfig): PlatformSettings {
    const project = raw.project ?? PROJECT;
    const prefix = `${project}:`;
    const problems: string[] = [];
    const input: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(raw.config)) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        const kind = TOP_LEVEL_KINDS[key as keyof StackConfig];
        input[key] = kind ? decode(text, kind) : text;
    }
    const parsed = configSchema.safeParse(input);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            problems.push(...describeIssue(issue, input, prefix));
        }
        throw new ConfigError(raw.stack, problems);
    }
    const settings = merge(project, raw.stack, parsed.data);
    problems.push(...crossCheck(settings, parsed.data, prefix));
    if (problems.length > 0) {
        throw new ConfigError(raw.stack, problems);
    }
    return deepFreeze(settings);
}

function decode(text: string, kind: "string" | "boolean" | "object"): unknown {
    if (kind === "boolean") {
        return text === "true" ? true : text === "false" ? false : text;
    }
    if (kind === "object") {
        try {
            return JSON.parse(text);
        } catch {
            return text;
        }
    }
    return text;
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown, prefix: string): string[] {
    const where = (path: readonly PropertyKey[]) => `${prefix}${path.map(String).join(".").replace(/\.(\d+)(?=\.|$)/g, "[$1]")}`;
    if (issue.code === "unrecognized_keys") {
        const known = Object.keys(shapeAt(issue.path) ?? {});
        return issue.keys.map((key) => {
            const hint = closest(key, known);
            return `${where([...issue.path, key])}: unknown key${hint ? ` (did you mean "${hint}"?)` : ""}; allowed keys here: ${known.join(", ")}`;
        });
    }
    const topKey = String(issue.path[0] ?? "");
    const value = SECRET_KEYS.has(topKey) ? "[secret]" : JSON.stringify(valueAt(input, issue.path));
    const what = value === undefined ? "is required" : `got ${value}`;
    return [`${where(issue.path)}: ${what}; allowed: ${allowedOf(schemaAt(issue.path)) ?? issue.message}`];
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
}

function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
    let schema: z.ZodType | undefined = configSchema;
    for (const key of path) {
        while (schema instanceof z.ZodOptional) {
            schema = schema.unwrap() as z.ZodType;
        }
        if (schema instanceof z.ZodObject) {
            schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
        } else if (schema instanceof z.ZodArray) {
            schema = schema.element as z.ZodType;
        } else if (schema instanceof z.ZodRecord) {
            schema = schema.valueType as z.ZodType;
        } else {
            return undefined;
        }
    }
    return schema;
}

function shapeAt(path: readonly PropertyKey[]): Record<string, unknown> | undefined {
    let schema = schemaAt(path);
    while (schema instanceof z.ZodOptional) {
        schema = schema.unwrap() as z.ZodType;
    }
    return schema instanceof z.ZodObject ? (schema.shape as Record<string, unknown>) : undefined;
}

/** The known key a typo most likely meant, if one is close enough. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
    let best: { name: string; distance: number } | undefined;
    for (const name of candidates) {
        const distance = editDistance(word.toLowerCase(), name.toLowerCase());
        if (distance <= Math.max(2, Math.floor(name.length / 3)) && (!best || distance < best.distance)) {
            best = { name, distance };
        }
    }
    return best?.name;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** Deep merge: objects merge key by key, arrays and scalars from the override replace. */
function overlay<T>(base: T, override: unknown): T {
    if (override === undefined) {
        return base;
    }
    if (base !== null && typeof base === "object" && !Array.isArray(base) && typeof override === "object" && !Array.isArray(override)) {
        const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
        for (const [k, v] of Object.entries(override as Record<string, unknown>)) {
            out[k] = overlay(out[k], v);
        }
        return out as T;
    }
    return override as T;
}

function merge(project: string, stack: string, config: StackConfig): PlatformSettings {
    const defaults = PROFILE_DEFAULTS[config.profile];
    return {
        project,
        stack,
        profile: config.profile,
        domain: config.domain,
        ingressClassName: config.ingressClassName ?? defaults.ingressClassName,
        storageClassName: config.storageClassName,
        storageClassAllowsExpansion: config.storageClassAllowsExpansion ?? defaults.storageClassAllowsExpansion,
        storageChangesDoneByHand: config.storageChangesDoneByHand ?? defaults.storageChangesDoneByHand,
        // Relative to the project directory, where `pulumi` runs the program.
        chartDirectory: config.chartDirectory === undefined ? undefined : path.resolve(config.chartDirectory),
        protectData: config.protectData ?? defaults.protectData,
        namespaces: NAMESPACES,
        metrics: overlay(defaults.metrics, config.metrics),
        alerting: overlay(defaults.alerting, config.alerting),
        alertingSecrets: pulumi.secret(config.alertingSecrets ?? {}),
        logging: overlay(defaults.logging, config.logging),
        tracing: overlay(defaults.tracing, config.tracing),
        graylog: overlay(defaults.graylog, config.graylog),
        backup: overlay(defaults.backup, config.backup),
        backupSecrets: pulumi.secret(config.backupSecrets ?? {}),
        graylogRootPassword: config.graylogRootPassword === undefined ? undefined : pulumi.secret(config.graylogRootPassword),
        tls: overlay(defaults.tls, config.tls),
        // A partial oidc block still gets the allow-everyone domain list; missing keys are reported below.
        access: overlay({ ...defaults.access, ...(config.access?.oidc ? { oidc: { issuerUrl: "", clientId: "", allowedEmailDomains: ["*"] } } : {}) }, config.access),
        networkPolicy: overlay(defaults.networkPolicy, config.networkPolicy),
        oidcClientSecret: config.oidcClientSecret === undefined ? undefined : pulumi.secret(config.oidcClientSecret),
    };
}

/** Rules that span keys, checked on the merged settings so profile defaults count too. */
function crossCheck(s: PlatformSettings, config: StackConfig, prefix: string): string[] {
    const problems: string[] = [];
    const receivers = s.alerting.receivers.map((r) => r.name);
    const secrets = config.alertingSecrets ?? {};
    const seen = new Set<string>();
    s.alerting.receivers.forEach((r, i) => {
        const at = `${prefix}alerting.receivers[${i}]`;
        if (seen.has(r.name)) {
            problems.push(`${at}.name: got "${r.name}" twice; allowed: unique receiver names`);
        }
        seen.add(r.name);
        if (!secrets[r.name]) {
            problems.push(`${prefix}alertingSecrets.${r.name}: is required for receiver "${r.name}" (${r.type}); set it with pulumi config set --secret --path 'alertingSecrets.${r.name}' <credential>`);
        }
        if (r.type === "email" && !r.to) {
            problems.push(`${at}.to: is required for an email receiver; allowed: an email address`);
        }
        if (r.type === "email" && !(s.alerting.smtp?.smarthost && s.alerting.smtp?.from)) {
            problems.push(`${prefix}alerting.smtp: is required with an email receiver; allowed: an object {smarthost, from, username?, requireTls?}`);
        }
    });
    for (const key of ["defaultReceiver", "criticalReceiver"] as const) {
        const name = s.alerting[key];
        if (name !== undefined && !receivers.includes(name)) {
            problems.push(`${prefix}alerting.${key}: got "${name}"; allowed: one of the receivers (${receivers.join(", ") || "none defined"})`);
        }
    }
    for (const name of Object.keys(secrets)) {
        if (!receivers.includes(name)) {
            problems.push(`${prefix}alertingSecrets.${name}: unknown receiver; allowed: one of the receivers (${receivers.join(", ") || "none defined"})`);
        }
    }
    if (s.profile === "prod" && s.metrics.enabled && (s.alerting.criticalReceiver ?? s.alerting.defaultReceiver) === undefined) {
        problems.push(
            `${prefix}alerting.criticalReceiver: is required in a prod stack; without it critical alerts (a node agent missing on a node, logs being dropped) go to the null receiver. `
            + "Add a receiver and route critical alerts to it, for example: "
            + "pulumi config set --path 'alerting.receivers[0].name' pager && pulumi config set --path 'alerting.receivers[0].type' pagerduty && "
            + "pulumi config set --path alerting.criticalReceiver pager && pulumi config set --secret --path 'alertingSecrets.pager' <routing-key>",
        );
    }
    if (s.profile === "prod" && s.metrics.enabled && s.alerting.defaultReceiver === undefined) {
        // After the pager the message above adds, when that is missing too.
        const pagerMissing = s.alerting.criticalReceiver === undefined;
        const next = `alerting.receivers[${s.alerting.receivers.length + (pagerMissing ? 1 : 0)}]`;
        problems.push(
            `${prefix}alerting.defaultReceiver: is required in a prod stack; without it every alert that is not critical `
            + "(PodDisruptionBudgetBlockingDrain, ElasticsearchClusterYellow, CertificateExpiresSoon, Graylog's error burst, …) goes to the null receiver and reaches nobody. "
            + "Add a team receiver of type slack or email and make it the default, for example: "
            + `pulumi config set --path '${next}.name' team && pulumi config set --path '${next}.type' slack && `
            + `pulumi config set --path '${next}.channel' '#platform-alerts' && pulumi config set --path alerting.defaultReceiver team && `
            + "pulumi config set --secret --path 'alertingSecrets.team' <slack-webhook-url> "
            + "(an email receiver needs its `to` address and alerting.smtp {smarthost, from} instead of a channel)",
        );
    }
    if (s.chartDirectory !== undefined) {
        const missing = pinnedCharts().map(chartFile).filter((file) => !fs.existsSync(path.join(s.chartDirectory!, file)));
        if (missing.length > 0) {
            problems.push(`${prefix}chartDirectory: got "${config.chartDirectory}", which lacks ${missing.join(", ")}; allowed: a directory holding every pinned chart (npm run charts:pull -- --dir <dir> fills one)`);
        }
    }
    const prom = s.metrics.prometheus;
    if (prometheusBytes(prom.retentionSize) >= parseQuantity(prom.storageSize)) {
        problems.push(`${prefix}metrics.prometheus.retentionSize: got "${prom.retentionSize}"; allowed: less than metrics.prometheus.storageSize (${prom.storageSize}), or Prometheus fills its volume`);
    }
    const es = s.logging.elasticsearch;
    // Every node is master-eligible (components/logs/elasticsearch.ts): a master needs a majority
    // of them, and two nodes cannot keep a majority when either fails.
    if (s.logging.enabled && es.nodes === 2) {
        problems.push(`${prefix}logging.elasticsearch.nodes: got 2; allowed: 1, or 3 and more (every node is master-eligible and a master needs a majority: two nodes survive the loss of neither)`);
    } else if (s.logging.enabled && s.profile === "prod" && es.nodes < 3) {
        problems.push(`${prefix}logging.elasticsearch.nodes: got ${es.nodes} in a prod stack; allowed: 3 or more (a majority of master-eligible nodes must survive the loss of one)`);
    }
    if (parseQuantity(es.heap) * 2 > parseQuantity(es.resources.limits.memory)) {
        problems.push(`${prefix}logging.elasticsearch.heap: got "${es.heap}"; allowed: at most half of logging.elasticsearch.resources.limits.memory (${es.resources.limits.memory})`);
    }
    if (s.tracing.enabled && s.tracing.storage === "elasticsearch" && !s.logging.enabled) {
        problems.push(`${prefix}tracing.storage: got "elasticsearch" with logging disabled; allowed: memory, or enable logging`);
    }
    if (s.tracing.enabled && s.tracing.storage === "memory" && s.tracing.replicas > 1) {
        problems.push(`${prefix}tracing.replicas: got ${s.tracing.replicas} with memory storage; allowed: 1 (each replica would keep its own traces), or storage elasticsearch`);
    }
    problems.push(...grafanaProblems(s.metrics, prefix));
    problems.push(...backupProblems(s, Object.keys(config.backupSecrets ?? {}), prefix));
    problems.push(...dataNodeProblems(s, prefix));
    problems.push(...redactionProblems(s.logging, prefix));
    if (s.graylog.enabled && !s.logging.enabled) {
        problems.push(`${prefix}graylog.enabled: got true with logging disabled; allowed: false, or enable logging (its Fluent Bit agents feed Graylog)`);
    }
    const inputs = s.graylog.inputs;
    if (s.graylog.enabled && (inputs.syslogTcp || inputs.beats) && inputs.sourceRanges.length === 0) {
        problems.push(`${prefix}graylog.inputs.sourceRanges: is empty with an external input on; allowed: the CIDRs of the senders, such as ["203.0.113.0/24"] (the inputs are reachable from outside the cluster)`);
    }
    problems.push(...networkPolicyProblems(s, prefix));
    if (s.logging.enabled && !s.tls.enabled) {
        problems.push(`${prefix}tls.enabled: got false with logging enabled; allowed: true (Elasticsearch's certificate comes from the platform CA so that Grafana, Jaeger and Fluent Bit can verify it), or disable logging`);
    }
    if (s.tls.acmeEmail && !s.domain) {
        problems.push(`${prefix}tls.acmeEmail: is set without ${prefix}domain; allowed: set a domain too, or drop acmeEmail`);
    }
    if (s.domain && !s.tls.enabled) {
        problems.push(`${prefix}tls.enabled: got false with a domain; allowed: true (every UI ingress gets its certificate from cert-manager), or drop the domain`);
    }
    if (s.access.uiAuth === "oauth2-proxy") {
        const oidc = config.access?.oidc;
        for (const key of ["issuerUrl", "clientId"] as const) {
            if (!oidc?.[key]) {
                problems.push(`${prefix}access.oidc.${key}: is required with access.uiAuth "oauth2-proxy"; allowed: ${key === "issuerUrl" ? "an https URL of the OIDC issuer" : "the client ID registered for the platform"}`);
            }
        }
        if (config.oidcClientSecret === undefined) {
            problems.push(`${prefix}oidcClientSecret: is required with access.uiAuth "oauth2-proxy"; set it with pulumi config set --secret oidcClientSecret <secret>`);
        }
    } else if (config.oidcClientSecret !== undefined || config.access?.oidc !== undefined) {
        problems.push(`${prefix}access.uiAuth: got "${s.access.uiAuth}" while OIDC settings are given; allowed: "oauth2-proxy" to use them, or drop access.oidc and oidcClientSecret`);
    }
    for (const [path, r] of resourcePaths(s)) {
        for (const what of ["cpu", "memory"] as const) {
            if (parseQuantity(r.requests[what]) > parseQuantity(r.limits[what])) {
                problems.push(`${prefix}${path}.requests.${what}: got "${r.requests[what]}"; allowed: at most the limit (${r.limits[what]})`);
            }
        }
    }
    return problems;
}

/**
 * Grafana keeps users, API tokens, UI-made dashboards, Grafana-managed alerts and contact points
 * in SQLite on its ReadWriteOnce volume (components/metrics/values.ts), and the settings offer no
 * shared database (grafana.ini [database]): a second pod would have a database of its own, and
 * could not attach the volume besides. Pure; `prefix` is the project's `<project>:`.
 */
export function grafanaProblems(metrics: MetricsSettings, prefix = ""): string[] {
    if (!metrics.enabled || metrics.grafana.replicas <= 1) {
        return [];
    }
    return [
        `${prefix}metrics.grafana.replicas: got ${metrics.grafana.replicas}; allowed: 1 (Grafana keeps its database, SQLite, on one ReadWriteOnce volume, `
        + "and no shared database is configured: each further pod would keep users, dashboards and alerts of its own)",
    ];
}

/** Repository keys that only one or two types read, and the credentials each type needs. */
const BACKUP_TYPE_KEYS: Readonly<Record<string, readonly BackupRepositoryType[]>> = {
    endpoint: ["s3", "gcs"], region: ["s3"], pathStyleAccess: ["s3"], projectId: ["gcs"], endpointSuffix: ["azure"],
};
const BACKUP_SECRET_KEYS: Readonly<Record<BackupRepositoryType, { readonly required: readonly string[]; readonly optional: readonly string[]; readonly howTo: string }>> = {
    s3: { required: ["accessKey", "secretKey"], optional: ["sessionToken"], howTo: "pulumi config set --secret --path backupSecrets.accessKey <access-key-id> && pulumi config set --secret --path backupSecrets.secretKey <secret-access-key>" },
    gcs: { required: ["credentialsJson"], optional: [], howTo: "pulumi config set --secret --path backupSecrets.credentialsJson \"$(cat service-account.json)\"" },
    azure: { required: ["account"], optional: ["key", "sasToken"], howTo: "pulumi config set --secret --path backupSecrets.account <storage-account> && pulumi config set --secret --path backupSecrets.key <account-key>" },
};

/**
 * Backups (README "Backup and restore"): a prod stack with Elasticsearch either names a
 * repository or declines backups with a reason, never silently has none. Pure; `secretKeys` are
 * the keys present in `backupSecrets` (never their values); `prefix` is the project's `<project>:`.
 */
export function backupProblems(s: Pick<PlatformSettings, "profile" | "logging" | "backup">, secretKeys: readonly string[], prefix = ""): string[] {
    const b = s.backup;
    const problems: string[] = [];
    const configure = "configure one, for example: pulumi config set --path backup.repository.type s3 && "
        + "pulumi config set --path backup.repository.bucket <bucket> && "
        + `${BACKUP_SECRET_KEYS.s3.howTo} (gcs and azure: README "Backup and restore")`;
    if (b.enabled && b.declinedBecause !== undefined) {
        problems.push(`${prefix}backup.declinedBecause: is set while backup.enabled is true; allowed: only with backup.enabled false (drop it, or turn backups off)`);
    }
    if (b.enabled && s.logging.enabled && b.repository === undefined) {
        problems.push(s.profile === "prod"
            ? `${prefix}backup.repository: is required in a prod stack; without it nothing is snapshotted and a lost volume or a deleted index loses its logs for good. `
                + `Either ${configure}; or decline backups with a reason: pulumi config set --path backup.enabled false && pulumi config set --path backup.declinedBecause '<why this stack needs none>'`
            : `${prefix}backup.repository: is required with backup.enabled true; ${configure}, or set backup.enabled false`);
    }
    if (!b.enabled && s.profile === "prod" && s.logging.enabled && b.declinedBecause === undefined) {
        problems.push(`${prefix}backup.declinedBecause: is required with backup.enabled false in a prod stack; allowed: a sentence saying why this stack keeps no backups `
            + `(pulumi config set --path backup.declinedBecause '<reason>'), or ${configure}`);
    }
    if (b.enabled && !s.logging.enabled) {
        problems.push(`${prefix}backup.enabled: got true with logging disabled; allowed: false (Elasticsearch takes the snapshots), or enable logging`);
    }
    const repo = b.repository;
    if (repo) {
        for (const [key, types] of Object.entries(BACKUP_TYPE_KEYS)) {
            if ((repo as unknown as Record<string, unknown>)[key] !== undefined && !types.includes(repo.type)) {
                problems.push(`${prefix}backup.repository.${key}: is not read by repository type ${repo.type}; allowed: only with type ${types.join(" or ")}`);
            }
        }
    }
    if (b.retention.minCount > b.retention.maxCount) {
        problems.push(`${prefix}backup.retention.minCount: got ${b.retention.minCount}; allowed: at most backup.retention.maxCount (${b.retention.maxCount})`);
    }
    if (b.enabled && repo && s.logging.enabled) {
        const needs = BACKUP_SECRET_KEYS[repo.type];
        for (const key of needs.required.filter((k) => !secretKeys.includes(k))) {
            problems.push(`${prefix}backupSecrets.${key}: is required for repository type ${repo.type}; set it with ${needs.howTo}`);
        }
        if (repo.type === "azure" && !secretKeys.includes("key") && !secretKeys.includes("sasToken")) {
            problems.push(`${prefix}backupSecrets.key: is required for repository type azure, or backupSecrets.sasToken instead; set it with pulumi config set --secret --path backupSecrets.key <account-key>`);
        }
        if (repo.type === "azure" && secretKeys.includes("key") && secretKeys.includes("sasToken")) {
            problems.push(`${prefix}backupSecrets.sasToken: is set beside backupSecrets.key; allowed: one of them (Elasticsearch refuses a client with both)`);
        }
        for (const key of secretKeys.filter((k) => !needs.required.includes(k) && !needs.optional.includes(k))) {
            problems.push(`${prefix}backupSecrets.${key}: is not read by repository type ${repo.type}; allowed: ${[...needs.required, ...needs.optional].join(", ")}`);
        }
    }
    return problems;
}

/**
 * With egress restricted, the API server must be named by address: its endpoints are no pods,
 * so no pod or namespace selector admits them, and they are not known at render time. Without
 * restrictEgress the CIDR lists would do nothing, so they are refused rather than ignored. Pure.
 */
export function networkPolicyProblems(s: Pick<PlatformSettings, "access" | "networkPolicy">, prefix = ""): string[] {
    const n = s.networkPolicy;
    const problems: string[] = [];
    if (n.restrictEgress && !s.access.networkPolicies) {
        problems.push(`${prefix}networkPolicy.restrictEgress: got true with access.networkPolicies false; allowed: false, or turn access.networkPolicies on (the egress rules are part of the platform's NetworkPolicies)`);
    }
    if (n.restrictEgress && n.apiServerCidrs.length === 0) {
        problems.push(`${prefix}networkPolicy.apiServerCidrs: is empty with restrictEgress on; allowed: the API server's addresses as CIDRs, such as ["10.0.0.1/32"] (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes shows them; a managed control plane may need its documented range)`);
    }
    if (!n.restrictEgress) {
        for (const key of ["apiServerCidrs", "egressCidrs"] as const) {
            if (n[key].length > 0) {
                problems.push(`${prefix}networkPolicy.${key}: is set with restrictEgress off; allowed: [] (egress is open), or turn networkPolicy.restrictEgress on`);
            }
        }
    }
    return problems;
}

/**
 * A prod Graylog keeps one replica of every index (GRAYLOG_ELASTICSEARCH_REPLICAS, set from the
 * first start in components/graylog/values.ts), which needs a second Data Node to live on. Pure.
 */
export function dataNodeProblems(s: Pick<PlatformSettings, "profile" | "graylog">, prefix = ""): string[] {
    if (s.profile !== "prod" || !s.graylog.enabled || s.graylog.dataNodeReplicas >= 2) {
        return [];
    }
    return [`${prefix}graylog.dataNodeReplicas: got ${s.graylog.dataNodeReplicas} in a prod stack; allowed: 2 or more (every index keeps a replica on a second Data Node, so losing one node's volume loses no logs)`];
}

/**
 * Redaction patterns are Lua patterns, which Lua reads only while matching: a faulty one would
 * fail on some record on every node. Each is checked here, and names stay unique because each
 * names its mask. Pure; `prefix` is the project's `<project>:`.
 */
export function redactionProblems(logging: LoggingSettings, prefix = ""): string[] {
    const problems: string[] = [];
    const builtins = new Set(logging.redaction.builtins);
    const own = new Set<string>();
    logging.redaction.patterns.forEach((p, i) => {
        const at = `${prefix}logging.redaction.patterns[${i}]`;
        const problem = luaPatternProblem(p.pattern);
        if (problem !== undefined) {
            problems.push(`${at}.pattern: got ${JSON.stringify(p.pattern)}: ${problem}; allowed: a Lua 5.1 pattern (README, "Redaction")`);
        }
        if (own.has(p.name)) {
            problems.push(`${at}.name: got "${p.name}" twice; allowed: a name no other pattern has (it names the mask, [REDACTED:${p.name}])`);
        } else if (builtins.has(p.name)) {
            problems.push(`${at}.name: got "${p.name}", the name of a built-in pattern in logging.redaction.builtins; allowed: a name no other pattern has (it names the mask, [REDACTED:${p.name}])`);
        }
        own.add(p.name);
    });
    if (logging.redaction.enabled && builtins.size + own.size === 0) {
        problems.push(`${prefix}logging.redaction.enabled: got true with no builtins and no patterns; allowed: false, or at least one pattern (${BUILTIN_REDACTION_NAMES.join(", ")}, or one of the stack's own)`);
    }
    return problems;
}

/** Prometheus sizes (`45GB`) are powers of 1024. */
function prometheusBytes(size: string): number {
    return parseQuantity(size.replace(/([KMGTP])B$/, "$1i").replace(/^(\d+)B$/, "$1"));
}

/** Every `resources` block in the settings with its config path. */
export function resourcePaths(s: PlatformSettings): Array<[string, ResourceSettings]> {
    const out: Array<[string, ResourceSettings]> = [];
    const walk = (value: unknown, path: string) => {
        if (value === null || typeof value !== "object" || Array.isArray(value) || pulumi.Output.isInstance(value)) {
            return;
        }
        for (const [k, v] of Object.entries(value)) {
            const at = path ? `${path}.${k}` : k;
            if (/resources$/i.test(k) && v && typeof v === "object" && "requests" in v) {
                out.push([at, v as ResourceSettings]);
            } else {
                walk(v, at);
            }
        }
    };
    walk({ metrics: s.metrics, logging: s.logging, tracing: s.tracing, graylog: s.graylog }, "");
    return out;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !pulumi.Output.isInstance(value) && !Object.isFrozen(value)) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
    }
    return value;
}

/** Reads the running stack's configuration the way the Pulumi CLI handed it over. */
export function loadSettings(): PlatformSettings {
    return buildSettings({ project: pulumi.getProject(), stack: pulumi.getStack(), config: pulumi.runtime.allConfig() });
}
