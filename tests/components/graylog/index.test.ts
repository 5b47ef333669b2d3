import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
    DATANODE_POD_LABEL, gelfSetupJob, gelfSetupScript, GELF_INPUT_TITLE, GRAYLOG_POD_LABEL, graylogChartTransform, graylogPdbs,
    graylogValues, mongodbManifest, mongodbOperatorValues, mongodbUri,
} from "../../../components/graylog/values";
import { buildSettings, PlatformSettings } from "../../../components/settings";
import { profileConfig } from "../../helpers/settings";
import { MOCK_SECRET_PREFIX, RecordedResource, runProgram, valueAt } from "../../../scripts/mock-program";
import { tempDir } from "../../helpers/tools";

const PROFILES = ["dev", "staging", "prod"] as const;
/** Whether the value at `key` inside stringData is (within) a Pulumi secret. */
const secretAt = (r: RecordedResource, key: string) => r.secretPaths.some((p) => `stringData.${key}`.startsWith(p.join(".")));
const settingsFor = (profile: string, extra: Record<string, string> = {}): PlatformSettings =>
    buildSettings({ stack: profile, config: { ...profileConfig(profile), ...extra } });

/** What a PDB of the chart's (rendered above its replica threshold) or of the program's selects. */
function pdbSelectors(g: PlatformSettings["graylog"]): string[] {
    const v = graylogValues(g) as any;
    const fromChart = [
        ...(v.graylog.podDisruptionBudget.enabled ? [GRAYLOG_POD_LABEL.app] : []),
        ...(v.datanode.podDisruptionBudget.enabled ? [DATANODE_POD_LABEL.app] : []),
    ];
    return [...fromChart, ...graylogPdbs("graylog", g).map((p) => p.spec.selector.matchLabels.app)].sort();
}

