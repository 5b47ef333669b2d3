import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dataView, elasticsearchManifest, ilmPolicy, kibanaManifest, setupScript } from "../../../components/logs/elasticsearch";
import { BUILTIN_MULTILINE_PARSERS, fluentBitSections, parserSections, renderSections } from "../../../components/logs/fluent-bit-config";
import { fluentBitDaemonSet } from "../../../components/logs/fluent-bit";
import { eckNodeReaderRbac, eckOperatorValues } from "../../../components/logs/values";
import { toMebibytes } from "../../../components/shared/quantity";
import { elasticsearchLanded, kibanaLanded } from "../../../components/shared/await";
import { buildSettings, PlatformSettings } from "../../../components/settings";
import { profileConfig } from "../../helpers/settings";
import { MOCK_SECRET_PREFIX, runProgram } from "../../../scripts/mock-program";
import { parseFluentBit, tagMatches } from "../../helpers/fluent-bit";
import { stackRun } from "../../helpers/program";
import { ROOT } from "../../../scripts/root";
import { assertKeptWithStore, storeSecrets } from "../../helpers/store-secrets";

const PROFILES = ["dev", "staging", "prod"] as const;
const settingsFor = (profile: string): PlatformSettings => buildSettings({ stack: profile, config: profileConfig(profile) });

function config(profile: string, graylog = settingsFor(profile).graylog.enabled) {
    const s = settingsFor(profile);
    return {
        main: renderSections(fluentBitSections({
            namespace: "logging",
            elasticsearch: { host: "logs-es-http.logging.svc", port: 9200, dataStream: "kubernetes-logs-fluentbit" },
            graylog: graylog ? { host: "graylog.graylog.svc", port: 12201 } : undefined,
            bufferLimitMb: toMebibytes(s.logging.fluentBit.bufferLimit),
        })),
        parsers: renderSections(parserSections()),
    };
}

