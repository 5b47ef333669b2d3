import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { dashboardJson, platformDashboards } from "../../../components/metrics/dashboards";
import { ROOT } from "../../../scripts/root";
import { DashboardQuery, METRIC_SOURCES, metricsOf, queriesOf, shippedDashboardQueries } from "../../helpers/exporter-metrics";
import { stackRun } from "../../helpers/program";
import { runTool, tempDir } from "../../helpers/tools";

const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const ALL = { logging: true, tracing: true, graylog: true };

const dir = tempDir("dashboards");
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

/**
 * What is wrong with dashboard queries: a metric no pinned exporter emits (METRIC_SOURCES), or
 * an expression Prometheus' own parser refuses. promtool parses each query as the expression of
 * a recording rule, one group per query so its message names the panel; it reports every
 * refused rule, not only the first.
 */
function problems(queries: readonly DashboardQuery[]): string[] {
    const unknown = queries.flatMap((q) => metricsOf(q.expr)
        .filter((m) => !Object.hasOwn(METRIC_SOURCES, m))
        .map((m) => `${q.where}: ${m} is not a metric the pinned exporters emit (tests/helpers/exporter-metrics.ts)`));
    const file = path.join(dir, `queries-${files++}.yaml`);
    fs.writeFileSync(file, YAML.stringify({ groups: queries.map((q, i) => ({ name: `${q.where} #${i}`, rules: [{ record: `dashboard:query_${i}`, expr: q.expr }] })) }));
    const r = runTool("promtool", ["check", "rules", file]);
    const parsed = r.status === 0 && r.output.includes(`SUCCESS: ${queries.length} rules found`);
    return [...unknown, ...(parsed ? [] : [r.output])];
}

const workloadsJson = () => JSON.parse(dashboardJson(platformDashboards(ALL).find((d) => d.uid === "platform-workloads")!));

/** The workloads dashboard with one panel's first query rewritten. */
function brokenWorkloads(title: string, edit: (expr: string) => string): string {
    const d = workloadsJson();
    const target = d.panels.find((p: any) => p.title === title).targets[0];
    target.expr = edit(target.expr);
    return JSON.stringify(d);
}

/** A Workloads panel's query as Grafana sends it with every namespace selected. */
function workloadsQuery(title: string, refId = "A"): string {
    const q = queriesOf([dashboardJson(platformDashboards(ALL).find((d) => d.uid === "platform-workloads")!)]).find((x) => x.where === `platform-workloads / ${title} / ${refId}`);
    assert.ok(q, `${title} / ${refId}`);
    return q.expr;
}