describe("Graylog", () => {
    for (const profile of PROFILES) {
        describe(profile, () => {
            const g = settingsFor(profile, { "observability-platform:graylog": JSON.stringify({ enabled: true }) }).graylog;
            const v = graylogValues(g, "fast") as any;

            it(`runs ${g.replicas} Graylog, ${g.dataNodeReplicas} Data Node(s) and ${g.mongodbMembers} MongoDB member(s), open-source edition`, () => {
                assert.strictEqual(v.graylog.enterprise, false);
                assert.strictEqual(v.graylog.replicas, g.replicas);
                assert.strictEqual(v.datanode.replicas, g.dataNodeReplicas);
                assert.strictEqual(mongodbManifest("graylog", g, "7.0.25").spec.members, g.mongodbMembers);
                assert.strictEqual(mongodbManifest("graylog", g, "7.0.25").spec.arbiters, undefined, "every member bears data");
                assert.strictEqual(v.mongodb.communityResource.enabled, false, "MongoDB is the program's own resource");
            });

            it("every Graylog, Data Node and MongoDB pod is covered by exactly one PDB", () => {
                assert.deepStrictEqual(pdbSelectors(g), [DATANODE_POD_LABEL.app, GRAYLOG_POD_LABEL.app, "graylog-mongodb-svc"].sort());
            });

            it("the program's PDBs are drain-safe", () => {
                for (const pdb of graylogPdbs("graylog", g)) {
                    assert.strictEqual(pdb.spec.maxUnavailable, 1);
                    assert.strictEqual(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
                    assert.strictEqual(pdb.spec.minAvailable, undefined);
                }
            });

            it("hands the chart no secret and turns off everything that needs a Helm hook", () => {
                assert.strictEqual(v.global.existingSecretName, "graylog-secrets");
                assert.strictEqual(valueAt(v, ["graylog", "config", "rootPassword"]), undefined);
                assert.strictEqual(valueAt(v, ["graylog", "config", "customSecretPepper"]), undefined);
                assert.strictEqual(v.graylog.config.geolocation.enabled, false, "the GeoIP job is a post-install hook");
                assert.strictEqual(v.ingress.enabled, false, "the program makes its own ingress");
                assert.strictEqual(v.graylog.config.selfSignedStartup, "true", "no browser preflight blocks the setup Job");
            });

            it("sizes the JVMs inside their memory limits", () => {
                assert.match(v.graylog.config.serverJavaOpts, /^-Xms\d+m -Xmx\d+m$/);
                assert.deepStrictEqual(v.graylog.resources, { requests: g.resources.requests, limits: g.resources.limits });
                assert.deepStrictEqual(v.datanode.resources, { requests: g.dataNodeResources.requests, limits: g.dataNodeResources.limits });
                assert.strictEqual(v.graylog.persistence.size, g.storageSize);
                assert.strictEqual(v.datanode.persistence.data.size, g.storageSize);
                assert.strictEqual(v.global.storageClass, "fast");
            });

            it("exposes the GELF input and the Prometheus exporter on all interfaces", () => {
                assert.deepStrictEqual(v.graylog.inputs.map((i: any) => `${i.port}/${i.protocol}`), ["12201/TCP"]);
                assert.strictEqual(v.graylog.service.metrics.enabled, true);
                assert.strictEqual(v.graylog.env.GRAYLOG_PROMETHEUS_EXPORTER_BIND_ADDRESS, "0.0.0.0:9833");
            });
        });
    }

    it("prod runs three of everything", () => {
        const g = settingsFor("prod").graylog;
        assert.ok(g.enabled);
        assert.deepStrictEqual([g.replicas, g.dataNodeReplicas, g.mongodbMembers], [3, 3, 3]);
    });

    describe("the chart transform", () => {
        const transform = graylogChartTransform("abc");
        const statefulSet = (app: string) => ({
            type: "kubernetes:apps/v1:StatefulSet",
            props: {
                spec: {
                    template: {
                        metadata: { labels: { app }, annotations: { "checksum/config": "random1", "checksum/secret": "random2" } },
                        spec: { containers: [{ name: app }] },
                    },
                },
            },
            opts: {},
        });

        it("replaces the chart's random checksums with a stable one, so a second preview changes nothing", () => {
            const a = transform(statefulSet("graylog-app"))!.props.spec.template.metadata.annotations;
            const b = transform(statefulSet("graylog-app"))!.props.spec.template.metadata.annotations;
            assert.deepStrictEqual(a, { "checksum/config": "abc", "checksum/secret": "abc" });
            assert.deepStrictEqual(a, b);
        });

        it("raises vm.max_map_count before the Data Node starts, and only there", () => {
            const dataNode = transform(statefulSet("graylog-datanode"))!.props.spec.template.spec;
            assert.strictEqual(dataNode.initContainers[0].name, "sysctl");
            assert.match(dataNode.initContainers[0].command.join(" "), /vm\.max_map_count=262144/);
            assert.strictEqual(transform(statefulSet("graylog-app"))!.props.spec.template.spec.initContainers, undefined);
        });

        it("makes the chart's minAvailable PDBs drain-safe and keeps their selector", () => {
            const out = transform({
                type: "kubernetes:policy/v1:PodDisruptionBudget",
                props: { metadata: { name: "graylog-pdb" }, spec: { minAvailable: 2, selector: { matchLabels: { app: "graylog-app" } } } },
                opts: {},
            })!;
            assert.deepStrictEqual(out.props.spec, { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: { app: "graylog-app" } } });
        });

        it("leaves every other object alone", () => {
            assert.strictEqual(transform({ type: "kubernetes:core/v1:Service", props: { spec: {} }, opts: {} }), undefined);
        });
    });

    describe("MongoDB", () => {
        const g = settingsFor("prod").graylog;
        const m = mongodbManifest("graylog", g, "7.0.25", "fast");

        it("authenticates with SCRAM users whose passwords come from the program's Secret", () => {
            assert.deepStrictEqual(m.spec.security.authentication.modes, ["SCRAM"]);
            for (const user of m.spec.users) {
                assert.strictEqual(user.passwordSecretRef.name, "graylog-mongodb-passwords");
            }
            assert.deepStrictEqual(m.spec.users.find((u: any) => u.name === "graylog").roles.map((r: any) => r.db), ["graylog", "graylog"]);
        });

        it("stores data on the configured class and size", () => {
            const claims = m.spec.statefulSet.spec.volumeClaimTemplates;
            assert.strictEqual(claims[0].spec.resources.requests.storage, g.mongodbStorageSize);
            assert.ok(claims.every((c: any) => c.spec.storageClassName === "fast"));
        });

        it("the connection string names the replica set and escapes the password", () => {
            const uri = mongodbUri("graylog", "p@ss/word");
            assert.match(uri, /^mongodb:\/\/graylog:p%40ss%2Fword@graylog-mongodb-svc\.graylog\.svc\.cluster\.local:27017\/graylog\?/);
            assert.match(uri, /replicaSet=graylog-mongodb/);
        });

        it("the operator watches only MongoDBCommunity and sends no telemetry", () => {
            const op = mongodbOperatorValues() as any;
            assert.deepStrictEqual(op.operator.watchedResources, ["mongodbcommunity"]);
            assert.strictEqual(op.operator.telemetry.enabled, false);
        });
    });

    describe("the GELF input setup", () => {
        /** Runs the setup script against a fake curl that answers like Graylog's API. */
        function runSetup(existingInputs: string): { status: number; calls: string[] } {
            const dir = tempDir("gelf");
            const log = path.join(dir, "calls.log");
            fs.writeFileSync(path.join(dir, "curl"), [
                "#!/bin/sh",
                `echo "$*" >> ${log}`,
                'case "$*" in',
                "  *lbstatus*) echo ALIVE ;;",
                "  *'-X POST'*) echo '{\"id\":\"new\"}' ;;",
                `  *system/inputs*) printf '%s' '${existingInputs}' ;;`,
                "esac",
            ].join("\n"), { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "setup.sh"), gelfSetupScript("graylog"));
            const r = spawnSync("sh", [path.join(dir, "setup.sh")], {
                env: { PATH: `${dir}:${process.env.PATH}`, GRAYLOG_USER: "admin", GRAYLOG_PASSWORD: "pw" },
                encoding: "utf8",
            });
            return { status: r.status ?? -1, calls: fs.readFileSync(log, "utf8").trim().split("\n") };
        }

        it("creates the input when Graylog has none", () => {
            const { status, calls } = runSetup('{"inputs":[],"total":0}');
            assert.strictEqual(status, 0);
            const post = calls.find((c) => c.includes("-X POST"))!;
            assert.ok(post, "posted an input");
            assert.match(post, /org\.graylog2\.inputs\.gelf\.tcp\.GELFTCPInput/);
            assert.match(post, /"port":12201/);
            assert.match(post, /X-Requested-By/);
        });

        it("does nothing when the input already exists, so the Job can run again", () => {
            const { status, calls } = runSetup(`{"inputs":[{"title":"${GELF_INPUT_TITLE}","id":"x"}],"total":1}`);
            assert.strictEqual(status, 0);
            assert.strictEqual(calls.filter((c) => c.includes("-X POST")).length, 0);
        });

        it("reads the admin credentials from the root Secret, not from the manifest", () => {
            const job = gelfSetupJob("graylog", "graylog-setup");
            const env = job.spec.template.spec.containers[0].env;
            assert.deepStrictEqual(env.map((e: any) => e.valueFrom.secretKeyRef.name), ["graylog-root", "graylog-root"]);
            assert.ok(!JSON.stringify(job).includes("password\":\""), "no literal password");
        });
    });

    describe("in the whole program", () => {
        it("staging installs the pinned charts and keeps every credential in a secret Secret", async () => {
            const run = await runProgram("staging");
            const chart = run.resources.find((r) => r.inputs.chart === "graylog")!;
            assert.strictEqual(chart.inputs.version, "1.0.0");
            assert.strictEqual(chart.inputs.namespace, "graylog");
            assert.ok(!JSON.stringify(chart.inputs.values).includes(MOCK_SECRET_PREFIX), "no secret in chart values");
            const operator = run.resources.find((r) => r.inputs.chart === "mongodb-kubernetes")!;
            assert.strictEqual(operator.inputs.version, "1.9.1");
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "graylog-secrets")!;
            for (const key of ["GRAYLOG_MONGODB_URI", "GRAYLOG_PASSWORD_SECRET", "GRAYLOG_ROOT_PASSWORD_SHA2"]) {
                assert.ok(secretAt(secret, key), `${key} is a Pulumi secret`);
            }
            assert.match(secret.inputs.stringData.GRAYLOG_ROOT_PASSWORD_SHA2, /^[0-9a-f]{64}$/);
            assert.ok(chart.dependsOn.includes(secret.urn), "the chart waits for its Secret");
        });

        it("Fluent Bit sends GELF to the Graylog service when Graylog is on", async () => {
            const run = await runProgram("staging");
            const cm = run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "fluent-bit-config")!;
            const conf: string = Object.values<string>(cm.inputs.data).join("\n");
            assert.match(conf, /Name\s+gelf/);
            assert.match(conf, /Host\s+graylog-svc\.graylog\.svc/);
            assert.match(conf, /Port\s+12201/);
        });

        it("uses the stack's root password when one is set", async () => {
            const run = await runProgram("staging", { config: { "observability-platform:graylogRootPassword": "a-long-enough-admin-password" } });
            const root = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "graylog-root")!;
            assert.strictEqual(root.inputs.stringData.password, "a-long-enough-admin-password");
            assert.ok(secretAt(root, "password"));
            assert.strictEqual(run.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.endsWith("root-password")), undefined);
        });

        it("prod protects the MongoDB replica set", async () => {
            const run = await runProgram("prod");
            const mongo = run.resources.find((r) => r.inputs.kind === "MongoDBCommunity")!;
            assert.ok(mongo.protect && mongo.retainOnDelete);
        });

        it("dev, with Graylog off, creates none of it", async () => {
            const run = await runProgram("dev");
            assert.strictEqual(run.resources.find((r) => r.type.startsWith("observability:graylog")), undefined);
        });
    });
});
