/**
 * Issue 27, item 7: Graylog's MongoDB is watched like the other stores. Each member runs
 * mongodb_exporter beside mongod as a monitor-only user whose password the program generates and
 * keeps with the other MongoDB passwords; a PodMonitor the platform's Prometheus selects scrapes it.
 */
import * as assert from "assert";
import {
    MONGODB_EXPORTER_CONTAINER, MONGODB_EXPORTER_PORT, MONGODB_METRICS_USER, MONGODB_PASSWORDS_SECRET, graylogPdbs, mongodbManifest, mongodbPodMonitor,
} from "../../../components/graylog/values";
import { SCRAPE } from "../../../components/metrics/alert-rules";
import { monitoringValues } from "../../../components/metrics/values";
import { buildSettings } from "../../../components/settings";
import { IMAGES } from "../../../components/shared/images";
import { MOCK_SECRET_PREFIX } from "../../../scripts/mock-program";
import { renderRun } from "../../../scripts/render";
import { profileConfig } from "../../helpers/settings";
import { stackRun } from "../../helpers/program";

const settings = (profile: string) => buildSettings({ stack: profile, config: profileConfig(profile) });

describe("Graylog's MongoDB metrics", () => {
    const g = settings("prod").graylog;
    const m = mongodbManifest("graylog", g, "7.0.25");
    const containers: any[] = m.spec.statefulSet.spec.template.spec.containers;
    const exporter = containers.find((c) => c.name === "mongodb-exporter");
    const user = m.spec.users.find((u: any) => u.name === MONGODB_METRICS_USER);

    it("every member's pod runs mongodb_exporter beside mongod, reading it directly over loopback with the replica-set collector", () => {
        assert.deepStrictEqual(exporter, MONGODB_EXPORTER_CONTAINER);
        assert.deepStrictEqual(containers.map((c) => c.name), ["mongod", "mongodb-agent", "mongodb-exporter"]);
        assert.ok(exporter.args.includes("--mongodb.uri=mongodb://127.0.0.1:27017/admin"));
        assert.ok(exporter.args.includes("--mongodb.direct-connect"), "a member without a primary still answers");
        assert.ok(exporter.args.includes("--collector.replicasetstatus"), "member states and optimes");
    });

    it("runs a pinned exporter release with requests, limits and no privileges", () => {
        assert.match(IMAGES.mongodbExporter, /^percona\/mongodb_exporter:\d+\.\d+\.\d+$/);
        assert.ok(exporter.resources.requests.cpu && exporter.resources.requests.memory && exporter.resources.limits.cpu && exporter.resources.limits.memory);
        assert.deepStrictEqual(exporter.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    });

    it("reads as a user that may only monitor: clusterMonitor, and read on local", () => {
        assert.strictEqual(user.db, "admin");
        assert.deepStrictEqual(user.roles, [{ name: "clusterMonitor", db: "admin" }, { name: "read", db: "local" }]);
        assert.strictEqual(new Set(m.spec.users.map((u: any) => u.scramCredentialsSecretName)).size, m.spec.users.length, "each user its own SCRAM Secret");
    });

    it("takes that user's password only from the MongoDB passwords Secret, under the key the user is created with", () => {
        const env = Object.fromEntries(exporter.env.map((e: any) => [e.name, e]));
        assert.deepStrictEqual(env.MONGODB_USER, { name: "MONGODB_USER", value: MONGODB_METRICS_USER });
        assert.deepStrictEqual(env.MONGODB_PASSWORD.valueFrom.secretKeyRef, user.passwordSecretRef);
        assert.strictEqual(user.passwordSecretRef.name, MONGODB_PASSWORDS_SECRET);
        assert.strictEqual(env.MONGODB_PASSWORD.value, undefined);
        assert.ok(!exporter.args.some((a: string) => a.includes("@")), "no credential in the URI");
    });

    it("listens on a port of its own, not the MongoDB agent's 9216, and names it for the PodMonitor", () => {
        assert.notStrictEqual(MONGODB_EXPORTER_PORT, 9216);
        assert.deepStrictEqual(exporter.ports, [{ name: "metrics", containerPort: MONGODB_EXPORTER_PORT }]);
        assert.ok(exporter.args.includes(`--web.listen-address=:${MONGODB_EXPORTER_PORT}`));
        assert.deepStrictEqual(mongodbPodMonitor("graylog").spec.podMetricsEndpoints, [{ port: "metrics", interval: "30s" }]);
    });

    it("is scraped by a PodMonitor that selects exactly the members' pods, named as the alert rules expect", () => {
        const monitor = mongodbPodMonitor("graylog");
        const pdb = graylogPdbs("graylog", g).find((p) => p.metadata.name === "graylog-mongodb")!;
        assert.deepStrictEqual(monitor.spec.selector, pdb.spec.selector, "the pod labels the operator gives the members");
        assert.strictEqual(monitor.metadata.name, SCRAPE.mongodbPodMonitor, "the rules select job <namespace>/<PodMonitor>");
        assert.strictEqual(monitor.metadata.namespace, "graylog");
    });

    it("the platform's Prometheus selects PodMonitors in every namespace, with or without labels", () => {
        const v = monitoringValues({ metrics: settings("prod").metrics, protectData: true, certManager: true, alertmanagerConfigSecret: "a", grafanaAdminSecret: "g", namespace: "monitoring", agentNamespace: "node-agents", zoneAware: true }) as any;
        assert.strictEqual(v.prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues, false);
        assert.deepStrictEqual(v.prometheus.prometheusSpec.podMonitorNamespaceSelector, {});
    });

    describe("in the whole program", () => {
        it("staging declares the PodMonitor once the monitoring CRDs and MongoDB exist", async () => {
            const run = await stackRun("staging");
            const monitor = run.resources.find((r) => r.inputs.kind === "PodMonitor" && r.inputs.metadata.name === "graylog-mongodb");
            assert.ok(monitor, "the PodMonitor is declared");
            const mongo = run.resources.find((r) => r.inputs.kind === "MongoDBCommunity")!;
            assert.ok(monitor.dependsOn.includes(mongo.urn));
            assert.ok(run.resources.some((r) => monitor.dependsOn.includes(r.urn) && String(r.inputs.chart) === "prometheus-operator-crds"), "after the CRDs");
        });

        it("generates the metrics password into the MongoDB passwords Secret as a Pulumi secret, and the render never shows it", async () => {
            const run = await stackRun("staging");
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === MONGODB_PASSWORDS_SECRET)!;
            const password = run.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.endsWith("-mongodb-metrics"));
            assert.ok(password, "a generated password");
            assert.strictEqual(secret.inputs.stringData[MONGODB_METRICS_USER], `${MOCK_SECRET_PREFIX}random-${password.name}`);
            assert.ok(secret.secretPaths.some((p) => ["stringData", `stringData.${MONGODB_METRICS_USER}`].includes(p.join("."))), "a Pulumi secret");
            const rendered = (await renderRun(run)).files.map((f) => f.content).join("\n");
            assert.ok(!rendered.includes(`${MOCK_SECRET_PREFIX}random-${password.name}`), "the password reached the rendered output");
        });
    });
});