describe("platform dashboards", () => {
    const shipped = shippedDashboardQueries();

    it("every query of every shipped dashboard parses with Prometheus' parser and reads only metrics the pinned exporters emit", () => {
        assert.ok(shipped.length >= 30, `${shipped.length} queries`);
        assert.deepStrictEqual(problems(shipped), []);
    });

    it("a misspelt metric in a dashboard fails the check, naming the panel and the metric", () => {
        const found = problems(queriesOf([brokenWorkloads("Pods by phase", (e) => e.replace("kube_pod_status_phase", "kube_pod_status_phaze"))]));
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /^platform-workloads \/ Pods by phase \/ A: kube_pod_status_phaze is not a metric/);
    });

    it("a syntax error in a dashboard fails the check, naming the panel", () => {
        const found = problems(queriesOf([brokenWorkloads("Pods by phase", (e) => e.slice(0, -1))]));
        assert.strictEqual(found.length, 1, found.join("\n"));
        assert.match(found[0], /group "platform-workloads \/ Pods by phase \/ A #\d+".*parse error/);
    });

    it("the checked queries are those in the ConfigMaps of every shipped stack", async () => {
        const checked = new Set(shipped.map((q) => `${q.where}\n${q.expr}`));
        for (const stack of ["dev", "staging", "prod"]) {
            const run = await stackRun(stack);
            const models = run.resources
                .filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata?.labels?.grafana_dashboard !== undefined)
                .flatMap((r) => Object.values(r.inputs.data as Record<string, string>));
            assert.ok(models.length >= 4, `${stack}: ${models.length} dashboards`);
            for (const q of queriesOf(models)) {
                assert.ok(checked.has(`${q.where}\n${q.expr}`), `${stack}: ${q.where} is not among the checked queries`);
            }
        }
    });

    describe("Platform / Storage", () => {
        const storage = (backup?: { intervalHours: number; repository: string; policy: string }) =>
            JSON.parse(dashboardJson(platformDashboards({ ...ALL, backup }).find((d) => d.uid === "platform-storage")!));

        it("shows the backups' last snapshot age, SLM failures and snapshots kept when backups are on, and no backup panel otherwise", () => {
            const on = storage({ intervalHours: 6, repository: "platform-backups", policy: "platform-snapshots" });
            const panels = on.panels.filter((p: any) => p.title.startsWith("Backups:"));
            assert.deepStrictEqual(panels.map((p: any) => p.title), ["Backups: age of the newest successful Elasticsearch snapshot", "Backups: SLM snapshot failures and snapshots kept"]);
            assert.match(panels[0].targets[0].expr, /time\(\) - max by \(repository\) \(elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds\{repository="platform-backups"\}\)/);
            assert.match(panels[0].description, /warns at 12 hours and pages at 24/);
            assert.match(panels[1].targets[0].expr, /elasticsearch_slm_stats_snapshots_failed_total\{policy="platform-snapshots"\}/);
            assert.deepStrictEqual(storage().panels.filter((p: any) => p.title.startsWith("Backups:")), []);
        });

        it("shows the last Graylog dump's age beside the snapshot panels, and its failed Jobs, when the dump runs", () => {
            const backup = { intervalHours: 6, repository: "platform-backups", policy: "platform-snapshots" };
            const board = JSON.parse(dashboardJson(platformDashboards({ ...ALL, backup, graylogDump: { cronJob: "graylog-mongodb-dump", intervalHours: 6 } }).find((d) => d.uid === "platform-storage")!));
            const titles: string[] = board.panels.map((p: any) => p.title);
            const age = titles.indexOf("Backups: age of the last successful Graylog MongoDB dump");
            assert.strictEqual(age, titles.indexOf("Backups: SLM snapshot failures and snapshots kept") + 1, titles.join(", "));
            assert.strictEqual(board.panels[age].fieldConfig.defaults.unit, "s");
            assert.match(board.panels[age].targets[0].expr, /^time\(\) - max by \(namespace, cronjob\) \(kube_cronjob_status_last_successful_time\{cronjob="graylog-mongodb-dump"\}\)$/);
            assert.match(board.panels[age].description, /warns at 12 hours and pages at 24/);
            assert.match(board.panels[age + 1].targets[0].expr, /kube_job_owner\{owner_kind="CronJob",owner_name="graylog-mongodb-dump"\}/);
            assert.ok(!JSON.stringify(storage(backup)).includes("Graylog MongoDB dump"), "no dump panel without the dump");
        });

        it("the prod stack's Storage dashboard carries the backup panels", async () => {
            const run = await stackRun("prod");
            const models = run.resources
                .filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata?.labels?.grafana_dashboard !== undefined)
                .flatMap((r) => Object.values(r.inputs.data as Record<string, string>)).map((m) => JSON.parse(m));
            const panels = models.find((d) => d.uid === "platform-storage").panels.map((p: any) => p.title);
            assert.ok(panels.includes("Backups: age of the newest successful Elasticsearch snapshot"), panels.join(", "));
            assert.ok(panels.includes("Backups: age of the last successful Graylog MongoDB dump"), panels.join(", "));
        });
    });

    describe("Platform / Workloads", () => {
        it("ships in every stack, whatever pillars it deploys", () => {
            for (const scope of [ALL, { logging: false, tracing: false, graylog: false }]) {
                assert.strictEqual(platformDashboards(scope).find((d) => d.uid === "platform-workloads")?.title, "Platform / Workloads");
            }
        });

        it("shows pods by phase and namespace, Deployment, StatefulSet and DaemonSet readiness, restarts and Pending reasons", () => {
            const titles = workloadsJson().panels.map((p: any) => p.title);
            for (const want of [/^Pods by phase$/, /Pending, Failed or Unknown, by namespace/, /^Deployments: replicas not available/, /^Deployments whose rollout/,
                /^StatefulSets: replicas not ready/, /^DaemonSets: pods not ready/, /restarts .* by pod/, /restarts .* by last termination reason/, /^Pending pods, by reason$/]) {
                assert.ok(titles.some((t: string) => want.test(t)), `a panel matching ${want} in ${titles.join(", ")}`);
            }
        });

        it("filters every series by a namespace variable that offers every namespace with pods, All by default", () => {
            const d = workloadsJson();
            assert.deepStrictEqual(d.templating.list.map((v: any) => [v.name, v.query, v.multi, v.includeAll, v.allValue, v.current.value]),
                [["namespace", "label_values(kube_pod_info, namespace)", true, true, ".*", ["$__all"]]]);
            for (const p of d.panels) {
                for (const t of p.targets) {
                    assert.ok(metricsOf(t.expr).length > 0, `${p.title}: reads a metric`);
                    for (const m of metricsOf(t.expr)) {
                        for (const use of t.expr.matchAll(new RegExp(`\\b${m}(?![\\w:])(\\{[^}]*\\})?`, "g"))) {
                            assert.ok(use[1]?.includes(`namespace=~"$namespace"`), `${p.title}: ${m} is filtered by $namespace`);
                        }
                    }
                }
            }
        });

        describe("on series shaped as kube-state-metrics v2.20.0 emits them (promtool test rules)", () => {
            /** Runs promtool's expression tests on the given queries; returns its status and output. */
            function evaluate(series: Record<string, string>, tests: Array<{ expr: string; samples: Array<[string, number]> }>) {
                const file = path.join(dir, `cases-${files++}.test.yaml`);
                fs.writeFileSync(file, YAML.stringify({
                    rule_files: [],
                    evaluation_interval: "1m",
                    tests: [{
                        interval: "1m",
                        input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
                        promql_expr_test: tests.map((t) => ({ expr: t.expr, eval_time: "30m", exp_samples: t.samples.map(([labels, value]) => ({ labels, value })) })),
                    }],
                }));
                return runTool("promtool", ["test", "rules", file]);
            }

            it("Pending reasons count unscheduled pods and the waiting containers of Pending pods only", () => {
                const pod = (name: string, uid: string) => `namespace="shop",pod="${name}",uid="${uid}"`;
                const r = evaluate({
                    [`kube_pod_status_phase{${pod("web-0", "u1")},phase="Pending"}`]: "1x30",
                    [`kube_pod_status_phase{${pod("web-0", "u1")},phase="Running"}`]: "0x30",
                    [`kube_pod_status_phase{${pod("db-0", "u2")},phase="Pending"}`]: "1x30",
                    [`kube_pod_status_phase{${pod("api-1", "u3")},phase="Pending"}`]: "0x30",
                    [`kube_pod_status_phase{${pod("api-1", "u3")},phase="Running"}`]: "1x30",
                    [`kube_pod_container_status_waiting_reason{${pod("web-0", "u1")},container="app",reason="ImagePullBackOff"}`]: "1x30",
                    [`kube_pod_container_status_waiting_reason{${pod("db-0", "u2")},container="db",reason="PodInitializing"}`]: "1x30",
                    [`kube_pod_init_container_status_waiting_reason{${pod("db-0", "u2")},container="migrate",reason="CreateContainerConfigError"}`]: "1x30",
                    [`kube_pod_container_status_waiting_reason{${pod("api-1", "u3")},container="app",reason="CrashLoopBackOff"}`]: "1x30",
                    [`kube_pod_status_unschedulable{namespace="batch",pod="job-x",uid="u4"}`]: "1x30",
                }, [
                    { expr: workloadsQuery("Pending pods, by reason", "A"), samples: [[`{namespace="batch"}`, 1]] },
                    { expr: workloadsQuery("Pending pods, by reason", "B"), samples: [[`{namespace="shop",reason="CreateContainerConfigError"}`, 1]] },
                    { expr: workloadsQuery("Pending pods, by reason", "C"), samples: [[`{namespace="shop",reason="ImagePullBackOff"}`, 1], [`{namespace="shop",reason="PodInitializing"}`, 1]] },
                ]);
                assert.strictEqual(r.status, 0, r.output);
            });

            it("restarts by termination reason count only containers that restarted in the window", () => {
                const c = (pod: string, container: string) => `namespace="shop",pod="${pod}",uid="u-${pod}",container="${container}"`;
                const r = evaluate({
                    [`kube_pod_container_status_restarts_total{${c("web-0", "app")}}`]: "0+1x30",
                    [`kube_pod_container_status_last_terminated_reason{${c("web-0", "app")},reason="OOMKilled"}`]: "1x30",
                    [`kube_pod_container_status_restarts_total{${c("web-0", "proxy")}}`]: "0x30",
                    [`kube_pod_container_status_restarts_total{${c("api-1", "app")}}`]: "2x30",
                    [`kube_pod_container_status_last_terminated_reason{${c("api-1", "app")},reason="Error"}`]: "1x30",
                }, [
                    { expr: workloadsQuery("Container restarts in 15 minutes, by last termination reason"), samples: [[`{namespace="shop",reason="OOMKilled"}`, 15]] },
                    { expr: workloadsQuery("Container restarts in 15 minutes, by pod"), samples: [[`{namespace="shop",pod="web-0"}`, 15]] },
                ]);
                assert.strictEqual(r.status, 0, r.output);
            });

            it("readiness panels list only the workloads short of their desired replicas", () => {
                const r = evaluate({
                    [`kube_deployment_spec_replicas{namespace="shop",deployment="web"}`]: "3x30",
                    [`kube_deployment_status_replicas_available{namespace="shop",deployment="web"}`]: "2x30",
                    [`kube_deployment_spec_replicas{namespace="shop",deployment="api"}`]: "3x30",
                    [`kube_deployment_status_replicas_available{namespace="shop",deployment="api"}`]: "4x30",
                    [`kube_deployment_status_condition{namespace="shop",deployment="web",condition="Progressing",status="false",reason="ProgressDeadlineExceeded"}`]: "1x30",
                    [`kube_deployment_status_condition{namespace="shop",deployment="web",condition="Progressing",status="true",reason="ProgressDeadlineExceeded"}`]: "0x30",
                    [`kube_statefulset_replicas{namespace="shop",statefulset="db"}`]: "3x30",
                    [`kube_statefulset_status_replicas_ready{namespace="shop",statefulset="db"}`]: "1x30",
                    [`kube_daemonset_status_desired_number_scheduled{namespace="agents",daemonset="fluent-bit"}`]: "5x30",
                    [`kube_daemonset_status_number_ready{namespace="agents",daemonset="fluent-bit"}`]: "5x30",
                }, [
                    { expr: workloadsQuery("Deployments: replicas not available (should be empty)"), samples: [[`{namespace="shop",deployment="web"}`, 1]] },
                    {
                        expr: workloadsQuery("Deployments whose rollout stopped progressing"),
                        samples: [[`kube_deployment_status_condition{namespace="shop",deployment="web",condition="Progressing",status="false",reason="ProgressDeadlineExceeded"}`, 1]],
                    },
                    { expr: workloadsQuery("StatefulSets: replicas not ready (should be empty)"), samples: [[`{namespace="shop",statefulset="db"}`, 2]] },
                    { expr: workloadsQuery("DaemonSets: pods not ready (should be empty)"), samples: [] },
                ]);
                assert.strictEqual(r.status, 0, r.output);
            });

            it("promtool fails a wrong expectation, so the cases above can fail", () => {
                const r = evaluate({ [`kube_statefulset_replicas{namespace="shop",statefulset="db"}`]: "3x30", [`kube_statefulset_status_replicas_ready{namespace="shop",statefulset="db"}`]: "3x30" },
                    [{ expr: workloadsQuery("StatefulSets: replicas not ready (should be empty)"), samples: [[`{namespace="shop",statefulset="db"}`, 1]] }]);
                assert.notStrictEqual(r.status, 0, r.output);
            });
        });
    });

    describe("the contract for app teams' dashboards", () => {
        it("the platform's own dashboards use the ConfigMap label the Grafana sidecar watches, in any namespace, as the README says", async () => {
            const run = await stackRun("dev");
            const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack")!;
            const sidecar = chart.inputs.values.grafana.sidecar.dashboards;
            assert.deepStrictEqual([sidecar.enabled, sidecar.label, sidecar.labelValue, sidecar.searchNamespace], [true, "grafana_dashboard", "1", "ALL"]);
            const configMaps = run.resources.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata?.name?.startsWith("dashboard-"));
            assert.ok(configMaps.length >= 4);
            for (const cm of configMaps) {
                assert.strictEqual(cm.inputs.metadata.labels[sidecar.label], sidecar.labelValue, cm.inputs.metadata.name);
            }
            const section = README.slice(README.indexOf("## Metrics"), README.indexOf("### Routing"));
            assert.ok(section.includes(`\`${sidecar.label}: "${sidecar.labelValue}"\``), "README names the label and its value");
            assert.match(section, /in any namespace/);
        });
    });
});
