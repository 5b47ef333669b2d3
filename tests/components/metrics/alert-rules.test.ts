import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { NODE_MAINTENANCE_RUNBOOK, platformRuleGroups, RuleScope, SCRAPE } from "../../../components/metrics/alert-rules";
import { MONITORING_RELEASE, monitoringValues, REPLACED_DEFAULT_RULES } from "../../../components/metrics/values";
import { fluentBitSections } from "../../../components/logs/fluent-bit-config";
import { otelAgentConfig, otelAgentMonitoring } from "../../../components/traces/otel-agent";
import { jaegerConfig } from "../../../components/traces/jaeger-values";
import { buildSettings } from "../../../components/settings";
import { chartFile, CHARTS } from "../../../components/shared/charts";
import { chartDirectory } from "../../../scripts/charts";
import { inBackground, runTool, runToolAsync, tempDir } from "../../helpers/tools";
import { ROOT } from "../../../scripts/root";
import { METRIC_SOURCES, metricsOf, shippedDashboardQueries } from "../../helpers/exporter-metrics";
import { renderedStack } from "../../scripts/full-render";

const FIXTURE = path.join(ROOT, "tests/fixtures/platform-rules.test.yaml");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

const ALL: RuleScope = {
    logging: true, tracing: true, graylog: true, tls: true,
    namespaces: { logging: "logging", tracing: "tracing", graylog: "graylog", nodeAgents: "node-agents" },
    backup: { intervalHours: 6, repository: "platform-backups", policy: "platform-snapshots" },
    graylogDump: { cronJob: "graylog-mongodb-dump", intervalHours: 6 },
};
const RULES = platformRuleGroups(ALL).flatMap((g) => g.rules);

function writeRules(dir: string, scope: RuleScope): string {
    const file = path.join(dir, "rules.yaml");
    fs.writeFileSync(file, YAML.stringify({ groups: platformRuleGroups(scope) }));
    return file;
}

function durationMinutes(d: string): number {
    const m = /^(\d+)([mh])$/.exec(d);
    assert.ok(m, `duration ${d}`);
    return Number(m[1]) * (m[2] === "h" ? 60 : 1);
}

interface PromtoolCase {
    name: string;
    input_series: Array<{ series: string; values: string }>;
    alert_rule_test?: Array<{ eval_time: string; alertname: string; exp_alerts?: Array<{ exp_labels?: Record<string, unknown>; exp_annotations?: Record<string, string> }> }>;
}

const dir = tempDir("rules");
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/**
 * The fixture's cases as one promtool test file per set of rule groups they exercise, each
 * loading only those groups: promtool evaluates every loaded rule at every step of every case,
 * so the split runs the same cases in about a third of the time. A case naming an alert no rule
 * defines fails here rather than passing silently.
 */
function splitByRuleGroup(fixture: { tests: PromtoolCase[] }, groups: ReturnType<typeof platformRuleGroups>, into: string): string[] {
    const groupsOf = (alert: string) => groups.filter((g) => g.rules.some((r) => r.alert === alert)).map((g) => g.name);
    const sets = new Map<string, PromtoolCase[]>();
    for (const c of fixture.tests) {
        const names = [...new Set((c.alert_rule_test ?? []).flatMap((t) => {
            const found = groupsOf(t.alertname);
            assert.ok(found.length > 0, `${c.name}: no rule defines alert ${t.alertname}`);
            return found;
        }))].sort();
        sets.set(names.join(","), [...(sets.get(names.join(",")) ?? []), c]);
    }
    return [...sets.entries()].map(([key, cases], i) => {
        const names = key.split(",");
        fs.writeFileSync(path.join(into, `rules-${i}.yaml`), YAML.stringify({ groups: groups.filter((g) => names.includes(g.name)) }));
        fs.writeFileSync(path.join(into, `cases-${i}.test.yaml`), YAML.stringify({ ...fixture, rule_files: [`rules-${i}.yaml`], tests: cases }));
        return `cases-${i}.test.yaml`;
    });
}

/** promtool's unit tests take seconds of CPU, spent beside the suite. */
const unitTests = inBackground((options) => {
    const unitDir = path.join(dir, "unit");
    fs.mkdirSync(unitDir);
    const fixture = YAML.parse(fs.readFileSync(FIXTURE, "utf8"));
    const files = splitByRuleGroup(fixture, platformRuleGroups(ALL), unitDir);
    return runToolAsync("promtool", ["test", "rules", ...files], unitDir, options).then((r) => ({ ...r, files: files.length, cases: fixture.tests.length }));
});

