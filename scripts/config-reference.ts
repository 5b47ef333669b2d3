/**
 * `npm run docs:config [-- --write]`: prints (or writes into README.md) the README's configuration reference and budget tables from the
 * profile defaults, so the README cannot drift from the code (a test compares them).
 */
import * as fs from "fs";
import * as path from "path";
import { PROFILE_DEFAULTS, PROFILES, ProfileDefaults } from "../components/settings/profiles";
import { MONGODB_OPERATOR_RESOURCES } from "../components/graylog/values";
import { parseQuantity } from "../components/shared/quantity";
import { allowedOf, configSchema } from "../components/settings/schema";
import { z } from "zod";

const KEY_NOTES: Record<string, string> = {
    profile: "Required. Supplies every default below.",
    domain: "UIs at `<app>.<domain>`; no ingress without it.",
    storageClassName: "Unset: the cluster's default StorageClass.",
    alertingSecrets: "Secret. Receiver name → credential.",
    "alerting.receivers": "`[{name, type, to?, channel?}]`, type one of email, slack, pagerduty, webhook",
    "alerting.defaultReceiver": "Unset: non-critical alerts go nowhere.",
    "alerting.criticalReceiver": "Unset: same as defaultReceiver.",
    "alerting.smtp": "`{smarthost, from, username?, requireTls?}`; needed by email receivers.",
    "tls.acmeEmail": "With `domain`: Let's Encrypt (staging endpoint outside prod).",
    graylogRootPassword: "Secret. Unset: generated, kept in `graylog/graylog-root`.",
    "access.uiAuth": "Guards Prometheus, Alertmanager and Jaeger; see [TLS and access](#tls-and-access).",
    "access.oidc.allowedEmailDomains": "Unset with `oidc`: `[\"*\"]`.",
    oidcClientSecret: "Secret. Required with `uiAuth: oauth2-proxy`.",
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
        const defaults = PROFILES.map((p) => (["profile", "domain", "storageClassName", "alertingSecrets", "graylogRootPassword", "oidcClientSecret"].includes(path) ? "—" : show(valueAt(PROFILE_DEFAULTS[p], path))));
        rows.push([`\`${path}\``, allowed, ...defaults, KEY_NOTES[path] ?? ""]);
    };
    walk(configSchema, "");
    return rows;
}

interface Budget { readonly component: string; readonly replicas: number; readonly cpu: number; readonly memory: number }

export function budget(profile: (typeof PROFILES)[number]): Budget[] {
    const d = PROFILE_DEFAULTS[profile];
    const item = (component: string, replicas: number, r: { requests: { cpu: string; memory: string } }, enabled = true): Budget[] =>
        enabled ? [{ component, replicas, cpu: replicas * parseQuantity(r.requests.cpu), memory: replicas * parseQuantity(r.requests.memory) }] : [];
    return [
        ...item("cert-manager (controller, webhook, cainjector)", 1, { requests: { cpu: "30m", memory: "96Mi" } }, d.tls.enabled),
        ...item("Prometheus Operator", 1, d.metrics.operator.resources, d.metrics.enabled),
        ...item("Prometheus", d.metrics.prometheus.replicas, d.metrics.prometheus.resources, d.metrics.enabled),
        ...item("Alertmanager", d.metrics.alertmanager.replicas, d.metrics.alertmanager.resources, d.metrics.enabled),
        ...item("Grafana", d.metrics.grafana.replicas, d.metrics.grafana.resources, d.metrics.enabled),
        ...item("kube-state-metrics", 1, d.metrics.kubeStateMetrics.resources, d.metrics.enabled),
        ...item("ECK operator", 1, d.logging.operator.resources, d.logging.enabled),
        ...item("Elasticsearch", d.logging.elasticsearch.nodes, d.logging.elasticsearch.resources, d.logging.enabled),
        ...item("Kibana", d.logging.kibana.replicas, d.logging.kibana.resources, d.logging.enabled),
        ...item("elasticsearch-exporter", 1, { requests: { cpu: "10m", memory: "32Mi" } }, d.logging.enabled),
        ...item("Jaeger", d.tracing.replicas, d.tracing.resources, d.tracing.enabled),
        ...item("Graylog", d.graylog.replicas, d.graylog.resources, d.graylog.enabled),
        ...item("Graylog Data Node", d.graylog.dataNodeReplicas, d.graylog.dataNodeResources, d.graylog.enabled),
        ...item("MongoDB", d.graylog.mongodbMembers, { requests: { cpu: "100m", memory: "512Mi" } }, d.graylog.enabled),
        ...item("MongoDB operator", 1, MONGODB_OPERATOR_RESOURCES, d.graylog.enabled),
    ];
}

