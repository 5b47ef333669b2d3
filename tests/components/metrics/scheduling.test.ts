import * as assert from "assert";
import { settingsFor, valuesFor } from "./fixtures";
import {
    ALERTMANAGER_POD_LABELS, CONFIG_RELOADER_RESOURCES, GRAFANA_POD_LABELS, PROMETHEUS_POD_LABELS,
} from "../../../components/metrics/values";



const keys = (constraints: any[]) => constraints.map((c) => `${c.topologyKey} ${c.whenUnsatisfiable}`);

describe("Monitoring scheduling, requests and operator scope", () => {
    it("Prometheus and Alertmanager prefer distinct nodes, and distinct zones in prod; never required, since each replica's volume holds it to one zone", () => {
        const prod = valuesFor("prod");
        for (const [spec, labels] of [[prod.prometheus.prometheusSpec, PROMETHEUS_POD_LABELS], [prod.alertmanager.alertmanagerSpec, ALERTMANAGER_POD_LABELS]] as const) {
            assert.deepStrictEqual(keys(spec.topologySpreadConstraints), ["kubernetes.io/hostname ScheduleAnyway", "topology.kubernetes.io/zone ScheduleAnyway"]);
            for (const c of spec.topologySpreadConstraints) {
                assert.deepStrictEqual(c.labelSelector.matchLabels, labels);
                assert.strictEqual(c.maxSkew, 1);
            }
            assert.strictEqual(spec.topologySpreadConstraints[0].nodeTaintsPolicy, "Honor", "a cordoned node is not counted");
        }
        assert.deepStrictEqual(keys(valuesFor("staging").alertmanager.alertmanagerSpec.topologySpreadConstraints), ["kubernetes.io/hostname ScheduleAnyway"]);
    });

    it("selects the pods the operator labels for the chart's resource names", () => {
        assert.deepStrictEqual(PROMETHEUS_POD_LABELS, { "app.kubernetes.io/name": "prometheus", prometheus: "kps-prometheus" });
        assert.deepStrictEqual(ALERTMANAGER_POD_LABELS, { "app.kubernetes.io/name": "alertmanager", alertmanager: "kps-alertmanager" });
    });

    it("one Grafana gets no spread but the chart's drain-safe PDB (it mounts a PVC); two also spread", () => {
        const one = valuesFor("prod").grafana;
        assert.strictEqual(one.replicas, 1);
        assert.strictEqual(one.topologySpreadConstraints, undefined);
        assert.deepStrictEqual(one.podDisruptionBudget, { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
        const s = settingsFor("prod");
        const two = valuesFor("prod", {}, { grafana: { ...s.metrics.grafana, replicas: 2 } }).grafana;
        assert.deepStrictEqual(two.podDisruptionBudget, { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" });
        assert.deepStrictEqual(keys(two.topologySpreadConstraints), ["kubernetes.io/hostname DoNotSchedule", "topology.kubernetes.io/zone ScheduleAnyway"]);
        assert.deepStrictEqual(two.topologySpreadConstraints[0].labelSelector.matchLabels, GRAFANA_POD_LABELS);
    });

    it("the config-reloader containers and Grafana's sidecars request CPU and memory, with limits", () => {
        for (const profile of ["dev", "prod"]) {
            const v = valuesFor(profile);
            const reloader = v.prometheusOperator.prometheusConfigReloader.resources;
            assert.deepStrictEqual(reloader, CONFIG_RELOADER_RESOURCES);
            for (const r of [reloader, v.grafana.sidecar.resources]) {
                // The chart turns a missing value into `0`, which the operator reads as "unset".
                for (const side of [r.requests, r.limits]) {
                    assert.match(side.cpu, /^[1-9][0-9]*m$/);
                    assert.match(side.memory, /^[1-9][0-9]*Mi$/);
                }
            }
        }
    });

    it("keeps the operator's Prometheus, Alertmanager and ThanosRuler watches to the monitoring namespace, not its monitor watches", () => {
        const op = valuesFor("prod", { namespace: "obs-metrics" }).prometheusOperator;
        assert.deepStrictEqual(op.prometheusInstanceNamespaces, ["obs-metrics"]);
        assert.deepStrictEqual(op.alertmanagerInstanceNamespaces, ["obs-metrics"]);
        assert.deepStrictEqual(op.thanosRulerInstanceNamespaces, ["obs-metrics"]);
        assert.strictEqual(op.namespaces, undefined, "ServiceMonitors of every namespace stay visible");
        assert.strictEqual(op.denyNamespaces, undefined);
    });
});
