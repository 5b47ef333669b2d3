/**
 * `npm run docs:config [-- --write]`: prints (or writes into README.md) the README's configuration
 * reference, from the settings schema and the profile defaults, and its sizing tables, from the
 * footprint of the full render of dev and prod, so the README cannot drift from the code (a test
 * compares them).
 */
import * as fs from "fs";
import * as path from "path";
import { PROFILE_DEFAULTS, PROFILES, ProfileDefaults } from "../components/settings/profiles";
import { Footprint } from "./footprint";
import { ROOT } from "./root";
import { renderStack } from "./render";
import { allowedOf, configSchema } from "../components/settings/schema";
import { z } from "zod";

const KEY_NOTES: Record<string, string> = {
    profile: "Required. Supplies every default below.",
    domain: "UIs at `<app>.<domain>`; no ingress without it.",
    storageClassName: "Unset: the cluster's default StorageClass.",
    alertingSecrets: "Secret. Receiver name → credential.",
    "alerting.receivers": "`[{name, type, to?, channel?}]`, type one of email, slack, pagerduty, webhook",
    "alerting.defaultReceiver": "Unset: non-critical alerts go nowhere; required in prod.",
    "alerting.criticalReceiver": "Unset: same as defaultReceiver.",
    "alerting.smtp": "`{smarthost, from, username?, requireTls?}`; needed by email receivers.",
    "tls.acmeEmail": "With `domain`: Let's Encrypt (staging endpoint outside prod).",
    "tls.webhookReplicas": "cert-manager's webhook (`failurePolicy: Fail`); from 2, spread over nodes under a drain-safe PDB.",
    "metrics.operator.webhookReplicas": "The Prometheus Operator's admission webhook Deployment (`failurePolicy: Fail`); from 2, spread over nodes under a drain-safe PDB.",
    graylogRootPassword: "Secret. Unset: generated, kept in `graylog/graylog-root`.",
    "access.uiAuth": "Guards Prometheus, Alertmanager and Jaeger; see [TLS and access](#tls-and-access).",
    "access.oidc.allowedEmailDomains": "Unset with `oidc`: `[\"*\"]`.",
    oidcClientSecret: "Secret. Required with `uiAuth: oauth2-proxy`.",
    "backup.enabled": "On in prod: refused there without `backup.repository`, unless off with `backup.declinedBecause`. See [Backup and restore](#backup-and-restore).",
    "backup.declinedBecause": "Required in prod with `backup.enabled: false`; refused with backups on.",
    "backup.repository.type": "Required with a repository; Elasticsearch 8 ships all three plugins.",
    "backup.repository.bucket": "The S3/GCS bucket or the Azure container.",
    "backup.repository.basePath": "Unset: `observability-platform/<stack>`; snapshots under `<basePath>/elasticsearch`, Graylog's MongoDB dumps under `<basePath>/mongodb`.",
    "backup.repository.endpoint": "s3, gcs: a non-default endpoint (MinIO, Ceph, private endpoints).",
    "backup.repository.region": "s3 only: the signing region.",
    "backup.repository.pathStyleAccess": "s3 only: most S3-compatible stores need it.",
    "backup.repository.projectId": "gcs only.",
    "backup.repository.endpointSuffix": "azure only: sovereign clouds.",
    "backup.intervalHours": "SLM cron at minute 30, Graylog's MongoDB dump at minute 45; the stale-snapshot and stale-dump alerts fire at twice this age.",
    "backup.retention.expireAfterDays": "SLM retention `expire_after`; Graylog's dumps older than this are deleted the same way.",
    "backup.retention.minCount": "SLM retention `min_count`: kept even when expired (dumps too).",
    "backup.retention.maxCount": "SLM retention `max_count` (dumps too).",
    backupSecrets: "Secret. s3 `{accessKey, secretKey, sessionToken?}`, gcs `{credentialsJson}`, azure `{account, key}` or `{account, sasToken}`; into the Elasticsearch keystore, and (with Graylog) the Secret `graylog/graylog-backup-credentials` its dump reads.",
    "logging.elasticsearch.zoneAwareness": "Requires `topology.kubernetes.io/zone` on every node (ECK's `zoneAwareness`); off, prod only prefers zones.",
    "logging.fluentBit.bufferLimit": "Per container-log output, per node; each node-log output gets a quarter.",
    "logging.nodeLogs": "Kubelet, containerd/CRI-O and kernel logs from each node's journal (or its syslog files) into `node-logs-fluentbit`; see [Node and system logs](#node-and-system-logs).",
    "logging.redaction.enabled": "Masks patterns in every record on the node, before Elasticsearch and Graylog; see [Redaction](#redaction).",
    "logging.redaction.builtins": "Built-in patterns used when on: email, jwt, bearer-token, card-number (Luhn-checked), password.",
    "logging.redaction.patterns": "`[{name, pattern, minLength?, luhn?}]`, Lua patterns; a match becomes `[REDACTED:<name>]`.",
    "metrics.grafana.replicas": "Only 1: Grafana's database is SQLite on one ReadWriteOnce volume; more are refused.",
    "metrics.grafana.storageSize": "Grows only on a StorageClass with volume expansion; the API server refuses a smaller one.",
    chartDirectory: "Unset: each chart from its official repository. Relative to the project directory.",
    storageClassAllowsExpansion: "Declare it once `kubectl get storageclass` shows ALLOWVOLUMEEXPANSION true; lets Elasticsearch and Grafana volumes grow in place.",
    storageChangesDoneByHand: "Keys whose change was done by hand ([Changing stored data by hand](#changing-stored-data-by-hand)); listed for one up, then removed.",
    "logging.elasticsearch.nodeSetName": "A new name moves Elasticsearch to new volumes (class, smaller size); ECK migrates the data.",
};