export function agentBudget(profile: (typeof PROFILES)[number]): Budget[] {
    const d = PROFILE_DEFAULTS[profile];
    const item = (component: string, r: { requests: { cpu: string; memory: string } }) =>
        ({ component, replicas: 1, cpu: parseQuantity(r.requests.cpu), memory: parseQuantity(r.requests.memory) });
    return [
        item("node-exporter", d.metrics.nodeExporter.resources),
        item("Fluent Bit", d.logging.fluentBit.resources),
        item("OpenTelemetry agent", d.tracing.agent.resources),
    ];
}

const cpu = (c: number) => (c < 1 ? `${Math.round(c * 1000)}m` : `${+c.toFixed(2)}`);
const mem = (m: number) => (m >= 2 ** 30 ? `${+(m / 2 ** 30).toFixed(2)}Gi` : `${Math.round(m / 2 ** 20)}Mi`);

function table(header: string[], rows: string[][]): string {
    return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function configReference(): string {
    const parts = [
        "### Keys",
        "",
        "Every key lives under the `observability-platform:` namespace. Resources read `request cpu/memory → limit cpu/memory`.",
        "",
        table(["key", "allowed", "dev", "staging", "prod", "notes"], configRows()),
        "",
        "### Node agents per node (every profile)",
        "",
        table(["agent", "CPU request", "memory request"], [
            ...agentBudget("dev").map((b) => [b.component, cpu(b.cpu), mem(b.memory)]),
            ["**total** (budget 150m / 256Mi)", cpu(agentBudget("dev").reduce((s, b) => s + b.cpu, 0)), mem(agentBudget("dev").reduce((s, b) => s + b.memory, 0))],
        ]),
    ];
    for (const profile of ["dev", "prod"] as const) {
        const rows = budget(profile);
        parts.push("", `### ${profile} requests (besides the agents)`, "", table(["component", "replicas", "CPU", "memory"], [
            ...rows.map((b) => [b.component, String(b.replicas), cpu(b.cpu), mem(b.memory)]),
            ["**total**", "", cpu(rows.reduce((s, b) => s + b.cpu, 0)), mem(rows.reduce((s, b) => s + b.memory, 0))],
        ]));
    }
    return parts.join("\n") + "\n";
}

export const README_MARKERS = ["<!-- config-reference:start -->", "<!-- config-reference:end -->"] as const;

/** The README with its generated section replaced. */
export function withReference(readme: string): string {
    const [start, end] = README_MARKERS;
    const a = readme.indexOf(start);
    const b = readme.indexOf(end);
    if (a < 0 || b < a) {
        throw new Error(`README.md lacks the ${start} … ${end} markers`);
    }
    return `${readme.slice(0, a + start.length)}\n${configReference()}${readme.slice(b)}`;
}

if (require.main === module) {
    if (process.argv.includes("--write")) {
        const file = path.join(__dirname, "..", "README.md");
        fs.writeFileSync(file, withReference(fs.readFileSync(file, "utf8")));
    } else {
        process.stdout.write(configReference());
    }
}
