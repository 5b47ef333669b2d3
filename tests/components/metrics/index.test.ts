import * as assert from "assert";
import { settingsFor, valuesFor } from "./fixtures";
import { protectStatefulTransform } from "../../../components/shared/workloads";
import { MOCK_SECRET_PREFIX, runProgram } from "../../../scripts/mock-program";
import { stackRun } from "../../helpers/program";

const PROFILES = ["dev", "staging", "prod"] as const;



describe("Monitoring", () => {
    for (const profile of PROFILES) {
        describe(`${profile} values`, () => {
            const s = settingsFor(profile);
            const v = valuesFor(profile);

            it("node-exporter tolerates every taint, runs node-critical and keeps off virtual and Windows nodes", () => {
                const ne = v["prometheus-node-exporter"];
                assert.deepStrictEqual(ne.tolerations, [{ operator: "Exists" }]);
                assert.strictEqual(ne.priorityClassName, "system-node-critical");
                const exprs = ne.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
                assert.deepStrictEqual(exprs.map((e: any) => `${e.key} ${e.operator} ${e.values}`), [
                    "kubernetes.io/os In linux", "type NotIn virtual-kubelet", "eks.amazonaws.com/compute-type NotIn fargate",
                ]);
                assert.deepStrictEqual(ne.resources, s.metrics.nodeExporter.resources);
            });

            it("Prometheus and Alertmanager PDBs allow one disruption and drop the chart's minAvailable", () => {
                for (const pdb of [v.prometheus.podDisruptionBudget, v.alertmanager.podDisruptionBudget]) {
                    assert.deepStrictEqual(pdb, { enabled: true, minAvailable: null, maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
                }
            });

            it("Prometheus keeps data per the profile on a persistent volume", () => {
                const spec = v.prometheus.prometheusSpec;
                assert.strictEqual(spec.replicas, s.metrics.prometheus.replicas);
                assert.strictEqual(spec.retention, `${s.metrics.prometheus.retentionDays}d`);
                assert.strictEqual(spec.retentionSize, s.metrics.prometheus.retentionSize);
                assert.strictEqual(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, s.metrics.prometheus.storageSize);
                assert.deepStrictEqual(spec.resources, s.metrics.prometheus.resources);
            });

            it("Prometheus selects monitors and rules from every namespace and scrapes annotated pods", () => {
                const spec = v.prometheus.prometheusSpec;
                for (const key of ["ruleSelectorNilUsesHelmValues", "serviceMonitorSelectorNilUsesHelmValues", "podMonitorSelectorNilUsesHelmValues"]) {
                    assert.strictEqual(spec[key], false, key);
                }
                const job = spec.additionalScrapeConfigs.find((c: any) => c.job_name === "annotated-pods");
                const keep = job.relabel_configs.find((r: any) => r.action === "keep");
                assert.deepStrictEqual(keep.source_labels, ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"]);
                const targets = job.relabel_configs.map((r: any) => r.target_label);
                assert.ok(targets.includes("__metrics_path__") && targets.includes("__address__"));
            });

            it("Alertmanager replicas and storage follow the profile, configuration from the program's Secret", () => {
                const spec = v.alertmanager.alertmanagerSpec;
                assert.strictEqual(spec.replicas, s.metrics.alertmanager.replicas);
                assert.strictEqual(spec.storage.volumeClaimTemplate.spec.resources.requests.storage, s.metrics.alertmanager.storageSize);
                assert.strictEqual(spec.useExistingSecret, true);
                assert.strictEqual(spec.configSecret, "am");
                assert.strictEqual(v.alertmanager.config, undefined, "no configuration in chart values");
            });

            it("Grafana's admin password comes from an existing Secret, and no chart hook is needed", () => {
                assert.strictEqual(v.grafana.admin.existingSecret, "ga");
                assert.strictEqual(v.grafana.adminPassword, undefined);
                assert.strictEqual(v.grafana.testFramework.enabled, false);
                assert.deepStrictEqual(v.prometheusOperator.admissionWebhooks.certManager, { enabled: true });
                assert.strictEqual(v.prometheusOperator.admissionWebhooks.patch.enabled, false);
            });
        });
    }

    it("prod retains Prometheus and Alertmanager volumes; dev does not", () => {
        assert.deepStrictEqual(valuesFor("prod").prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        assert.strictEqual(valuesFor("dev").prometheus.prometheusSpec.persistentVolumeClaimRetentionPolicy, undefined);
    });

    it("prod runs at least two Prometheus and three Alertmanager replicas", () => {
        const v = valuesFor("prod");
        assert.ok(v.prometheus.prometheusSpec.replicas >= 2);
        assert.strictEqual(v.alertmanager.alertmanagerSpec.replicas, 3);
    });

    it("without cert-manager the admission webhook is off rather than waiting for hook Jobs", () => {
        const hooks = valuesFor("dev", { certManager: false }).prometheusOperator.admissionWebhooks;
        assert.strictEqual(hooks.enabled, false);
    });

    it("uses the configured StorageClass for every volume", () => {
        const v = valuesFor("dev", { storageClassName: "fast-ssd" });
        assert.strictEqual(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, "fast-ssd");
        assert.strictEqual(v.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName, "fast-ssd");
        assert.strictEqual(v.grafana.persistence.storageClassName, "fast-ssd");
    });

    it("links Grafana's traces to logs and metrics when both exist", () => {
        const v = valuesFor("staging", {
            logs: { url: "https://logs-es-http.logging.svc:9200", username: "grafana", passwordSecret: "p", caSecret: "ca", indexPattern: "kubernetes-logs-*" },
            traces: { url: "http://jaeger.tracing.svc:16686" },
        });
        const byUid = Object.fromEntries(v.grafana.additionalDataSources.map((d: any) => [d.uid, d]));
        assert.strictEqual(byUid.jaeger.jsonData.tracesToLogsV2.datasourceUid, "logs");
        assert.strictEqual(byUid.jaeger.jsonData.tracesToMetrics.datasourceUid, "prometheus");
        assert.strictEqual(byUid.logs.secureJsonData.basicAuthPassword, "$__env{GF_LOGS_PASSWORD}");
        assert.deepStrictEqual(v.grafana.envValueFrom.GF_LOGS_PASSWORD, { secretKeyRef: { name: "p", key: "password" } });
        assert.deepStrictEqual(byUid.prometheus.jsonData.exemplarTraceIdDestinations, [{ datasourceUid: "jaeger", name: "trace_id" }]);
    });

    it("the protect transform guards CRDs and stateful objects and leaves the rest alone", () => {
        const t = (type: string) => protectStatefulTransform({ type, props: {}, opts: {} });
        assert.deepStrictEqual(t("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")?.opts, { protect: true, retainOnDelete: true });
        assert.deepStrictEqual(t("kubernetes:monitoring.coreos.com/v1:Prometheus")?.opts, { protect: true, retainOnDelete: true });
        assert.strictEqual(t("kubernetes:apps/v1:Deployment"), undefined);
    });

    describe("in the whole program", () => {
        it("installs the pinned chart in the monitoring namespace after its Secrets", async () => {
            const run = await stackRun("dev");
            const chart = run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack")!;
            assert.ok(chart, "the chart is registered");
            assert.strictEqual(chart.inputs.version, "88.5.3");
            assert.strictEqual(chart.inputs.namespace, "monitoring");
            const secrets = run.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && r.parent === chart.parent);
            assert.deepStrictEqual(secrets.map((s) => s.inputs.metadata.name).sort(), ["alertmanager-platform-config", "grafana-admin"]);
            for (const s of secrets) {
                assert.ok(chart.dependsOn.includes(s.urn), `chart waits for ${s.inputs.metadata.name}`);
                assert.ok(s.secretPaths.length > 0, `${s.inputs.metadata.name} is a Pulumi secret`);
            }
            const rule = run.resources.find((r) => r.inputs.kind === "PrometheusRule")!;
            assert.ok(rule.dependsOn.includes(chart.urn), "the rule waits for the chart's CRDs");
            const component = run.resources.find((r) => r.urn === chart.parent)!;
            const grafanaLogs = run.resources.find((r) => r.inputs.metadata?.name === "logs-grafana-credentials")!;
            assert.ok(component.dependsOn.includes(grafanaLogs.urn), "Grafana starts only once its Elasticsearch credentials exist");
            const crds = run.resources.find((r) => r.inputs.chart === "prometheus-operator-crds")!;
            assert.ok([crds.urn, crds.parent].some((u) => component.dependsOn.includes(u!)), "the CRDs are installed first");
        });

        it("delivers receiver credentials only inside the Alertmanager Secret", async () => {
            const run = await runProgram("prod", {
                config: {
                    "observability-platform:alerting": JSON.stringify({ receivers: [{ name: "pager", type: "pagerduty" }], criticalReceiver: "pager", defaultReceiver: "pager" }),
                    "observability-platform:alertingSecrets": JSON.stringify({ pager: `${MOCK_SECRET_PREFIX}pager` }),
                },
            });
            const holders = run.resources.filter((r) => JSON.stringify(r.inputs).includes(`${MOCK_SECRET_PREFIX}pager`));
            assert.deepStrictEqual(holders.map((r) => r.inputs.metadata?.name), ["alertmanager-platform-config"]);
            assert.deepStrictEqual(holders[0].secretPaths, [["stringData"]]);
        });
    });
});