describe("Logging", () => {
    for (const profile of PROFILES) {
        describe(`${profile}`, () => {
            const s = settingsFor(profile);
            const { main, parsers } = config(profile);
            const sections = parseFluentBit(main);
            const parserDefs = parseFluentBit(parsers);
            const of = (name: string) => sections.filter((x) => x.name === name);

            it("the Fluent Bit configuration parses and names only parsers it defines or Fluent Bit ships", () => {
                const defined = new Set(parserDefs.filter((p) => p.name === "PARSER").map((p) => p.entries.get("Name")));
                const multiline = new Set<string>([...BUILTIN_MULTILINE_PARSERS, ...parserDefs.filter((p) => p.name === "MULTILINE_PARSER").map((p) => p.entries.get("Name")!)]);
                for (const sec of sections) {
                    for (const name of (sec.entries.get("multiline.parser") ?? "").split(",").map((x) => x.trim()).filter(Boolean)) {
                        assert.ok(multiline.has(name), `unknown multiline parser ${name}`);
                    }
                    const parser = sec.entries.get("Parser");
                    assert.ok(!parser || defined.has(parser), `unknown parser ${parser}`);
                }
                assert.strictEqual(of("SERVICE")[0].entries.get("Parsers_File"), "/fluent-bit/etc/parsers.conf");
            });

            it("every output and filter matches records an input produces", () => {
                const tags = of("INPUT").map((i) => i.entries.get("Tag")!.replace("*", "var.log.containers.x.log"));
                for (const sec of [...of("FILTER"), ...of("OUTPUT")]) {
                    assert.ok(tags.some((t) => tagMatches(sec.entries.get("Match")!, t)), `${sec.entries.get("Name")} matches nothing`);
                }
            });

            it("tails container logs with the CRI multiline parser and keeps its own logs out", () => {
                const input = of("INPUT")[0].entries;
                assert.strictEqual(input.get("Path"), "/var/log/containers/*.log");
                assert.strictEqual(input.get("multiline.parser"), "cri, docker");
                assert.strictEqual(input.get("Exclude_Path"), "/var/log/containers/fluent-bit-*_logging_*.log");
                assert.strictEqual(input.get("storage.type"), "filesystem");
            });

            it("adds Kubernetes metadata with labels", () => {
                const k = of("FILTER").find((f) => f.entries.get("Name") === "kubernetes")!.entries;
                assert.strictEqual(k.get("Labels"), "On");
                assert.strictEqual(k.get("Merge_Log"), "On");
            });

            it("writes to Elasticsearch 8 without _type, over verified TLS, retrying forever within the buffer cap", () => {
                const es = of("OUTPUT").find((o) => o.entries.get("Name") === "es")!.entries;
                assert.strictEqual(es.get("Suppress_Type_Name"), "On");
                assert.strictEqual(es.get("Write_Operation"), "create");
                assert.strictEqual(es.get("Replace_Dots"), "On", "dots in label keys are made safe");
                assert.strictEqual(es.get("tls.verify"), "On");
                assert.strictEqual(es.get("tls.ca_file"), "/fluent-bit/tls/ca.crt");
                assert.strictEqual(es.get("Retry_Limit"), "no_limits");
                assert.strictEqual(es.get("storage.total_limit_size"), `${toMebibytes(s.logging.fluentBit.bufferLimit)}M`);
                assert.strictEqual(es.get("HTTP_Passwd"), "${ES_PASSWORD}", "the password comes from the environment");
            });

            it(`sends GELF to Graylog ${s.graylog.enabled ? "" : "only when Graylog is enabled"}`, () => {
                const gelf = of("OUTPUT").find((o) => o.entries.get("Name") === "gelf");
                assert.strictEqual(Boolean(gelf), s.graylog.enabled);
                if (gelf) {
                    assert.strictEqual(gelf.entries.get("Mode"), "tcp");
                    assert.strictEqual(gelf.entries.get("Retry_Limit"), "no_limits");
                }
            });

            it("the DaemonSet tolerates every taint, runs node-critical, sized per profile, with no more privilege than reading logs needs", () => {
                const ds = fluentBitDaemonSet({ namespace: "logging", resources: s.logging.fluentBit.resources, configMap: "c", credentialsSecret: "u", caSecret: "ca", configChecksum: "x" });
                const pod = ds.spec.template.spec;
                assert.deepStrictEqual(pod.tolerations, [{ operator: "Exists" }]);
                assert.strictEqual(pod.priorityClassName, "system-node-critical");
                const exprs = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
                assert.deepStrictEqual(exprs.map((e: any) => e.key), ["kubernetes.io/os", "type", "eks.amazonaws.com/compute-type"]);
                const c = pod.containers[0];
                assert.deepStrictEqual(c.resources, s.logging.fluentBit.resources);
                assert.deepStrictEqual(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } });
                assert.ok(c.volumeMounts.find((m: any) => m.mountPath === "/var/log").readOnly);
                assert.deepStrictEqual(pod.volumes.find((v: any) => v.name === "state").hostPath, { path: "/var/fluent-bit/state", type: "DirectoryOrCreate" });
                assert.strictEqual(c.readinessProbe.httpGet.path, "/api/v1/health", "output errors make the agent NotReady");
                assert.strictEqual(c.livenessProbe.httpGet.path, "/", "and never restart it");
                assert.ok(!c.env.some((e: any) => "value" in e && /pass/i.test(e.name)), "credentials only through secretKeyRef");
            });

            it("Elasticsearch follows the profile and keeps ECK's own PDB", () => {
                const es = elasticsearchManifest({ namespace: "logging", logging: s.logging, protectData: s.protectData, zoneAware: profile === "prod", httpCertificateSecret: "h", rolesSecret: "r" });
                const set = es.spec.nodeSets[0];
                assert.strictEqual(set.count, s.logging.elasticsearch.nodes);
                assert.strictEqual(es.spec.podDisruptionBudget, undefined, "ECK's default PDB stays on");
                assert.strictEqual(set.volumeClaimTemplates[0].spec.resources.requests.storage, s.logging.elasticsearch.storageSize);
                const heap = toMebibytes(s.logging.elasticsearch.heap);
                assert.strictEqual(set.podTemplate.spec.containers[0].env[0].value, `-Xms${heap}m -Xmx${heap}m`);
                assert.strictEqual(set.zoneAwareness, undefined, "ECK's zoneAwareness requires zone labels: opt-in only");
                assert.strictEqual(es.spec.volumeClaimDeletePolicy, s.protectData ? "DeleteOnScaledownOnly" : "DeleteOnScaledownAndClusterDeletion");
            });

            it("names the nodeSet from logging.elasticsearch.nodeSetName, and spreads the pods of that nodeSet", () => {
                const logging = { ...s.logging, elasticsearch: { ...s.logging.elasticsearch, nodeSetName: "fast" } };
                const set = elasticsearchManifest({ namespace: "logging", logging, protectData: s.protectData, zoneAware: true, httpCertificateSecret: "h", rolesSecret: "r" }).spec.nodeSets[0];
                assert.strictEqual(set.name, "fast");
                assert.strictEqual(set.podTemplate.spec.topologySpreadConstraints[0].labelSelector.matchLabels["elasticsearch.k8s.elastic.co/statefulset-name"], "logs-es-fast");
            });

            it("ILM deletes logs after the profile's retention", () => {
                const policy = ilmPolicy(s.logging.retentionDays) as any;
                assert.strictEqual(policy.policy.phases.delete.min_age, `${s.logging.retentionDays}d`);
                assert.ok(policy.policy.phases.hot.actions.rollover.max_age);
            });
        });
    }

    it("reads Docker-runtime logs: the directory /var/log/pods symlinks into is mounted read-only at the same path", () => {
        const pod = fluentBitDaemonSet({ namespace: "logging", resources: settingsFor("dev").logging.fluentBit.resources, configMap: "c", credentialsSecret: "u", caSecret: "ca", configChecksum: "x" }).spec.template.spec;
        const mount = pod.containers[0].volumeMounts.find((m: any) => m.mountPath === "/var/lib/docker/containers");
        assert.ok(mount?.readOnly, "mounted read-only");
        const volume = pod.volumes.find((v: any) => v.name === mount.name);
        // containerd and CRI-O nodes have no such directory: the pod must still start there.
        assert.deepStrictEqual(volume.hostPath, { path: "/var/lib/docker/containers", type: "DirectoryOrCreate" });
        assert.match(config("dev").main, /multiline\.parser\s+cri, docker/, "the docker parser is claimed only with its files readable");
    });

    it("prod runs at least three Elasticsearch nodes spread over zones", () => {
        const s = settingsFor("prod");
        assert.ok(s.logging.elasticsearch.nodes >= 3);
    });

    it("the setup Job's calls are idempotent: PUTs, and a data view with override", () => {
        const script = setupScript("logging");
        assert.match(script, /-X PUT "\$es\/_ilm\/policy\/kubernetes-logs"/);
        assert.match(script, /-X PUT "\$es\/_index_template\/kubernetes-logs"/);
        assert.strictEqual((dataView() as any).override, true);
        assert.doesNotMatch(script, /(^|\s)-k(\s|$)|--insecure/, "TLS is verified");
    });

    it("the ECK operator manages only the logging namespace with namespaced RBAC, and makes no PDB of its own", () => {
        const v = eckOperatorValues(settingsFor("dev").logging.operator.resources, "obs-logs") as any;
        assert.deepStrictEqual(v.managedNamespaces, ["obs-logs"]);
        assert.strictEqual(v.createClusterScopedResources, false);
        // eck-operator 3.5.0 validate-chart.yaml fails the render unless both are off.
        assert.strictEqual(v.webhook.enabled, false);
        assert.strictEqual(v.config.validateStorageClass, false);
        assert.strictEqual(v.installCRDs, true, "the CRDs still come from the chart's eck-operator-crds subchart");
        assert.deepStrictEqual(v.podDisruptionBudget, { enabled: false });
    });

    it("the only cluster-wide grant ECK gets is reading Nodes, and only for zone awareness", () => {
        const [role, binding] = eckNodeReaderRbac("logging");
        assert.deepStrictEqual(role.rules, [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }]);
        assert.deepStrictEqual(binding.subjects, [{ kind: "ServiceAccount", name: "elastic-operator", namespace: "logging" }]);
        assert.strictEqual(binding.roleRef.name, role.metadata.name);
    });

    it("Kibana spreads and gets a drain-safe PDB only with more than one replica", () => {
        const logging = settingsFor("prod").logging;
        const two = kibanaManifest("logging", logging, true).spec.podTemplate.spec;
        assert.strictEqual(logging.kibana.replicas, 2);
        assert.deepStrictEqual(two.topologySpreadConstraints.map((c: any) => `${c.topologyKey} ${c.whenUnsatisfiable}`),
            ["kubernetes.io/hostname DoNotSchedule", "topology.kubernetes.io/zone ScheduleAnyway"]);
        assert.deepStrictEqual(two.topologySpreadConstraints[0].labelSelector.matchLabels, { "kibana.k8s.elastic.co/name": "logs" });
        const one = kibanaManifest("logging", { ...logging, kibana: { ...logging.kibana, replicas: 1 } }, true).spec.podTemplate.spec;
        assert.strictEqual(one.topologySpreadConstraints, undefined);
    });

    it("the sysctl init container sets its own small requests instead of inheriting Elasticsearch's", () => {
        const es = elasticsearchManifest({
            namespace: "logging", logging: settingsFor("prod").logging, protectData: true, zoneAware: true,
            httpCertificateSecret: "tls", rolesSecret: "roles",
        });
        const [init] = es.spec.nodeSets[0].podTemplate.spec.initContainers;
        assert.strictEqual(init.name, "sysctl");
        assert.deepStrictEqual(init.resources.requests, { cpu: "10m", memory: "16Mi" });
    });

    describe("install order, readiness and re-runs", () => {
        const find = (run: Awaited<ReturnType<typeof runProgram>>, kind: string, name?: string) =>
            run.resources.find((r) => r.inputs.kind === kind && r.inputs.metadata?.namespace === "logging" && (name === undefined || r.inputs.metadata.name.startsWith(name)))!;

        it("Fluent Bit writes nothing before the setup Job has installed and verified the template and ILM policy", async () => {
            const run = await stackRun("dev");
            const job = find(run, "Job", "logging-setup");
            assert.ok(find(run, "DaemonSet", "fluent-bit").dependsOn.includes(job.urn));
            const script = setupScript("logging");
            const simulate = script.split("\n").findIndex((l) => l.includes("_simulate_index/kubernetes-logs-fluentbit"));
            assert.ok(simulate > script.split("\n").findIndex((l) => l.includes("_index_template/kubernetes-logs\"")), "verified after it is installed");
            assert.match(script.split("\n")[simulate], /grep -q '"kubernetes-logs"' \|\| \{ .*exit 1; \}/);
            assert.match(script, /_data_stream\/kubernetes-logs-fluentbit.*exit 1/, "a plain index of that name fails the Job");
        });

        it("a new retention replaces the setup Job, so it runs again; the same settings keep it", async () => {
            const a = find(await stackRun("dev"), "Job", "logging-setup");
            const same = find(await runProgram("dev"), "Job", "logging-setup");
            const b = find(await runProgram("dev", { config: { "observability-platform:logging": JSON.stringify({ retentionDays: 5 }) } }), "Job", "logging-setup");
            assert.match(a.inputs.metadata.name, /^logging-setup-[0-9a-f]{10}$/);
            assert.strictEqual(same.inputs.metadata.name, a.inputs.metadata.name);
            assert.notStrictEqual(b.inputs.metadata.name, a.inputs.metadata.name);
        });

        it("Elasticsearch and Kibana are awaited until the change landed (version, Ready, replicas), with a cold-start timeout; certificates until Ready", async () => {
            const run = await stackRun("prod");
            const s = buildSettings({ stack: "prod", config: profileConfig("prod") });
            const es = find(run, "Elasticsearch").inputs;
            assert.strictEqual(es.metadata.annotations["pulumi.com/waitFor"], elasticsearchLanded(s.logging.elasticsearch.version)["pulumi.com/waitFor"]);
            assert.strictEqual(es.spec.version, s.logging.elasticsearch.version, "awaits the version it declares");
            const kb = find(run, "Kibana").inputs;
            assert.strictEqual(kb.metadata.annotations["pulumi.com/waitFor"], kibanaLanded(kb.spec.version, kb.spec.count)["pulumi.com/waitFor"]);
            assert.strictEqual(kb.spec.count, 2, "prod's two Kibana replicas");
            for (const kind of ["Elasticsearch", "Kibana"]) {
                assert.ok(Number(find(run, kind).inputs.metadata.annotations["pulumi.com/timeoutSeconds"]) >= 1200, kind);
            }
            assert.ok(find(run, "Kibana").dependsOn.includes(find(run, "Elasticsearch").urn));
            const certs = run.resources.filter((r) => r.inputs.kind === "Certificate" && r.parent?.endsWith("::observability-logging"));
            assert.ok(certs.length >= 3, "the HTTP certificate of Elasticsearch and the consumers' CA copies");
            for (const c of certs) {
                assert.strictEqual(c.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready", c.name);
            }
        });
    });

    describe("zones (issue 25 item 14)", () => {
        // ECK v3.5.0 nodespec/podspec.go zoneAwarenessSchedulingDirectives: `zoneAwareness` adds a
        // required node affinity `topology.kubernetes.io/zone Exists` and a DoNotSchedule spread.
        const nodeSet = (run: Awaited<ReturnType<typeof runProgram>>) =>
            run.resources.find((r) => r.inputs.kind === "Elasticsearch")!.inputs.spec.nodeSets[0];
        const required = (set: any) => set.podTemplate.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
        let dir: string;
        before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "es-zones-")); });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        for (const profile of PROFILES) {
            it(`${profile}: the rendered Elasticsearch needs no zone label on any node${profile === "prod" ? ", and prefers spreading over zones" : ""}`, async () => {
                const set = nodeSet(await stackRun(profile));
                assert.strictEqual(set.zoneAwareness, undefined);
                assert.strictEqual(required(set), undefined);
                const spread = set.podTemplate.spec.topologySpreadConstraints ?? [];
                assert.ok(spread.every((c: any) => c.whenUnsatisfiable === "ScheduleAnyway"), JSON.stringify(spread));
                assert.deepStrictEqual(spread, profile === "prod" ? [{
                    maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "logs", "elasticsearch.k8s.elastic.co/statefulset-name": "logs-es-default" } },
                }] : []);
            });
        }

        it("prod with logging.elasticsearch.zoneAwareness: true gets ECK's zoneAwareness, its Node read, and no second zone spread", async () => {
            const stackFile = path.join(dir, "Pulumi.zones.yaml");
            fs.writeFileSync(stackFile, `${fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8").trimEnd()}
  observability-platform:logging:
    elasticsearch:
      zoneAwareness: true
`);
            const run = await runProgram("zones", { stackFile });
            const set = nodeSet(run);
            assert.deepStrictEqual(set.zoneAwareness, {});
            assert.strictEqual(set.podTemplate.spec.topologySpreadConstraints, undefined, "ECK brings its own (DoNotSchedule) spread");
            const clusterRoles = run.resources.filter((r) => r.inputs.kind === "ClusterRole" && /elastic/.test(r.inputs.metadata.name));
            assert.deepStrictEqual(clusterRoles.map((r) => r.inputs.metadata.name), ["elastic-operator-node-reader"]);
            const chart = run.resources.find((r) => r.inputs.chart === "eck-operator")!;
            assert.ok(chart.dependsOn.includes(clusterRoles[0].urn), "the operator starts with its Node read in place");
        });

        it("the setting is a boolean, off in every profile", () => {
            for (const profile of PROFILES) {
                assert.strictEqual(settingsFor(profile).logging.elasticsearch.zoneAwareness, false);
            }
            assert.throws(() => buildSettings({ stack: "prod", config: { ...profileConfig("prod"), "observability-platform:logging": JSON.stringify({ elasticsearch: { zoneAwareness: "yes" } }) } }),
                /logging\.elasticsearch\.zoneAwareness/);
        });
    });

    describe("in the whole program", () => {
        it("gives the ECK operator and Kibana one drain-safe PDB each and Elasticsearch none from the program", async () => {
            const run = await stackRun("prod");
            const pdbs = run.resources.filter((r) => r.inputs.kind === "PodDisruptionBudget" && r.inputs.metadata.namespace === "logging");
            assert.deepStrictEqual(pdbs.map((p) => p.inputs.metadata.name).sort(), ["elastic-operator", "logs-kb"], "the operator's and Kibana's (2 replicas in prod)");
            for (const pdb of pdbs) {
                assert.strictEqual(pdb.inputs.spec.maxUnavailable, 1);
                assert.strictEqual(pdb.inputs.spec.unhealthyPodEvictionPolicy, "AlwaysAllow");
            }
            const es = run.resources.find((r) => r.inputs.kind === "Elasticsearch")!;
            assert.ok(es.protect && es.retainOnDelete, "prod protects Elasticsearch");
            const chart = run.resources.find((r) => r.inputs.chart === "eck-operator")!;
            assert.strictEqual(chart.inputs.version, "3.5.0");
            const clusterRoles = run.resources.filter((r) => r.inputs.kind === "ClusterRole" && /elastic/.test(r.inputs.metadata.name));
            assert.deepStrictEqual(clusterRoles.map((r) => r.inputs.metadata.name), [], "no Node reads without zoneAwareness");
        });

        // Issue 25, item 4: a rebuild (`destroy --exclude-protected`, then `up`) around a retained
        // Elasticsearch keeps its file-realm users' passwords and Secrets.
        for (const profile of ["dev", "staging", "prod"]) {
            it(`${profile}: every file-realm user's Secret and RandomPassword is protected and retained as Elasticsearch is`, async () => {
                const run = await stackRun(profile);
                const es = run.resources.find((r) => r.inputs.kind === "Elasticsearch")!;
                const realm = (es.inputs.spec.auth.fileRealm as { secretName: string }[]).map((f) => f.secretName);
                const kept = storeSecrets(run, es, realm);
                assert.strictEqual(kept.passwords.length, realm.length, "one generated password per file-realm user");
                assertKeptWithStore(kept, profile === "prod");
            });
        }

        it("keeps every Elasticsearch password inside Secrets marked secret", async () => {
            const run = await stackRun("staging");
            const users = run.resources.filter((r) => r.type === "kubernetes:core/v1:Secret" && /^es-user-|^logs-.*-credentials$/.test(r.inputs.metadata.name));
            assert.strictEqual(users.length, 6);
            for (const u of users) {
                assert.ok(u.secretPaths.length > 0, `${u.inputs.metadata.name} is a Pulumi secret`);
            }
            const leaks = run.resources.filter((r) => r.type !== "kubernetes:core/v1:Secret" && !r.type.startsWith("random:") && JSON.stringify(r.inputs).includes(MOCK_SECRET_PREFIX));
            assert.deepStrictEqual(leaks.map((r) => r.name), []);
        });

        it("the Fluent Bit DaemonSet starts after Elasticsearch and rolls when its configuration changes", async () => {
            const run = await stackRun("dev");
            const ds = run.resources.find((r) => r.inputs.kind === "DaemonSet" && r.inputs.metadata.name === "fluent-bit")!;
            const es = run.resources.find((r) => r.inputs.kind === "Elasticsearch")!;
            assert.ok(ds.dependsOn.includes(es.urn));
            assert.match(ds.inputs.spec.template.metadata.annotations["observability-platform/config-checksum"], /^[0-9a-f]{16}$/);
        });
    });
});