describe("platform alert rules", () => {
    const fixture = YAML.parse(fs.readFileSync(FIXTURE, "utf8")) as { tests: PromtoolCase[] };

    it("pass promtool check rules", () => {
        const r = runTool("promtool", ["check", "rules", writeRules(dir, ALL)]);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /SUCCESS: \d+ rules found/);
    });

    it("pass their promtool unit tests, each case against the rule groups it names", async () => {
        const r = await unitTests();
        assert.ok(r.files >= 2 && r.cases >= 40, `${r.cases} cases in ${r.files} files`);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /SUCCESS/);
    });

    it("promtool rejects a broken expression, so the check above can fail", () => {
        const file = path.join(dir, "broken.yaml");
        fs.writeFileSync(file, YAML.stringify({ groups: [{ name: "x", rules: [{ alert: "X", expr: "sum(rate(x[5m])" }] }] }));
        assert.notStrictEqual(runTool("promtool", ["check", "rules", file]).status, 0);
    });

    it("promtool test rules fails on a wrong expectation, so the unit tests above can fail", () => {
        writeRules(dir, ALL);
        const broken = { ...fixture, tests: [structuredClone(fixture.tests[0])] };
        broken.tests[0].alert_rule_test![1].exp_alerts![0].exp_labels!.severity = "critical";
        fs.writeFileSync(path.join(dir, "broken.test.yaml"), YAML.stringify(broken));
        assert.notStrictEqual(runTool("promtool", ["test", "rules", "broken.test.yaml"], dir).status, 0);
    });

    describe("each rule has a promtool case where it fires and one where it stays silent on healthy series", () => {
        for (const rule of RULES) {
            it(`${rule.alert} (${rule.labels.severity})`, () => {
                const checks = fixture.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.alertname === rule.alert).map((a) => ({ t, a })));
                const firing = checks.flatMap(({ a }) => a.exp_alerts ?? []).filter((e) => e.exp_labels?.severity === rule.labels.severity);
                assert.ok(firing.length > 0, `no case where ${rule.alert} fires with severity ${rule.labels.severity}`);
                for (const e of firing) {
                    assert.deepStrictEqual(Object.keys(e.exp_annotations ?? {}).sort(), ["description", "runbook", "summary"], `${rule.alert} firing case checks every annotation`);
                }
                const metrics = metricsOf(rule.expr);
                const silent = checks.filter(({ t, a }) =>
                    (a.exp_alerts ?? []).length === 0
                    && durationMinutes(a.eval_time) > durationMinutes(rule.for)
                    && metrics.every((m) => t.input_series.some((s) => s.series.startsWith(`${m}{`))));
                assert.ok(silent.length > 0, `no case where ${rule.alert} stays silent after ${rule.for} on series of ${metrics.join(", ")}`);
            });
        }
    });

    it("read only metrics the pinned exporters emit, and the fixture feeds no others", () => {
        const read = new Set(RULES.flatMap((r) => metricsOf(r.expr)));
        assert.deepStrictEqual([...read].filter((m) => !Object.hasOwn(METRIC_SOURCES, m)), [], "metrics no METRIC_SOURCES entry vouches for");
        for (const t of fixture.tests) {
            for (const s of t.input_series) {
                const name = s.series.slice(0, s.series.indexOf("{"));
                assert.ok(read.has(name), `${t.name}: ${name} is read by no rule`);
            }
        }
    });

    it("every metric source is read by a rule or a shipped dashboard (the dashboards check their own reads)", () => {
        const read = new Set([...RULES, ...shippedDashboardQueries()].flatMap((q) => metricsOf(q.expr)));
        assert.deepStrictEqual(Object.keys(METRIC_SOURCES).filter((m) => !read.has(m)), []);
    });

    it("every rule has a severity, summary, description and runbook hint, and waits before firing", () => {
        for (const rule of RULES) {
            assert.ok(["critical", "warning"].includes(rule.labels.severity), rule.alert);
            assert.ok(rule.annotations.summary && rule.annotations.description && rule.annotations.runbook, rule.alert);
            assert.match(rule.for, /^\d+[mh]$/, `${rule.alert} waits before firing`);
        }
    });

    it("one rule per alert name and severity", () => {
        const keys = RULES.map((r) => `${r.alert}/${r.labels.severity}`);
        assert.deepStrictEqual(keys, [...new Set(keys)]);
    });

    it("uses the names operators search for, with the thresholds the operating guides give", () => {
        const byName = (alert: string) => RULES.find((r) => r.alert === alert)!;
        assert.deepStrictEqual([byName("NodeMemoryHigh").labels.severity, byName("NodeMemoryHigh").for], ["warning", "5m"]);
        assert.match(byName("NodeMemoryHigh").expr, /> 0\.90$/);
        assert.deepStrictEqual([byName("NodeCPUHigh").labels.severity, byName("NodeCPUHigh").for], ["warning", "5m"]);
        assert.match(byName("NodeCPUHigh").expr, /> 0\.90$/);
        assert.strictEqual(byName("PodCrashLooping").labels.severity, "critical");
        assert.match(byName("PodCrashLooping").expr, /increase\(kube_pod_container_status_restarts_total\[10m\]\) > 5/);
        assert.strictEqual(byName("PodDisruptionBudgetBlockingDrain").for, "15m");
        assert.ok(byName("PodDisruptionBudgetBlockingDrain").annotations.runbook.includes(NODE_MAINTENANCE_RUNBOOK));
    });

    it("ships no rules for pillars a stack leaves out", () => {
        const names = platformRuleGroups({ ...ALL, logging: false, tracing: false, graylog: false, tls: false }).map((g) => g.name);
        assert.ok(!platformRuleGroups({ ...ALL, backup: undefined }).some((g) => g.name === "platform.backup"), "no backup rules without backups");
        assert.ok(!platformRuleGroups({ ...ALL, graylogDump: undefined }).some((g) => g.name === "platform.graylog-backup"), "no dump rules without the dump");
        assert.deepStrictEqual(names, ["platform.nodes", "platform.workloads"]);
    });

    describe("match how the components are scraped and configured", () => {
        it("the agent rules select the agent's ServiceMonitor job (the Service's name)", () => {
            const service = otelAgentMonitoring("tracing").find((o) => o.kind === "Service")!;
            const monitor = otelAgentMonitoring("tracing").find((o) => o.kind === "ServiceMonitor")!;
            assert.strictEqual(service.metadata.name, SCRAPE.otelAgentJob);
            assert.strictEqual(monitor.spec.jobLabel, undefined, "no jobLabel, so job is the Service name");
        });

        it("Jaeger is scraped through the annotated-pods job with its pod labels mapped", () => {
            const values = monitoringValues({ metrics: buildSettings({ stack: "dev", config: { "observability-platform:profile": "dev" } }).metrics, protectData: false, certManager: true, alertmanagerConfigSecret: "a", grafanaAdminSecret: "g", namespace: "monitoring", agentNamespace: "node-agents", zoneAware: false }) as any;
            const job = values.prometheus.prometheusSpec.additionalScrapeConfigs.find((j: any) => j.job_name === SCRAPE.annotatedPodsJob);
            assert.ok(job, "annotated-pods job exists");
            assert.ok(job.relabel_configs.some((r: any) => r.action === "labelmap" && r.regex === "__meta_kubernetes_pod_label_(.+)"));
            assert.notStrictEqual(job.honor_labels, true, "cert-manager's namespace label arrives as exported_namespace");
        });

        it("node-exporter's ServiceMonitor, as the pinned chart renders it, copies the scraped pod's node name into `node`, which the node rules group by and name", async function () {
            this.timeout(600_000);
            const { objects } = await renderedStack("dev");
            const monitor = objects.map((o) => o.object).find((o) => o.kind === "ServiceMonitor" && o.metadata.name === "kps-prometheus-node-exporter");
            assert.ok(monitor, "the chart renders node-exporter's ServiceMonitor");
            assert.deepStrictEqual(monitor.spec.endpoints.map((e: any) => e.relabelings),
                [[{ sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node", action: "replace" }]]);
            for (const alert of ["NodeMemoryHigh", "NodeCPUHigh", "NodeFilesystemAlmostOutOfSpace"]) {
                const rule = RULES.find((r) => r.alert === alert)!;
                assert.match(rule.expr, /^[a-z0-9 -]*(max|min|avg) by \(node[,)]/, `${alert} aggregates by node`);
                assert.ok(!JSON.stringify(rule).includes("instance"), `${alert} prints no address`);
                assert.match(rule.annotations.summary, /^Node \{\{ \$labels\.node \}\}/);
                assert.ok(rule.annotations.runbook.startsWith("kubectl describe node {{ $labels.node }}; kubectl get pods -A -o wide --field-selector spec.nodeName={{ $labels.node }}"), alert);
            }
        });

        it("the Data Node rules select the StatefulSet the Graylog chart renders, whose pods carry the label their runbooks list", async function () {
            this.timeout(600_000);
            const { objects } = await renderedStack("staging");
            const sts = objects.map((o) => o.object).find((o) => o.kind === "StatefulSet" && o.metadata.name === SCRAPE.graylogDataNodeStatefulSet);
            assert.ok(sts, "the chart renders the Data Node StatefulSet");
            assert.strictEqual(sts.metadata.namespace, ALL.namespaces.graylog);
            assert.strictEqual(sts.spec.template.metadata.labels.app, "graylog-datanode");
            for (const rule of RULES.filter((r) => r.alert === "GraylogDataNodeNotReady")) {
                assert.ok(rule.annotations.runbook.includes("-l app=graylog-datanode"), rule.labels.severity);
            }
            for (const rule of RULES.filter((r) => r.alert.startsWith("MongoDB"))) {
                assert.ok(rule.expr.includes(`job="graylog/${SCRAPE.mongodbPodMonitor}"`), `${rule.alert} selects the PodMonitor's job`);
            }
        });

        it("the agent and Jaeger export counters with their _total suffix (no without_type_suffix)", () => {
            const agent = otelAgentConfig({ samplingPercentage: 10, jaegerEndpoint: "jaeger:4317" } as any);
            const jaeger = jaegerConfig() as any;
            for (const config of [agent, jaeger]) {
                for (const reader of config.service.telemetry.metrics.readers) {
                    const prom = reader.pull.exporter.prometheus;
                    assert.ok(prom, "a Prometheus pull reader");
                    assert.notStrictEqual(prom.without_type_suffix, true);
                    assert.notStrictEqual(prom.without_units, true);
                }
            }
        });

        it("every Fluent Bit output has an alias (the rules' name label) and a storage cap (the capacity gauge's base)", () => {
            const outputs = fluentBitSections({
                namespace: "logging", elasticsearch: { host: "es", port: 9200, dataStream: "d" }, graylog: { host: "g", port: 12201 }, bufferLimitMb: 1024,
                nodeLogs: { dataStream: "n" },
            }).filter((s) => s.name === "OUTPUT").map((o) => new Map(o.entries));
            assert.deepStrictEqual(outputs.map((o) => `${o.get("Alias")} ${o.get("storage.total_limit_size")}`),
                ["elasticsearch 1024M", "elasticsearch-node 256M", "graylog 1024M", "graylog-node 256M"]);
        });
    });

    describe("kube-prometheus-stack default rules", () => {
        const templates = (): string => {
            const tgz = path.join(chartDirectory(), chartFile(CHARTS.kubePrometheusStack));
            const r = spawnSync("tar", ["-xzOf", tgz, "--wildcards", "kube-prometheus-stack/templates/prometheus/rules-1.14/*.yaml"], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
            assert.strictEqual(r.status, 0, r.stderr);
            return r.stdout;
        };

        it("are disabled where a platform rule watches the same condition, through keys the pinned chart reads", () => {
            const v = monitoringValues({ metrics: buildSettings({ stack: "dev", config: { "observability-platform:profile": "dev" } }).metrics, protectData: false, certManager: true, alertmanagerConfigSecret: "a", grafanaAdminSecret: "g", namespace: "monitoring", agentNamespace: "node-agents", zoneAware: false }) as any;
            assert.deepStrictEqual(Object.keys(v.defaultRules.disabled).sort(), [...REPLACED_DEFAULT_RULES].sort());
            const text = templates();
            for (const alert of REPLACED_DEFAULT_RULES) {
                assert.ok(text.includes(`.Values.defaultRules.disabled.${alert} | default false`), `${alert} is a default rule the chart can disable`);
            }
            const chartAlerts = new Set([...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]));
            for (const rule of RULES) {
                if (chartAlerts.has(rule.alert)) {
                    assert.ok((REPLACED_DEFAULT_RULES as readonly string[]).includes(rule.alert), `${rule.alert} would fire twice: the chart's is not disabled`);
                }
            }
            assert.strictEqual(MONITORING_RELEASE, "kps");
        });
    });

    it("the README's alert catalogue lists exactly the shipped rules, with severity and wait", () => {
        const section = README.slice(README.indexOf("### Alert rules"), README.indexOf("**Adding a rule:**"));
        const rows = [...section.matchAll(/^\| `(\w+)` \| (\w+) \| (\d+[mh]) \|/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
        const expected = RULES.map((r) => `${r.alert} ${r.labels.severity} ${r.for}`);
        assert.deepStrictEqual(rows.sort(), expected.sort());
    });

    it("the README has the Node maintenance section the drain alerts link to", () => {
        assert.match(README, /^## Node maintenance$/m);
        assert.strictEqual(NODE_MAINTENANCE_RUNBOOK, "README.md#node-maintenance");
    });
});
