import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { admissionOrderingValues, admissionWebhookObjects, CA_INJECTED, mergeValues } from "../../../components/metrics/admission";
import { ADMISSION_WEBHOOK_POD_LABELS, MONITORING_RELEASE } from "../../../components/metrics/values";
import { CHARTS } from "../../../components/shared/charts";
import { ProgramRun, runProgram } from "../../../scripts/mock-program";
import { templateFiles, unpackChart } from "../../helpers/chart-archive";
import { stackRun } from "../../helpers/program";

const kps = (run: ProgramRun) => run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.name.endsWith("-kps"))!;

describe("Monitoring: the admission webhook answers before any PrometheusRule is created", () => {
    describe("in the pinned kube-prometheus-stack chart", () => {
        let root: string;
        before(() => { root = unpackChart(CHARTS.kubePrometheusStack); });
        const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

        it("every PrometheusRule template but additionalPrometheusRules carries defaultRules.annotations", () => {
            const rules = templateFiles(root).filter((f) => /kind: PrometheusRule\b/.test(read(f)));
            assert.ok(rules.length > 30, `found ${rules.length} rule templates`);
            const without = rules.filter((f) => !read(f).includes(".Values.defaultRules.annotations"));
            assert.deepStrictEqual(without, ["templates/prometheus/additionalPrometheusRules.yaml"]);
        });

        it("renders the webhooks with failurePolicy Fail when patch is off and failurePolicy unset, and takes annotations on both configurations", () => {
            for (const kind of ["validating", "mutating"]) {
                const t = read(`templates/prometheus-operator/admission-webhooks/${kind}WebhookConfiguration.yaml`);
                assert.match(t, /name: +\{\{ template "kube-prometheus-stack.fullname" \. \}\}-admission/);
                assert.ok(t.includes(`.Values.prometheusOperator.admissionWebhooks.${kind}WebhookConfiguration.annotations`), kind);
                assert.match(t, /failurePolicy: Fail/, "the fallback when patch.enabled is false");
            }
        });

        it("names the webhook's Deployment and Service <fullname>-operator-webhook in the release namespace, and points both configurations at that Service", () => {
            for (const file of ["templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml", "templates/prometheus-operator/admission-webhooks/deployment/service.yaml"]) {
                assert.match(read(file), /metadata:\n  name: \{\{ template "kube-prometheus-stack.operator.fullname" \. \}\}-webhook\n  namespace: \{\{ template "kube-prometheus-stack.namespace" \. \}\}/, file);
            }
            assert.match(read("templates/_helpers.tpl"), /define "kube-prometheus-stack.operator.fullname"[\s\S]*?printf "%s-operator"/);
            for (const kind of ["validating", "mutating"]) {
                const t = read(`templates/prometheus-operator/admission-webhooks/${kind}WebhookConfiguration.yaml`);
                assert.ok(t.includes(`name: {{ template "kube-prometheus-stack.operator.fullname" $ }}{{ if .Values.prometheusOperator.admissionWebhooks.deployment.enabled }}-webhook{{ end }}`), kind);
            }
        });

        it("the webhook Deployment's PDB copies the values block and its pods carry the labels the program spreads by", () => {
            assert.match(read("templates/prometheus-operator/admission-webhooks/deployment/pdb.yaml"), /toYaml \(omit \.Values\.prometheusOperator\.admissionWebhooks\.deployment\.podDisruptionBudget "enabled"\)/);
            const deployment = read("templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml");
            assert.match(deployment, /template:\n    metadata:\n      labels:\n        app: \{\{ template "kube-prometheus-stack.name" \. \}\}-operator-webhook/);
            assert.match(read("templates/prometheus-operator/admission-webhooks/deployment/deployment.yaml"), /release: \{\{ \$\.Release\.Name \| quote \}\}/);
            assert.deepStrictEqual(ADMISSION_WEBHOOK_POD_LABELS, { app: "kube-prometheus-stack-operator-webhook", release: MONITORING_RELEASE });
        });
    });

    describe("in the program", () => {
        let run: ProgramRun;
        before(async () => { run = await stackRun("dev"); });

        it("the chart's rules depend on the webhook Deployment, its Service and both webhook configurations", () => {
            const values = kps(run).inputs.values;
            assert.strictEqual(values.fullnameOverride, MONITORING_RELEASE);
            assert.strictEqual(values.prometheusOperator.admissionWebhooks.deployment.enabled, true);
            assert.strictEqual(values.defaultRules.annotations["config.kubernetes.io/depends-on"], [
                `apps/namespaces/monitoring/Deployment/${MONITORING_RELEASE}-operator-webhook`,
                `/namespaces/monitoring/Service/${MONITORING_RELEASE}-operator-webhook`,
                `admissionregistration.k8s.io/ValidatingWebhookConfiguration/${MONITORING_RELEASE}-admission`,
                `admissionregistration.k8s.io/MutatingWebhookConfiguration/${MONITORING_RELEASE}-admission`,
            ].join(","));
            assert.strictEqual(values.additionalPrometheusRulesMap, undefined, "those rules would not carry the annotation");
        });

        it("both webhook configurations wait until cert-manager has injected the CA", () => {
            const hooks = kps(run).inputs.values.prometheusOperator.admissionWebhooks;
            assert.strictEqual(CA_INJECTED, "jsonpath={.webhooks[0].clientConfig.caBundle}");
            assert.strictEqual(hooks.validatingWebhookConfiguration.annotations["pulumi.com/waitFor"], CA_INJECTED);
            assert.strictEqual(hooks.mutatingWebhookConfiguration.annotations["pulumi.com/waitFor"], CA_INJECTED);
            assert.strictEqual(hooks.enabled, true, "merging keeps the chart values around the annotations");
            assert.deepStrictEqual(hooks.certManager, { enabled: true });
        });

        it("the platform's own rules wait for the whole chart", () => {
            const rules = run.resources.find((r) => r.inputs.kind === "PrometheusRule")!;
            assert.ok(rules.dependsOn.includes(kps(run).urn));
        });

        it("without cert-manager the webhook is off and no rule names it", async () => {
            const off = await runProgram("dev", { config: { "observability-platform:tls": JSON.stringify({ enabled: false }), "observability-platform:logging": JSON.stringify({ enabled: false }) } });
            const values = kps(off).inputs.values;
            assert.strictEqual(values.prometheusOperator.admissionWebhooks.enabled, false);
            assert.strictEqual(values.defaultRules.annotations, undefined);
        });
    });

    it("merging keeps sibling keys and replaces leaves", () => {
        assert.deepStrictEqual(mergeValues({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2], e: 3 } }), { a: { b: 1, c: [2], e: 3 }, d: 1 });
        assert.deepStrictEqual(Object.keys(admissionOrderingValues("x")), ["defaultRules", "prometheusOperator"]);
        assert.strictEqual(admissionWebhookObjects("x").length, 4);
    });
});
