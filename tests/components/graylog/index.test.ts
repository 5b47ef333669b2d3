import * as assert from "assert";
import {
    DATANODE_POD_LABEL, externalInputManifests, GRAYLOG_POD_LABEL, GRAYLOG_SECRET, graylogChartTransform, publishByPodIp, graylogChecksums, graylogPdbs, graylogValues, INIT_RESOURCES,
    mongodbManifest, mongodbOperatorValues, mongodbUri,
} from "../../../components/graylog/values";
import { buildSettings, isConfigError, PlatformSettings } from "../../../components/settings";
import { AlertingSettings } from "../../../components/settings/profiles";
import { IMAGES } from "../../../components/shared/images";
import { profileConfig } from "../../helpers/settings";
import { MOCK_SECRET_PREFIX, RecordedResource, runProgram, valueAt } from "../../../scripts/mock-program";
import { stackRun } from "../../helpers/program";
import { assertKeptWithStore, storeSecrets } from "../../helpers/store-secrets";
import { renderRun } from "../../../scripts/render";
import { renderedStack } from "../../scripts/full-render";

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

    describe("spreading replicas", () => {
        const antiAffinity = (v: any, key: "graylog" | "datanode") => v[key].affinity.podAntiAffinity;

        it("prod requires Graylog and Data Node replicas on different nodes and prefers different zones", () => {
            const v = graylogValues(settingsFor("prod").graylog, undefined, undefined, { zoneAware: true }) as any;
            for (const [key, labels] of [["graylog", GRAYLOG_POD_LABEL], ["datanode", DATANODE_POD_LABEL]] as const) {
                const a = antiAffinity(v, key);
                assert.deepStrictEqual(a.requiredDuringSchedulingIgnoredDuringExecution, [{ labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" }]);
                assert.deepStrictEqual(a.preferredDuringSchedulingIgnoredDuringExecution, [{ weight: 100, podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: "topology.kubernetes.io/zone" } }]);
            }
        });

        it("other profiles prefer different nodes, so a small cluster still schedules every replica", () => {
            const v = graylogValues(settingsFor("staging").graylog) as any;
            for (const key of ["graylog", "datanode"] as const) {
                const a = antiAffinity(v, key);
                assert.strictEqual(a.requiredDuringSchedulingIgnoredDuringExecution, undefined);
                assert.strictEqual(a.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, "kubernetes.io/hostname");
            }
        });

        it("MongoDB members are spread the same way", () => {
            const g = settingsFor("prod").graylog;
            const pod = mongodbManifest("graylog", g, "7.0.25", undefined, true).spec.statefulSet.spec.template.spec;
            assert.deepStrictEqual(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels, { app: "graylog-mongodb-svc" });
        });

        it("the whole prod program spreads Graylog across zones and staging does not", async () => {
            const chartValues = async (stack: string) => (await stackRun(stack)).resources.find((r) => r.inputs.chart === "graylog")!.inputs.values;
            assert.ok((await chartValues("prod")).graylog.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution);
            assert.strictEqual((await chartValues("staging")).graylog.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, undefined);
        });
    });

    describe("boundaries", () => {
        const rejects = (graylog: Record<string, unknown>, key: RegExp) => {
            assert.throws(() => settingsFor("staging", { "observability-platform:graylog": JSON.stringify(graylog) }), (e: unknown) => isConfigError(e) && key.test((e as Error).message));
        };
        const accepts = (graylog: Record<string, unknown>) => settingsFor("staging", { "observability-platform:graylog": JSON.stringify(graylog) }).graylog;
        const pdbOwner = (g: PlatformSettings["graylog"], app: string) => {
            const v = graylogValues(g) as any;
            const chart = app === GRAYLOG_POD_LABEL.app ? v.graylog.podDisruptionBudget.enabled : v.datanode.podDisruptionBudget.enabled;
            const program = graylogPdbs("graylog", g).some((p) => p.spec.selector.matchLabels.app === app);
            assert.notStrictEqual(chart, program, "exactly one PDB");
            return chart ? "chart" : "program";
        };

        for (const [replicas, owner] of [[1, "program"], [2, "program"], [3, "chart"]] as const) {
            it(`Graylog replicas ${replicas}: the ${owner}'s PDB covers them (the chart renders one only above 2)`, () => {
                assert.strictEqual(pdbOwner(accepts({ replicas }), GRAYLOG_POD_LABEL.app), owner);
            });
        }
        for (const dataNodeReplicas of [1, 2, 3, 5]) {
            it(`Data Node replicas ${dataNodeReplicas}: the program's PDB covers them (the chart's, of the same name, stays off)`, () => {
                assert.strictEqual(pdbOwner(accepts({ dataNodeReplicas }), DATANODE_POD_LABEL.app), "program");
            });
        }
        for (const key of ["replicas", "dataNodeReplicas"]) {
            it(`${key}: 0 and 10 are refused, 1 and 9 accepted`, () => {
                rejects({ [key]: 0 }, new RegExp(`graylog\\.${key}`));
                rejects({ [key]: 10 }, new RegExp(`graylog\\.${key}`));
                assert.strictEqual((accepts({ [key]: 1 }) as any)[key], 1);
                assert.strictEqual((accepts({ [key]: 9 }) as any)[key], 9);
            });
        }
        it("mongodbMembers: 0, 2, 4 and 6 are refused; 1, 3 and 5 accepted", () => {
            for (const n of [0, 2, 4, 6]) {
                rejects({ mongodbMembers: n }, /graylog\.mongodbMembers: got \d; allowed: 1, 3 or 5/);
            }
            for (const n of [1, 3, 5]) {
                assert.strictEqual(accepts({ mongodbMembers: n }).mongodbMembers, n);
            }
        });
        it("the root password: 15 characters are refused, 16 and 17 accepted", () => {
            const build = (pw: string) => settingsFor("staging", { "observability-platform:graylogRootPassword": pw });
            assert.throws(() => build("x".repeat(15)), (e: unknown) => isConfigError(e) && /graylogRootPassword: .*at least 16 characters/.test((e as Error).message));
            assert.ok(build("x".repeat(16)).graylogRootPassword);
            assert.ok(build("x".repeat(17)).graylogRootPassword);
        });
        it("an external input needs sourceRanges; /32 is a range, /33 is not", () => {
            rejects({ inputs: { syslogTcp: true } }, /graylog\.inputs\.sourceRanges: is empty with an external input on/);
            rejects({ inputs: { beats: true, sourceRanges: [] } }, /graylog\.inputs\.sourceRanges/);
            rejects({ inputs: { beats: true, sourceRanges: ["203.0.113.7/33"] } }, /graylog\.inputs\.sourceRanges\[0\]: got "203\.0\.113\.7\/33"; allowed: an IPv4 CIDR/);
            assert.deepStrictEqual(accepts({ inputs: { beats: true, sourceRanges: ["203.0.113.7/32"] } }).inputs.sourceRanges, ["203.0.113.7/32"]);
            assert.strictEqual(accepts({ inputs: { sourceRanges: [] } }).inputs.beats, false, "both inputs off by default");
        });
    });

    describe("pinned images", () => {
        it("runs Graylog and the Data Node at one exact patch release, the images Renovate watches", () => {
            const v = graylogValues(settingsFor("staging").graylog) as any;
            assert.strictEqual(`${v.graylog.image.repository}:${v.graylog.image.tag}`, IMAGES.graylog);
            assert.strictEqual(`${v.datanode.image.repository}:${v.datanode.image.tag}`, IMAGES.graylogDatanode);
            for (const image of [IMAGES.graylog, IMAGES.graylogDatanode]) {
                assert.match(image, /:\d+\.\d+\.\d+$/);
            }
            assert.strictEqual(IMAGES.graylog.split(":")[1], IMAGES.graylogDatanode.split(":")[1], "server and Data Node at the same version");
        });
    });

    describe("external inputs", () => {
        const on = settingsFor("staging", { "observability-platform:graylog": JSON.stringify({ inputs: { syslogTcp: true, beats: true, sourceRanges: ["203.0.113.0/24"] } }) }).graylog;

        it("are off by default: the chart exposes only GELF and nothing else is made", () => {
            const g = settingsFor("staging").graylog;
            assert.deepStrictEqual((graylogValues(g) as any).graylog.inputs.map((i: any) => i.port), [12201]);
            assert.deepStrictEqual(externalInputManifests("graylog", g, true), []);
        });

        it("add their ports to the chart's Service and containers", () => {
            assert.deepStrictEqual((graylogValues(on) as any).graylog.inputs, [
                { name: "input-gelf", port: 12201, targetPort: 12201, protocol: "TCP" },
                { name: "input-syslog", port: 1514, targetPort: 1514, protocol: "TCP" },
                { name: "input-beats", port: 5044, targetPort: 5044, protocol: "TCP" },
            ]);
        });

        it("get a LoadBalancer limited to the source ranges that keeps client addresses", () => {
            const svc = externalInputManifests("graylog", on, true).find((o) => o.kind === "Service")!;
            assert.strictEqual(svc.spec.type, "LoadBalancer");
            assert.strictEqual(svc.spec.externalTrafficPolicy, "Local");
            assert.deepStrictEqual(svc.spec.loadBalancerSourceRanges, ["203.0.113.0/24"]);
            assert.deepStrictEqual(svc.spec.selector, GRAYLOG_POD_LABEL);
            assert.deepStrictEqual(svc.spec.ports.map((p: any) => p.port), [1514, 5044]);
        });

        it("get a NetworkPolicy that admits their ports from the source ranges alone (the platform's paths admit the rest)", () => {
            const np = externalInputManifests("graylog", on, true).find((o) => o.kind === "NetworkPolicy")!;
            assert.deepStrictEqual(np.spec.podSelector.matchLabels, GRAYLOG_POD_LABEL);
            assert.deepStrictEqual(np.spec.ingress, [{
                from: [{ ipBlock: { cidr: "203.0.113.0/24" } }],
                ports: [{ protocol: "TCP", port: 1514 }, { protocol: "TCP", port: 5044 }],
            }]);
        });

        it("get no NetworkPolicy when the stack turns NetworkPolicies off", () => {
            assert.deepStrictEqual(externalInputManifests("graylog", on, false).map((o) => o.kind), ["Service"]);
        });
    });

    describe("email through Graylog's SMTP transport", () => {
        const alerting: AlertingSettings = {
            receivers: [{ name: "ops-mail", type: "email", to: "ops@example.com" }],
            smtp: { smarthost: "smtp.example.com:587", from: "graylog@example.com", username: "graylog", requireTls: true },
            groupWait: "30s", groupInterval: "5m", repeatInterval: "4h",
        };
        const g = settingsFor("staging").graylog;

        it("is on with an email receiver, from alerting.smtp, and the password stays out of the values", () => {
            const v = graylogValues(g, undefined, "https://graylog.example.com", { alerting }) as any;
            assert.deepStrictEqual(v.graylog.config.email, {
                enabled: "true", senderAddress: "graylog@example.com", hostname: "smtp.example.com", port: "587",
                useAuth: "true", useTls: "true", useSsl: "false", webInterfaceUrl: "https://graylog.example.com",
            });
            assert.strictEqual(v.graylog.env.GRAYLOG_TRANSPORT_EMAIL_AUTH_USERNAME, "graylog");
            assert.ok(!JSON.stringify(v).includes("PASSWORD\""));
        });

        it("port 465 speaks TLS from the start", () => {
            const v = graylogValues(g, undefined, undefined, { alerting: { ...alerting, smtp: { ...alerting.smtp!, smarthost: "smtp.example.com:465" } } }) as any;
            assert.strictEqual(v.graylog.config.email.useSsl, "true");
            assert.strictEqual(v.graylog.config.email.useTls, "false");
        });

        it("is off without an email receiver", () => {
            const v = graylogValues(g, undefined, undefined, { alerting: { ...alerting, receivers: [] } }) as any;
            assert.deepStrictEqual(v.graylog.config.email, { enabled: "false" });
            assert.strictEqual(v.graylog.env.GRAYLOG_TRANSPORT_EMAIL_AUTH_USERNAME, undefined);
        });
    });

    describe("the chart transform", () => {
        const transform = graylogChartTransform({ graylog: "abc", datanode: "def" });
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

        it("adds no init container to the Data Node: node tuning raises vm.max_map_count, so nothing here is privileged", () => {
            assert.strictEqual(transform(statefulSet("graylog-datanode"))!.props.spec.template.spec.initContainers, undefined);
            assert.strictEqual(transform(statefulSet("graylog-app"))!.props.spec.template.spec.initContainers, undefined);
        });

        it("gives the chart's init containers requests and limits, and keeps any they already have", () => {
            const sts = statefulSet("graylog-app");
            (sts.props.spec.template.spec as any).initContainers = [{ name: "copy-data" }, { name: "copy-plugin-x", resources: { requests: { cpu: "5m", memory: "8Mi" } } }];
            const inits = transform(sts)!.props.spec.template.spec.initContainers;
            assert.deepStrictEqual(inits[0].resources, INIT_RESOURCES);
            assert.deepStrictEqual(inits[1].resources, { requests: { cpu: "5m", memory: "8Mi" } });
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

        it("has each Graylog node publish its pod IP, since its name under the chart's ClusterIP Service resolves nowhere", () => {
            const chartEnv = [
                { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                { name: "GRAYLOG_HTTP_PUBLISH_URI", value: "http://$(POD_NAME).graylog-svc.graylog.svc.cluster.local:9000/" },
                { name: "GRAYLOG_ROOT_USERNAME", value: "admin" },
            ];
            assert.deepStrictEqual(publishByPodIp(chartEnv).map((e) => [e.name, e.value ?? e.valueFrom.fieldRef.fieldPath]), [
                ["POD_NAME", "metadata.name"],
                ["GRAYLOG_POD_IP", "status.podIP"],
                ["GRAYLOG_HTTP_PUBLISH_URI", "http://$(GRAYLOG_POD_IP):9000/"],
                ["GRAYLOG_ROOT_USERNAME", "admin"],
            ]);
            assert.strictEqual(publishByPodIp([{ name: "X", value: "1" }]).length, 1, "a container without the variable is left alone");
            assert.throws(() => publishByPodIp([{ name: "GRAYLOG_HTTP_PUBLISH_URI", value: "http://graylog:9000/" }]), /not the \$\(POD_NAME\) form .*charts\.ts/);
        });

        it("the rendered Graylog StatefulSet publishes by pod IP in every stack with Graylog", async () => {
            for (const stack of ["staging", "prod"]) {
                const { objects } = await renderedStack(stack);
                const sts = objects.map((o) => o.object).find((o) => o.kind === "StatefulSet" && o.metadata.name === "graylog")!;
                const env: Array<Record<string, any>> = sts.spec.template.spec.containers.find((c: any) => c.name === "graylog-app").env;
                assert.strictEqual(env.find((e) => e.name === "GRAYLOG_HTTP_PUBLISH_URI")!.value, "http://$(GRAYLOG_POD_IP):9000/", stack);
                assert.ok(env.findIndex((e) => e.name === "GRAYLOG_POD_IP") < env.findIndex((e) => e.name === "GRAYLOG_HTTP_PUBLISH_URI"), "defined before it is referenced");
            }
        });
    });

    describe("day two", () => {
        const g = settingsFor("prod").graylog;
        const transform = graylogChartTransform({ graylog: "abc", datanode: "def" });
        const sts = (app: string) => ({
            type: "kubernetes:apps/v1:StatefulSet",
            props: { spec: { template: { metadata: { labels: { app } }, spec: { containers: [{ name: app }] } } } },
            opts: { ignoreChanges: ["metadata.labels"] },
        });

        it("gives each StatefulSet the checksum of its own configuration", () => {
            assert.strictEqual(transform(sts("graylog-app"))!.props.spec.template.metadata.annotations["checksum/config"], "abc");
            assert.strictEqual(transform(sts("graylog-datanode"))!.props.spec.template.metadata.annotations["checksum/config"], "def");
        });

        it("rolls no Data Node when only a Graylog setting changes", () => {
            const before = graylogChecksums(graylogValues(g));
            const after = graylogChecksums(graylogValues({ ...g, replicas: g.replicas + 1, resources: { ...g.resources, limits: { ...g.resources.limits, memory: "4Gi" } } }));
            assert.notStrictEqual(after.graylog, before.graylog);
            assert.strictEqual(after.datanode, before.datanode);
        });

        it("rolls the Data Nodes when their heap changes", () => {
            const before = graylogChecksums(graylogValues(g));
            const after = graylogChecksums(graylogValues({ ...g, dataNodeResources: { ...g.dataNodeResources, limits: { ...g.dataNodeResources.limits, memory: "8Gi" } } }));
            assert.notStrictEqual(after.datanode, before.datanode);
        });

        it("keeps both StatefulSets when a storage change reaches their claim templates (ignoreChanges), and keeps the options it was given", () => {
            for (const app of ["graylog-app", "graylog-datanode"]) {
                assert.deepStrictEqual(transform(sts(app))!.opts.ignoreChanges, ["metadata.labels", "spec.volumeClaimTemplates"]);
            }
        });

        it("keeps one replica of every index from the first start where there is a second Data Node", () => {
            assert.strictEqual((graylogValues(g) as any).graylog.env.GRAYLOG_ELASTICSEARCH_REPLICAS, "1");
            assert.strictEqual((graylogValues({ ...g, dataNodeReplicas: 1 }) as any).graylog.env.GRAYLOG_ELASTICSEARCH_REPLICAS, "0");
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

        it("the operator watches only MongoDBCommunity in its own namespace, with no cluster-wide roles, and sends no telemetry", () => {
            const op = mongodbOperatorValues() as any;
            assert.deepStrictEqual(op.operator.watchedResources, ["mongodbcommunity"]);
            assert.strictEqual(op.operator.watchNamespace, undefined, "unset: WATCH_NAMESPACE is the operator's namespace and its RBAC a Role");
            assert.strictEqual(op.operator.enableClusterMongoDBRoles, false);
            assert.strictEqual(op.operator.telemetry.enabled, false);
        });
    });

    describe("in the whole program", () => {
        it("staging installs the pinned charts and keeps every credential in a secret Secret", async () => {
            const run = await stackRun("staging");
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
            const run = await stackRun("staging");
            const cm = run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "fluent-bit-config")!;
            const conf: string = Object.values<string>(cm.inputs.data).join("\n");
            assert.match(conf, /Name\s+gelf/);
            assert.match(conf, /Host\s+graylog-svc\.graylog\.svc/);
            assert.match(conf, /Port\s+12201/);
        });

        it("Fluent Bit gives GELF a numeric level from the application's level, so the severity streams match", async () => {
            const run = await stackRun("staging");
            const cm = run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "fluent-bit-config")!;
            const conf: string = Object.values<string>(cm.inputs.data).join("\n");
            assert.match(conf, /Gelf_Level_Key\s+gelf_level/);
            assert.match(conf, /Condition\s+Key_value_matches level \/\^\(err\|error\)\$\/i\n\s+Set\s+gelf_level 3/);
            assert.match(conf, /Condition\s+Key_value_matches level \/\^\(warn\|warning\)\$\/i\n\s+Set\s+gelf_level 4/);
            // The filters run before the outputs whatever their place in the file, but must follow the kubernetes filter (Merge_Log).
            assert.ok(conf.search(/Name\s+kubernetes/) < conf.indexOf("Key_value_matches"));
        });

        it("uses the stack's root password when one is set", async () => {
            const run = await runProgram("staging", { config: { "observability-platform:graylogRootPassword": "a-long-enough-admin-password" } });
            const root = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "graylog-root")!;
            assert.strictEqual(root.inputs.stringData.password, "a-long-enough-admin-password");
            assert.ok(secretAt(root, "password"));
            assert.strictEqual(run.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.endsWith("root-password")), undefined);
        });

        it("hands the receivers' credentials to Graylog only inside secret Secrets", async () => {
            const run = await runProgram("staging", {
                config: {
                    "observability-platform:alerting": JSON.stringify({
                        receivers: [{ name: "mail", type: "email", to: "ops@example.com" }, { name: "hook", type: "webhook" }],
                        defaultReceiver: "hook",
                        smtp: { smarthost: "smtp.example.com:587", from: "graylog@example.com", username: "graylog" },
                    }),
                    "observability-platform:alertingSecrets": JSON.stringify({ mail: "smtp-password-1234", hook: "https://hooks.example.com/x" }),
                },
            });
            const notifications = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "graylog-notifications")!;
            assert.ok(notifications.secretPaths.some((p) => p.join(".") === "stringData" || p.join(".").startsWith("stringData")), "the webhook URL is a Pulumi secret");
            assert.deepStrictEqual(Object.keys(notifications.inputs.stringData), ["hook"], "only what the Job reads from files");
            const secrets = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "graylog-secrets")!;
            assert.ok(secretAt(secrets, "GRAYLOG_TRANSPORT_EMAIL_AUTH_PASSWORD"), "the SMTP password is a Pulumi secret");
            const chart = run.resources.find((r) => r.inputs.chart === "graylog")!;
            assert.strictEqual(chart.inputs.values.graylog.config.email.enabled, "true");
            const job = run.resources.find((r) => r.inputs.kind === "Job" && r.inputs.metadata.name.startsWith("graylog-setup-"))!;
            assert.ok(job.dependsOn.includes(notifications.urn), "the Job waits for its credentials");
            const script = run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "graylog-setup")!.inputs.data["setup.sh"];
            assert.ok(!script.includes("hooks.example.com") && !script.includes("smtp-password"), "no credential in the script");
        });

        describe("the setup Job's name", () => {
            /** Staging with a webhook receiver whose URL (the credential) the Job reads from the notifications Secret. */
            const withHook = (url: string) => runProgram("staging", {
                config: {
                    "observability-platform:alerting": JSON.stringify({ receivers: [{ name: "hook", type: "webhook" }], defaultReceiver: "hook" }),
                    "observability-platform:alertingSecrets": JSON.stringify({ hook: url }),
                },
            });
            const jobOf = (run: { resources: readonly RecordedResource[] }) => run.resources.find((r) => r.inputs.kind === "Job" && r.inputs.metadata.name.startsWith("graylog-setup-"))!;
            const FIRST = `${MOCK_SECRET_PREFIX}https://hooks.example.com/first-token`;
            const ROTATED = `${MOCK_SECRET_PREFIX}https://hooks.example.com/rotated-token`;

            it("changes when a receiver's credential is rotated, so the Job runs again and applies it", async () => {
                const [first, rotated] = [jobOf(await withHook(FIRST)), jobOf(await withHook(ROTATED))];
                assert.notStrictEqual(rotated.inputs.metadata.name, first.inputs.metadata.name);
            });

            it("stays the same when nothing changes", async () => {
                const [a, b] = [jobOf(await withHook(FIRST)), jobOf(await withHook(FIRST))];
                assert.strictEqual(b.inputs.metadata.name, a.inputs.metadata.name);
            });

            it("is a plain, non-secret name that contains no credential, and the render shows no credential anywhere", async () => {
                const run = await withHook(FIRST);
                const job = jobOf(run);
                assert.match(job.inputs.metadata.name, /^graylog-setup-[0-9a-f]{10}$/);
                assert.deepStrictEqual(job.secretPaths, [], "the Job's inputs hold no secret");
                assert.ok(!JSON.stringify(job.inputs).includes(MOCK_SECRET_PREFIX), "no credential in the Job");
                const rendered = await renderRun(run);
                const all = rendered.files.map((f) => f.content).join("\n");
                assert.ok(all.includes(job.inputs.metadata.name), "the render names the Job by its real name");
                assert.ok(!all.includes(MOCK_SECRET_PREFIX) && !all.includes("first-token"), "a credential reached the rendered output");
            });
        });

        it("prod protects the MongoDB replica set", async () => {
            const run = await stackRun("prod");
            const mongo = run.resources.find((r) => r.inputs.kind === "MongoDBCommunity")!;
            assert.ok(mongo.protect && mongo.retainOnDelete);
        });

        // Issue 25, item 4: a rebuild (`destroy --exclude-protected`, then `up`) around a retained
        // MongoDB keeps the pepper (password_secret), the MongoDB users' passwords and the Secrets
        // that hold them: a new pepper makes every encrypted value in the database unreadable.
        for (const profile of ["dev", "staging", "prod"]) {
            it(`${profile}: the pepper, the MongoDB passwords and their Secrets are protected and retained as MongoDB is`, async () => {
                const run = profile === "dev"
                    ? await runProgram("dev", { config: { "observability-platform:graylog": JSON.stringify({ enabled: true }) } })
                    : await stackRun(profile);
                const mongo = run.resources.find((r) => r.inputs.kind === "MongoDBCommunity")!;
                const refs = (mongo.inputs.spec.users as { passwordSecretRef: { name: string } }[]).map((u) => u.passwordSecretRef.name);
                // Graylog's own Secret: the pepper, and the URI with the graylog user's password.
                const kept = storeSecrets(run, mongo, [...new Set([...refs, GRAYLOG_SECRET])]);
                assert.deepStrictEqual(kept.passwords.map((r) => r.name).sort(), ["observability-graylog-mongodb-admin", "observability-graylog-mongodb-backup", "observability-graylog-mongodb-graylog", "observability-graylog-mongodb-metrics", "observability-graylog-password-secret"]);
                assertKeptWithStore(kept, profile === "prod");
            });
        }

        it("dev, with Graylog off, creates none of it", async () => {
            const run = await stackRun("dev");
            assert.strictEqual(run.resources.find((r) => r.type.startsWith("observability:graylog")), undefined);
        });
    });
});
