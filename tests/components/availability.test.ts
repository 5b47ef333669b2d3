/**
 * Availability across the whole program (issue 15 item 6, issue 16 item 3): every workload the
 * program runs with more than one replica keeps its replicas on different nodes (and prefers
 * different zones in prod), and every user-facing one has exactly one drain-safe PDB.
 */
import * as assert from "assert";
import { KIBANA_POD_LABELS } from "../../components/logs/elasticsearch";
import { JAEGER_POD_LABELS } from "../../components/traces/jaeger-values";
import { ProgramRun, RecordedResource } from "../../scripts/mock-program";
import { stackRun } from "../helpers/program";

const HOST = "kubernetes.io/hostname";
const ZONE = "topology.kubernetes.io/zone";

const constraintsOf = (spread: any[] | undefined) => (spread ?? []).map((c) => `${c.topologyKey} ${c.whenUnsatisfiable}`);
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

interface Workload { readonly name: string; readonly namespace: string; readonly replicas: number; readonly labels: Record<string, string>; readonly spread?: any[] }

/** Raw multi-replica workloads, Kibana, and the chart values that carry replicas and spread. */
function workloads(run: ProgramRun): Workload[] {
    const raw = run.resources.filter((r) => ["Deployment", "StatefulSet"].includes(r.inputs.kind)).map((r): Workload => ({
        name: `${r.inputs.kind}/${r.inputs.metadata.name}`,
        namespace: r.inputs.metadata.namespace,
        replicas: r.inputs.spec.replicas ?? 1,
        labels: r.inputs.spec.template.metadata?.labels ?? {},
        spread: r.inputs.spec.template.spec.topologySpreadConstraints,
    }));
    const kibana = run.resources.filter((r) => r.inputs.kind === "Kibana").map((r): Workload => ({
        name: "Kibana/logs", namespace: r.inputs.metadata.namespace, replicas: r.inputs.spec.count,
        labels: KIBANA_POD_LABELS, spread: r.inputs.spec.podTemplate.spec.topologySpreadConstraints,
    }));
    const chart = (name: string) => run.resources.find((r) => r.inputs.chart === name) as RecordedResource;
    const kps = chart("kube-prometheus-stack").inputs.values;
    const jaeger = chart("jaeger");
    return [
        ...raw, ...kibana,
        { name: "Prometheus", namespace: "monitoring", replicas: kps.prometheus.prometheusSpec.replicas, labels: {}, spread: kps.prometheus.prometheusSpec.topologySpreadConstraints },
        { name: "Alertmanager", namespace: "monitoring", replicas: kps.alertmanager.alertmanagerSpec.replicas, labels: {}, spread: kps.alertmanager.alertmanagerSpec.topologySpreadConstraints },
        { name: "Grafana", namespace: "monitoring", replicas: kps.grafana.replicas, labels: {}, spread: kps.grafana.topologySpreadConstraints },
        { name: "Jaeger", namespace: jaeger.inputs.namespace, replicas: jaeger.inputs.values.jaeger.replicas, labels: JAEGER_POD_LABELS, spread: jaeger.inputs.values.jaeger.topologySpreadConstraints },
    ];
}

describe("Availability", () => {
    for (const stack of ["staging", "prod"]) {
        describe(stack, () => {
            let run: ProgramRun;
            before(async function () {
                this.timeout(120_000);
                run = await stackRun(stack);
            });

            it("every multi-replica workload keeps its replicas on distinct nodes (Prometheus and Alertmanager, on zonal volumes, prefer it), and in prod prefers distinct zones", () => {
                const multi = workloads(run).filter((w) => w.replicas > 1);
                assert.ok(multi.length >= 3, "the stack has multi-replica workloads");
                for (const w of multi) {
                    // Replicas on volumes of their own may share a node rather than wait for a zone's only other one.
                    const nodes = ["Prometheus", "Alertmanager"].includes(w.name) ? "ScheduleAnyway" : "DoNotSchedule";
                    const expected = [`${HOST} ${nodes}`, ...(stack === "prod" ? [`${ZONE} ScheduleAnyway`] : [])];
                    assert.deepStrictEqual(constraintsOf(w.spread), expected, w.name);
                    for (const c of w.spread!) {
                        if (Object.keys(w.labels).length > 0) {
                            assert.ok(selects(c.labelSelector.matchLabels, w.labels), `${w.name}: the spread selects its own pods`);
                        }
                    }
                }
            });

            it("no pod of the program's workloads is covered by two of the program's PDBs, and user-facing replicas by one", () => {
                const pdbs = run.resources.filter((r) => r.inputs.kind === "PodDisruptionBudget");
                for (const w of workloads(run).filter((x) => Object.keys(x.labels).length > 0)) {
                    const covering = pdbs.filter((p) => p.inputs.metadata.namespace === w.namespace && selects(p.inputs.spec.selector.matchLabels ?? {}, w.labels));
                    assert.ok(covering.length <= 1, `${w.name} is covered by ${covering.map((p) => p.inputs.metadata.name)}`);
                    const userFacing = /^Deployment\/ui-gate-|^Kibana\/|^Jaeger$/.test(w.name);
                    if (userFacing && w.replicas > 1) {
                        assert.strictEqual(covering.length, 1, `${w.name} has a PDB`);
                        assert.strictEqual(covering[0].inputs.spec.maxUnavailable, 1);
                        assert.strictEqual(covering[0].inputs.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
                    }
                }
            });
        });
    }
});
