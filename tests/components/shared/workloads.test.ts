import * as assert from "assert";
import { protectStatefulTransform, retainSharedCrdsTransform, setupJob } from "../../../components/shared/workloads";
import { CHART_TYPE, chartReleases, templateOnce } from "../../../scripts/chart-render";
import { chartDirectory } from "../../../scripts/charts";
import { chartChildren } from "../../helpers/chart-children";
import { ProgramRun, runProgram } from "../../../scripts/mock-program";
import { masked } from "../../../scripts/render";
import { stackRun } from "../../helpers/program";

const PROFILES = ["dev", "staging", "prod"] as const;
/** Charts whose CRDs other teams' objects depend on, and the CRDs each must hold at least. */
const SHARED_CRD_CHARTS = { "prometheus-operator-crds": 10, "mongodb-kubernetes": 1 } as const;

/** dev runs without Graylog, so its run turns Graylog on to install the MongoDB operator's chart. */
let devWithGraylog: Promise<ProgramRun> | undefined;
const runOf = (profile: typeof PROFILES[number]) => profile === "dev"
    ? (devWithGraylog ??= runProgram("dev", { config: { "observability-platform:graylog": JSON.stringify({ enabled: true }) } }))
    : stackRun(profile);

describe("shared CRDs", function () {
    this.timeout(300_000);

    it("the retain transform keeps every CRD on delete and leaves every other kind alone", () => {
        const t = (type: string, opts: Record<string, any> = {}) => retainSharedCrdsTransform({ type, props: { kind: "x" }, opts });
        assert.deepStrictEqual(t("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"), { props: { kind: "x" }, opts: { retainOnDelete: true } });
        assert.deepStrictEqual(t("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", { dependsOn: ["a"] })?.opts,
            { dependsOn: ["a"], retainOnDelete: true }, "keeps the options it is given");
        for (const type of ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:core/v1:ServiceAccount",
            "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "kubernetes:mongodbcommunity.mongodb.com/v1:MongoDBCommunity"]) {
            assert.strictEqual(t(type), undefined, type);
        }
        const both = protectStatefulTransform({ type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", props: {}, opts: t("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")!.opts });
        assert.deepStrictEqual(both?.opts, { protect: true, retainOnDelete: true }, "prod's protection composes with it");
    });

    it("ECK's CRDs keep themselves: each carries helm.sh/resource-policy: keep, which v4 Chart turns into retainOnDelete", async () => {
        const run = await stackRun("staging");
        const [release] = chartReleases(run.resources.filter((r) => r.type === CHART_TYPE && String(r.inputs.chart).includes("eck-operator")), masked, () => chartDirectory());
        const crds = (await templateOnce(release)).objects.filter((o) => o.kind === "CustomResourceDefinition");
        assert.ok(crds.length >= 5, `ECK renders ${crds.length} CRDs`);
        for (const crd of crds) {
            assert.strictEqual(crd.metadata.annotations?.["helm.sh/resource-policy"], "keep", crd.metadata.name);
        }
    });

    for (const profile of PROFILES) {
        for (const [chart, atLeast] of Object.entries(SHARED_CRD_CHARTS)) {
            it(`${profile}: every CRD of the ${chart} chart is retained on delete${profile === "prod" ? " and protected" : ", not protected"}; its other objects are not retained`, async () => {
                const children = await chartChildren(await runOf(profile), chart);
                // v4 Chart adds no options of its own only where the chart sets no Helm resource policy.
                for (const { object } of children) {
                    assert.strictEqual(object.metadata?.annotations?.["helm.sh/resource-policy"], undefined, `${chart} sets no Helm resource policy itself`);
                }
                const crds = children.filter((c) => c.object.kind === "CustomResourceDefinition");
                assert.ok(crds.length >= atLeast, `${chart} renders ${crds.length} CRDs`);
                for (const { object, opts } of crds) {
                    assert.strictEqual(opts.retainOnDelete, true, `${object.metadata.name} is retained`);
                    assert.strictEqual(opts.protect === true, profile === "prod", `${object.metadata.name}: protect only in prod`);
                }
                const others = children.filter((c) => c.object.kind !== "CustomResourceDefinition");
                if (chart === "mongodb-kubernetes") {
                    assert.ok(others.length > 0, "the operator chart has objects besides its CRDs");
                }
                for (const { object, opts } of others) {
                    // prod's protect transform retains stateful kinds; neither chart has one.
                    assert.strictEqual(opts.retainOnDelete, undefined, `${object.kind} ${object.metadata?.name} is not retained`);
                }
            });
        }
    }
});

describe("setup Jobs", () => {
    it("the Job builder asks the provider to replace a Job that is not complete, so a failed one runs again on the next up", () => {
        const job = setupJob({ name: "x-setup", namespace: "x", configMap: "x-setup", env: [] });
        assert.strictEqual(job.metadata.annotations?.["pulumi.com/replaceUnready"], "true");
        assert.strictEqual(job.metadata.name, "x-setup");
    });

    for (const profile of PROFILES) {
        it(`${profile}: every setup Job the program declares carries pulumi.com/replaceUnready "true"`, async () => {
            const run = await stackRun(profile);
            const jobs = run.resources.filter((r) => r.inputs.kind === "Job");
            const expected = profile === "dev" ? ["logging-setup"] : ["graylog-setup", "logging-setup"];
            assert.deepStrictEqual(jobs.map((j) => j.inputs.metadata.name.replace(/-[0-9a-f]{10}$/, "")).sort(), expected);
            for (const job of jobs) {
                assert.strictEqual(job.inputs.metadata.annotations?.["pulumi.com/replaceUnready"], "true", job.inputs.metadata.name);
            }
        });
    }
});