function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    while (s instanceof z.ZodOptional) {
        s = s.unwrap() as z.ZodType;
    }
    return s;
}

function valueAt(defaults: ProfileDefaults, path: string): unknown {
    return path.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), defaults);
}

function show(value: unknown): string {
    if (value === undefined) return "—";
    if (Array.isArray(value)) return value.length === 0 ? "`[]`" : `\`${JSON.stringify(value)}\``;
    if (value && typeof value === "object") {
        const r = value as { requests?: { cpu: string; memory: string }; limits?: { cpu: string; memory: string } };
        if (r.requests && r.limits) return `${r.requests.cpu}/${r.requests.memory} → ${r.limits.cpu}/${r.limits.memory}`;
        return `\`${JSON.stringify(value)}\``;
    }
    return `\`${String(value)}\``;
}

/** One row per leaf key (resources blocks count as one), with its default in each profile. */
export function configRows(): string[][] {
    const rows: string[][] = [];
    const walk = (schema: z.ZodType, path: string) => {
        const inner = unwrap(schema);
        const isResources = /resources$/i.test(path);
        if (inner instanceof z.ZodObject && !isResources && !KEY_NOTES[path]) {
            for (const [k, v] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
                walk(v, path ? `${path}.${k}` : k);
            }
            return;
        }
        const allowed = isResources ? "requests/limits: cpu, memory" : (allowedOf(schema) ?? "");
        const defaults = PROFILES.map((p) => (["profile", "domain", "storageClassName", "chartDirectory", "alertingSecrets", "backupSecrets", "graylogRootPassword", "oidcClientSecret"].includes(path) ? "—" : show(valueAt(PROFILE_DEFAULTS[p], path))));
        rows.push([`\`${path}\``, allowed, ...defaults, KEY_NOTES[path] ?? ""]);
    };
    walk(configSchema, "");
    return rows;
}

const cpu = (millicores: number) => (millicores < 1000 ? `${millicores}m` : `${+(millicores / 1000).toFixed(2)}`);
const mem = (mebibytes: number) => (mebibytes >= 1024 ? `${+(mebibytes / 1024).toFixed(2)}Gi` : `${mebibytes}Mi`);

/** The README's sizing tables, from the footprint the full render writes (footprint.json). */
export function sizingTables(footprints: Readonly<Record<"dev" | "prod", Footprint>>): string[] {
    const agents = footprints.dev.perNode;
    const parts = [
        "### Node agents per node (every profile)",
        "",
        table(["DaemonSet", "CPU request", "memory request"], [
            ...agents.daemonSets.map((d) => [`${d.namespace}/${d.name}`, cpu(d.cpu), mem(d.memory)]),
            ["**total** (budget 150m / 256Mi)", cpu(agents.cpu), mem(agents.memory)],
        ]),
    ];
    for (const profile of ["dev", "prod"] as const) {
        const total = footprints[profile].total;
        parts.push("", `### ${profile} requests (besides the agents)`, "",
            "Pods that operators make from custom resources are counted at the operator's default where the resource sets none.", "",
            table(["workload", "pods", "CPU", "memory"], [
                ...total.workloads.map((w) => [`${w.kind} ${w.namespace}/${w.name}`, String(w.pods), cpu(w.cpu), mem(w.memory)]),
                ["**total**", "", cpu(total.cpu), mem(total.memory)],
            ]));
        const bare = footprints[profile].withoutRequests;
        if (bare.length > 0) {
            parts.push("", `Containers without requests in ${profile}: ${bare.map((c) => `\`${c}\``).join(", ")}.`);
        }
    }
    return parts;
}

function table(header: string[], rows: string[][]): string {
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function configReference(footprints: Readonly<Record<"dev" | "prod", Footprint>>): string {
    const parts = [
        "### Keys",
        "",
        "Every key lives under the `observability-platform:` namespace. Resources read `request cpu/memory → limit cpu/memory`.",
        "",
        table(["key", "allowed", "dev", "staging", "prod", "notes"], configRows()),
        "",
        ...sizingTables(footprints),
    ];
    return parts.join("\n") + "\n";
}

export const README_MARKERS = ["<!-- config-reference:start -->", "<!-- config-reference:end -->"] as const;

/** The README with its generated section replaced. */
export function withReference(readme: string, footprints: Readonly<Record<"dev" | "prod", Footprint>>): string {
    const [start, end] = README_MARKERS;
    const a = readme.indexOf(start);
    const b = readme.indexOf(end);
    if (a < 0 || b < a) {
        throw new Error(`README.md lacks the ${start} … ${end} markers`);
    }
    return `${readme.slice(0, a + start.length)}\n${configReference(footprints)}${readme.slice(b)}`;
}

/** The footprints the tables come from: the full render of the dev and prod stacks. */
export async function stackFootprints(): Promise<Record<"dev" | "prod", Footprint>> {
    const of = async (stack: string) => JSON.parse((await renderStack(stack)).files.find((f) => f.path === "footprint.json")!.content) as Footprint;
    const dev = await of("dev");
    return { dev, prod: await of("prod") };
}

if (require.main === module) {
    stackFootprints().then((footprints) => {
        if (process.argv.includes("--write")) {
            const file = path.join(ROOT, "README.md");
            fs.writeFileSync(file, withReference(fs.readFileSync(file, "utf8"), footprints));
        } else {
            process.stdout.write(configReference(footprints));
        }
    }, (err) => {
        console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
    });
}
