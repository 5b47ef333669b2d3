import * as assert from "assert";
import { GRAYLOG_COLD_START_SECONDS } from "../../../components/graylog";
import { graylogSetupJob, setupScript } from "../../../components/graylog/setup";
import { GRAYLOG_ROOT_SECRET } from "../../../components/graylog/values";
import { buildSettings } from "../../../components/settings";
import { profileConfig } from "../../helpers/settings";
import { mongodbLanded, slowStartTransform } from "../../../components/shared/await";
import { withInputsHash } from "../../../components/shared/workloads";
import { ProgramRun } from "../../../scripts/mock-program";
import { stackRun } from "../../helpers/program";

describe("Graylog: readiness and re-runs", () => {
    let run: ProgramRun;
    before(async () => { run = await stackRun("staging"); });
    const kind = (k: string) => run.resources.find((r) => r.inputs.kind === k && r.inputs.metadata?.namespace === "graylog")!;
    const chart = () => run.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "graylog")!;

    it("MongoDB is awaited until the operator reports the replica set Running at its version with every member, and the chart waits for it", () => {
        const mdb = kind("MongoDBCommunity").inputs;
        const annotations = mdb.metadata.annotations;
        assert.strictEqual(mdb.spec.members, 3, "staging's three members");
        assert.strictEqual(annotations["pulumi.com/waitFor"], mongodbLanded(mdb.spec.version, mdb.spec.members)["pulumi.com/waitFor"]);
        assert.strictEqual(annotations["pulumi.com/timeoutSeconds"], String(GRAYLOG_COLD_START_SECONDS));
        assert.ok(chart().dependsOn.includes(kind("MongoDBCommunity").urn));
    });

    it("the setup Job is named after its script and waits for the whole chart and the root Secret", () => {
        const job = kind("Job");
        const s = buildSettings({ stack: "staging", config: profileConfig("staging") });
        const script = setupScript({ namespace: "graylog", graylog: s.graylog, alerting: s.alerting });
        assert.strictEqual(job.inputs.metadata.name, withInputsHash(graylogSetupJob("graylog", "graylog-setup", GRAYLOG_ROOT_SECRET, s.alerting), { "setup.sh": script }).metadata.name);
        assert.match(job.inputs.metadata.name, /^graylog-setup-[0-9a-f]{10}$/);
        assert.ok(job.dependsOn.includes(chart().urn));
        assert.ok(job.dependsOn.includes(run.resources.find((r) => r.inputs.kind === "Secret" && r.inputs.metadata.name === "graylog-root")!.urn));
    });

    it("the chart's StatefulSets get a cold-start timeout, nothing else does", () => {
        const t = slowStartTransform(["StatefulSet"], GRAYLOG_COLD_START_SECONDS);
        const sts = t({ type: "kubernetes:apps/v1:StatefulSet", props: { metadata: { name: "graylog", annotations: { a: "b" } } }, opts: {} });
        assert.deepStrictEqual(sts?.props.metadata.annotations, { a: "b", "pulumi.com/timeoutSeconds": String(GRAYLOG_COLD_START_SECONDS) });
        assert.strictEqual(t({ type: "kubernetes:apps/v1:Deployment", props: { metadata: {} }, opts: {} }), undefined);
    });
});

describe("withInputsHash", () => {
    const job = { apiVersion: "batch/v1", kind: "Job", metadata: { name: "setup", namespace: "x" }, spec: { template: {} } };
    it("changes the Job's name when an input or the Job changes, and only then", () => {
        const a = withInputsHash(job, { "setup.sh": "one" });
        assert.match(a.metadata.name, /^setup-[0-9a-f]{10}$/);
        assert.strictEqual(withInputsHash(job, { "setup.sh": "one" }).metadata.name, a.metadata.name);
        assert.notStrictEqual(withInputsHash(job, { "setup.sh": "two" }).metadata.name, a.metadata.name);
        assert.notStrictEqual(withInputsHash({ ...job, spec: { template: { x: 1 } } }, { "setup.sh": "one" }).metadata.name, a.metadata.name);
        assert.strictEqual(a.metadata.namespace, "x");
    });
});
