import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import {
    BACKUP_CREDENTIALS_ANNOTATION, CONTAINER_LOGS, dataView, elasticsearchManifest, esRoles, ilmPolicy, indexTemplate, kibanaManifest, logStreams, NODE_LOGS, setupScript,
} from "../../../components/logs/elasticsearch";
import { slmSchedule } from "../../../components/logs/backup";
import { esExporterManifests } from "../../../components/logs/es-exporter";
import { ES_BACKUP_CREDENTIALS_SECRET } from "../../../components/logs";
import {
    BUILTIN_MULTILINE_PARSERS, FluentBitConfigInput, fluentBitSections, nodeInputFiles, nodeInputsScript, parserSections, renderSections,
} from "../../../components/logs/fluent-bit-config";
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
            nodeLogs: s.logging.nodeLogs ? { dataStream: "node-logs-fluentbit" } : undefined,
        })),
        parsers: renderSections(parserSections()),
        nodeInputs: s.logging.nodeLogs ? Object.values(nodeInputFiles()).join("\n") : "",
    };
}

const daemonSet = (s: PlatformSettings, nodeLogs = s.logging.nodeLogs) =>
    fluentBitDaemonSet({ namespace: "logging", resources: s.logging.fluentBit.resources, configMap: "c", credentialsSecret: "u", caSecret: "ca", configChecksum: "x", nodeLogs });

describe("Logging", () => {
    for (const profile of PROFILES) {
        describe(`${profile}`, () => {
            const s = settingsFor(profile);
            const { main, parsers, nodeInputs } = config(profile);
            const sections = [...parseFluentBit(main), ...parseFluentBit(nodeInputs)];
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
                assert.deepStrictEqual(tags, ["kube.var.log.containers.x.log", "node.journal", "node.journal", "node.syslog"]);
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
                const pod = daemonSet(s).spec.template.spec;
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
        const pod = daemonSet(settingsFor("dev")).spec.template.spec;
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
        const script = setupScript("logging", logStreams(true), false);
        assert.match(script, /-X PUT "\$es\/_ilm\/policy\/kubernetes-logs"/);
        assert.match(script, /-X PUT "\$es\/_index_template\/kubernetes-logs"/);
        assert.match(script, /-X PUT "\$es\/_index_template\/node-logs"/);
        assert.strictEqual((dataView(CONTAINER_LOGS) as any).override, true);
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

    it("Elasticsearch has no init container of the program's: node tuning raises vm.max_map_count, so nothing here is privileged", () => {
        const es = elasticsearchManifest({
            namespace: "logging", logging: settingsFor("prod").logging, protectData: true, zoneAware: true,
            httpCertificateSecret: "tls", rolesSecret: "roles",
        });
        assert.strictEqual(es.spec.nodeSets[0].podTemplate.spec.initContainers, undefined);
    });

    describe("install order, readiness and re-runs", () => {
        const find = (run: Awaited<ReturnType<typeof runProgram>>, kind: string, name?: string, namespace = "logging") =>
            run.resources.find((r) => r.inputs.kind === kind && r.inputs.metadata?.namespace === namespace && (name === undefined || r.inputs.metadata.name.startsWith(name)))!;

        it("Elasticsearch's HTTP certificate asks for a key encoding ECK reads: an ECDSA key in PKCS#8 would leave the cluster without pods", async () => {
            // ECK 3.5.0 pkg/controller/common/certificates/pem.go reads PKCS#8 keys only when RSA;
            // cert-manager v1.19.1 writes ECDSA keys as SEC1 under the default (PKCS1) encoding.
            const cert = find(await stackRun("prod"), "Certificate", "logs-es-http");
            const key = cert.inputs.spec.privateKey ?? {};
            assert.ok(key.algorithm !== "ECDSA" || (key.encoding ?? "PKCS1") === "PKCS1", JSON.stringify(key));
            assert.strictEqual(cert.inputs.spec.secretName, "logs-es-http-tls");
        });

        it("Fluent Bit writes nothing before the setup Job has installed and verified the template and ILM policy", async () => {
            const run = await stackRun("dev");
            const job = find(run, "Job", "logging-setup");
            assert.ok(find(run, "DaemonSet", "fluent-bit", "node-agents").dependsOn.includes(job.urn));
            const script = setupScript("logging", logStreams(false), false);
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
            // Four file-realm users, and the copies for Grafana, Jaeger and Fluent Bit in their namespaces.
            assert.strictEqual(users.length, 7);
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

    describe("node and system logs (issue 27, item 3)", () => {
        const BASE: FluentBitConfigInput = {
            namespace: "logging",
            elasticsearch: { host: "es", port: 9200, dataStream: "kubernetes-logs-fluentbit" },
            graylog: { host: "graylog", port: 12201 },
            bufferLimitMb: 1024,
            nodeLogs: { dataStream: "node-logs-fluentbit" },
        };
        const sectionsOf = (input: FluentBitConfigInput) => parseFluentBit(renderSections(fluentBitSections(input)));
        const files = nodeInputFiles();
        const inputOf = (file: string) => {
            const [only, ...rest] = parseFluentBit(files[file]);
            assert.strictEqual(rest.length, 0, file);
            return only;
        };

        /**
         * Option names Fluent Bit 4.2.2 reads, case-insensitively: each plugin's config_map
         * (plugins/in_systemd/systemd.c, plugins/in_tail/tail.c, plugins/filter_lua/lua.c,
         * plugins/out_gelf/gelf.c) and the properties of every instance (src/flb_input.c,
         * src/flb_filter.c, src/flb_output.c).
         */
        const KNOWN: Record<string, string[]> = {
            systemd: ["path", "max_fields", "max_entries", "systemd_filter_type", "systemd_filter", "read_from_tail", "lowercase", "strip_underscores", "db.sync", "db"],
            tail: [
                "path", "exclude_path", "key", "read_from_head", "read_newly_discovered_files_from_head", "refresh_interval", "watcher_interval",
                "progress_check_interval", "progress_check_interval_nsec", "rotate_wait", "docker_mode", "docker_mode_flush", "docker_mode_parser",
                "path_key", "offset_key", "ignore_older", "ignore_active_older_files", "buffer_chunk_size", "buffer_max_size", "static_batch_size",
                "event_batch_size", "skip_long_lines", "exit_on_eof", "skip_empty_lines", "truncate_long_lines", "file_cache_advise", "inotify_watcher",
                "parser", "tag_regex", "db", "db.sync", "db.locking", "db.journal_mode", "db.compare_filename", "multiline", "multiline_flush",
                "parser_firstline", "multiline.parser", "unicode.encoding", "generic.encoding",
            ],
            lua: ["script", "code", "call", "type_int_key", "type_array_key", "protected_mode", "time_as_table", "enable_flb_null"],
            gelf: ["mode", "gelf_tag_key", "gelf_short_message_key", "gelf_timestamp_key", "gelf_host_key", "gelf_full_message_key", "gelf_level_key", "packet_size", "compress"],
        };
        const INSTANCE: Record<string, string[]> = {
            INPUT: ["name", "tag", "log_level", "alias", "mem_buf_limit", "storage.type", "threaded", "storage.pause_on_chunks_overlimit"],
            FILTER: ["name", "match", "match_regex", "alias", "log_level"],
            OUTPUT: ["name", "match", "match_regex", "alias", "log_level", "host", "port", "retry_limit", "storage.total_limit_size", "workers"],
        };

        it("names only options Fluent Bit 4.2.2's systemd, tail, lua and gelf plugins read", () => {
            const added = sectionsOf({ ...BASE, redaction: true }).filter((x) => x.entries.get("Name") === "lua" || x.entries.get("Alias") === "graylog-node");
            const sections = [...Object.keys(files).map(inputOf), ...added];
            assert.deepStrictEqual(sections.map((x) => x.entries.get("Name")), ["systemd", "systemd", "tail", "lua", "gelf"]);
            for (const section of sections) {
                const known = new Set([...KNOWN[section.entries.get("Name")!], ...INSTANCE[section.name]]);
                for (const [key] of section.all) {
                    assert.ok(known.has(key.toLowerCase()), `${section.entries.get("Name")}: ${key}`);
                }
            }
        });

        it("reads the kubelet, containerd, CRI-O and the kernel from each journal directory, from now on at first start and from its cursor after", () => {
            for (const [file, dir, db] of [["node-journal-var.conf", "/var/log/journal", "journal-var.db"], ["node-journal-run.conf", "/run/log/journal", "journal-run.db"]]) {
                const input = inputOf(file);
                assert.deepStrictEqual(input.all.filter(([k]) => k === "Systemd_Filter").map(([, v]) => v),
                    ["_SYSTEMD_UNIT=kubelet.service", "_SYSTEMD_UNIT=containerd.service", "_SYSTEMD_UNIT=crio.service", "_TRANSPORT=kernel"]);
                assert.deepStrictEqual(Object.fromEntries([...input.entries].filter(([k]) => k !== "Systemd_Filter")), {
                    Name: "systemd", Tag: "node.journal", Path: dir, Systemd_Filter_Type: "Or", Read_From_Tail: "On", Lowercase: "On", Strip_Underscores: "On",
                    "DB.Sync": "Normal", DB: `/var/fluent-bit/state/${db}`, Mem_Buf_Limit: "16MB", "storage.type": "filesystem",
                });
            }
        });

        it("tails /var/log/syslog and /var/log/messages under the journal's key for the line, keeping its place on the node", () => {
            const input = inputOf("node-syslog.conf").entries;
            assert.strictEqual(input.get("Name"), "tail");
            assert.strictEqual(input.get("Tag"), "node.syslog");
            assert.strictEqual(input.get("Path"), "/var/log/syslog, /var/log/messages");
            assert.strictEqual(input.get("Key"), "message");
            assert.strictEqual(input.get("DB"), "/var/fluent-bit/state/tail-syslog.db");
            assert.strictEqual(input.get("storage.type"), "filesystem");
        });

        describe("the init container's choice, run by sh on a node's directories", () => {
            let root: string;
            beforeEach(() => {
                root = fs.mkdtempSync(path.join(os.tmpdir(), "node-inputs-"));
                fs.mkdirSync(path.join(root, "fluent-bit/etc"), { recursive: true });
                fs.mkdirSync(path.join(root, "fluent-bit/node"));
                // The DaemonSet's own mount creates it on every node.
                fs.mkdirSync(path.join(root, "run/log/journal"), { recursive: true });
                fs.mkdirSync(path.join(root, "var/log"), { recursive: true });
                for (const [file, text] of Object.entries(files)) {
                    fs.writeFileSync(path.join(root, "fluent-bit/etc", file), text);
                }
            });
            afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
            const journal = (dir: string) => {
                fs.mkdirSync(path.join(root, dir, "4c2a81f3b9d04e6f8a1b2c3d4e5f6a7b"), { recursive: true });
                fs.writeFileSync(path.join(root, dir, "4c2a81f3b9d04e6f8a1b2c3d4e5f6a7b", "system.journal"), "");
            };
            const chosen = () => {
                const script = nodeInputsScript().replace(/(?<=[ =])\/(fluent-bit|var|run)\//g, `${root}/$1/`);
                const r = spawnSync("sh", ["-c", script], { encoding: "utf8" });
                assert.strictEqual(r.status, 0, r.stderr);
                return parseFluentBit(fs.readFileSync(path.join(root, "fluent-bit/node/inputs.conf"), "utf8")).map((x) => `${x.entries.get("Name")} ${x.entries.get("Path")}`);
            };

            it("a persistent journal: /var/log/journal only", () => {
                journal("var/log/journal");
                assert.deepStrictEqual(chosen(), ["systemd /var/log/journal"]);
            });
            it("a volatile journal: /run/log/journal only", () => {
                journal("run/log/journal");
                assert.deepStrictEqual(chosen(), ["systemd /run/log/journal"]);
            });
            it("a persistent journal before the runtime one is flushed into it: both", () => {
                journal("var/log/journal");
                journal("run/log/journal");
                assert.deepStrictEqual(chosen(), ["systemd /var/log/journal", "systemd /run/log/journal"]);
            });
            it("no journal: the syslog files, and nothing from the journal", () => {
                fs.writeFileSync(path.join(root, "var/log/messages"), "");
                assert.deepStrictEqual(chosen(), ["tail /var/log/syslog, /var/log/messages"]);
            });
        });

        it("sends node logs to their own data stream and to Graylog with the journal's message and priority, each output with a quarter of the buffer", () => {
            const outputs = sectionsOf(BASE).filter((x) => x.name === "OUTPUT" && x.entries.get("Match") === "node.*").map((x) => x.entries);
            assert.deepStrictEqual(outputs.map((o) => `${o.get("Name")} ${o.get("Alias")} ${o.get("storage.total_limit_size")}`),
                ["es elasticsearch-node 256M", "gelf graylog-node 256M"]);
            const [es, gelf] = outputs;
            assert.strictEqual(es.get("Index"), "node-logs-fluentbit");
            assert.strictEqual(es.get("Write_Operation"), "create");
            assert.strictEqual(es.get("tls.verify"), "On");
            assert.strictEqual(gelf.get("Gelf_Short_Message_Key"), "message");
            assert.strictEqual(gelf.get("Gelf_Level_Key"), "priority");
            assert.strictEqual(gelf.get("Gelf_Host_Key"), "node_name");
            const include = sectionsOf(BASE).filter((x) => x.name === "INCLUDE");
            assert.deepStrictEqual(include.map((x) => x.entries.get("Path")), ["/fluent-bit/node/inputs.conf"]);
            const modify = sectionsOf(BASE).find((x) => x.name === "FILTER" && x.entries.get("Match") === "node.*")!;
            assert.deepStrictEqual(modify.all.filter(([k]) => k === "Add").map(([, v]) => v), ["node_name ${NODE_NAME}", "cluster_agent fluent-bit"]);
        });

        it("without logging.nodeLogs nothing reads, filters or sends node logs", () => {
            const sections = sectionsOf({ ...BASE, nodeLogs: undefined });
            assert.deepStrictEqual(sections.filter((x) => x.name === "INCLUDE" || (x.entries.get("Match") ?? "").startsWith("node")), []);
            const pod = daemonSet(settingsFor("dev"), false).spec.template.spec;
            assert.strictEqual(pod.initContainers, undefined);
            assert.ok(!pod.volumes.some((v: any) => v.name === "run-journal"));
        });

        it("mounts every host path it reads read-only, and /var/log/journal only through /var/log so no node gets one created", () => {
            const pod = daemonSet(settingsFor("prod")).spec.template.spec;
            assert.deepStrictEqual(pod.tolerations, [{ operator: "Exists" }], "still tolerates every taint");
            const hostPaths = new Map(pod.volumes.filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath]));
            assert.deepStrictEqual(hostPaths.get("run-journal"), { path: "/run/log/journal", type: "DirectoryOrCreate" });
            assert.ok(![...hostPaths.values()].some((h: any) => h.path.startsWith("/var/log/")), "no hostPath below /var/log");
            for (const c of [...pod.initContainers, ...pod.containers]) {
                for (const m of c.volumeMounts.filter((m: any) => hostPaths.has(m.name) && m.name !== "state")) {
                    assert.strictEqual(m.readOnly, true, `${c.name} ${m.mountPath}`);
                }
            }
            assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.mountPath === "/run/log/journal" && m.readOnly));
            assert.ok(pod.containers[0].volumeMounts.some((m: any) => m.mountPath === "/fluent-bit/node" && m.readOnly));
        });

        it("the init container that picks the inputs has requests, limits and no privilege", () => {
            const [init] = daemonSet(settingsFor("dev")).spec.template.spec.initContainers;
            assert.strictEqual(init.name, "node-inputs");
            assert.deepStrictEqual(init.resources, { requests: { cpu: "10m", memory: "16Mi", "ephemeral-storage": "1Mi" }, limits: { cpu: "100m", memory: "32Mi", "ephemeral-storage": "16Mi" } });
            assert.deepStrictEqual(init.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ["ALL"] } });
            assert.deepStrictEqual(init.command.slice(0, 2), ["sh", "-c"]);
        });

        it("node logs get a data stream, index template and Kibana data view of their own, under the container logs' ILM policy", () => {
            const template = indexTemplate(NODE_LOGS, 1) as any;
            assert.deepStrictEqual(template.index_patterns, ["node-logs-*"]);
            assert.deepStrictEqual(template.data_stream, {});
            assert.strictEqual(template.template.settings["index.lifecycle.name"], (indexTemplate(CONTAINER_LOGS, 1) as any).template.settings["index.lifecycle.name"]);
            assert.strictEqual(template.template.mappings.properties.message.type, "text");
            assert.deepStrictEqual((dataView(NODE_LOGS) as any).data_view, { id: "node-logs", title: "node-logs-*", name: "Node logs", timeFieldName: "@timestamp" });
            // Neither template claims the other's stream, so each data view shows one kind of log.
            assert.ok(!tagMatches(CONTAINER_LOGS.indexPattern, NODE_LOGS.dataStream) && !tagMatches(NODE_LOGS.indexPattern, CONTAINER_LOGS.dataStream));
            const script = setupScript("logging", logStreams(true), false);
            assert.match(script, /_simulate_index\/node-logs-fluentbit" \| grep -q '"kubernetes-logs"' \|\| \{ .*exit 1; \}/);
            assert.match(script, /_data_stream\/node-logs-fluentbit.*exit 1/);
            assert.match(script, /-d @\/setup\/data-view-node-logs\.json/);
            assert.deepStrictEqual((esRoles(logStreams(true)) as any).platform_log_writer.indices[0].names, ["kubernetes-logs-*", "node-logs-*"]);
            assert.deepStrictEqual((esRoles(logStreams(false)) as any).platform_log_writer.indices[0].names, ["kubernetes-logs-*"]);
        });

        it("a stack with logging.nodeLogs false installs no node-log template, data view, input file or write grant", async () => {
            const run = await runProgram("dev", { config: { "observability-platform:logging": JSON.stringify({ nodeLogs: false }) } });
            const data = (name: string) => run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === name)!.inputs.data;
            assert.deepStrictEqual(Object.keys(data("logging-setup")).sort(), ["data-view-kubernetes-logs.json", "ilm-policy.json", "index-template-kubernetes-logs.json", "setup.sh"]);
            assert.deepStrictEqual(Object.keys(data("fluent-bit-config")).sort(), ["fluent-bit.conf", "parsers.conf"]);
            const roles = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "es-platform-roles")!;
            assert.doesNotMatch(roles.inputs.stringData["roles.yml"], /node-logs/);
        });

        it("the dev stack ships the three node input files and the init container that picks among them", async () => {
            const run = await stackRun("dev");
            const cm = run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "fluent-bit-config")!;
            assert.deepStrictEqual(Object.keys(cm.inputs.data).sort(), ["fluent-bit.conf", "node-journal-run.conf", "node-journal-var.conf", "node-syslog.conf", "parsers.conf"]);
            const ds = run.resources.find((r) => r.inputs.kind === "DaemonSet" && r.inputs.metadata.name === "fluent-bit")!;
            assert.deepStrictEqual(ds.inputs.spec.template.spec.initContainers.map((c: any) => c.name), ["node-inputs"]);
        });
    });

    describe("redaction in the agent (issue 27, item 9)", () => {
        const sections = (redaction: boolean) => parseFluentBit(renderSections(fluentBitSections({
            namespace: "logging",
            elasticsearch: { host: "es", port: 9200, dataStream: "d" },
            graylog: { host: "graylog", port: 12201 },
            bufferLimitMb: 1024,
            nodeLogs: { dataStream: "node-logs-fluentbit" },
            redaction,
        })));

        it("one lua filter runs the script on every tag, after the kubernetes filter merged the line, keeping JSON nulls", () => {
            const filters = sections(true).filter((x) => x.name === "FILTER");
            const lua = filters.filter((f) => f.entries.get("Name") === "lua");
            assert.strictEqual(lua.length, 1);
            assert.deepStrictEqual(Object.fromEntries(lua[0].entries), {
                Name: "lua", Match: "*", Script: "/fluent-bit/etc/redact.lua", Call: "redact", Enable_Flb_Null: "On",
            });
            assert.ok(filters.findIndex((f) => f.entries.get("Name") === "kubernetes") < filters.indexOf(lua[0]));
            for (const output of sections(true).filter((x) => x.name === "OUTPUT")) {
                assert.ok(tagMatches(lua[0].entries.get("Match")!, output.entries.get("Match")!.replace("*", "x")), output.entries.get("Alias"));
            }
        });

        it("is off by default: no filter, and no script in the ConfigMap", async () => {
            assert.ok(!sections(false).some((x) => x.entries.get("Name") === "lua"));
            for (const profile of PROFILES) {
                assert.strictEqual(settingsFor(profile).logging.redaction.enabled, false, profile);
            }
            const cm = (await stackRun("staging")).resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "fluent-bit-config")!;
            assert.ok(!("redact.lua" in cm.inputs.data));
        });

        it("turned on, ships the script with the chosen patterns and rolls the agents", async () => {
            const on = await runProgram("dev", { config: { "observability-platform:logging": JSON.stringify({ redaction: { enabled: true, builtins: ["email"], patterns: [{ name: "api-key", pattern: "sk_live_%w+" }] } }) } });
            const cm = on.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "fluent-bit-config")!;
            const script: string = cm.inputs.data["redact.lua"];
            assert.deepStrictEqual([...script.matchAll(/mask = "(\[REDACTED:[^\]]+\])"/g)].map((m) => m[1]), ["[REDACTED:email]", "[REDACTED:api-key]"]);
            assert.match(cm.inputs.data["fluent-bit.conf"], /Name\s+lua/);
            const checksum = (run: Awaited<ReturnType<typeof runProgram>>) =>
                run.resources.find((r) => r.inputs.kind === "DaemonSet" && r.inputs.metadata.name === "fluent-bit")!.inputs.spec.template.metadata.annotations["observability-platform/config-checksum"];
            assert.notStrictEqual(checksum(on), checksum(await stackRun("dev")));
        });
    });

    describe("snapshots (README \"Backup and restore\")", () => {
        const inLogging = (run: Awaited<ReturnType<typeof runProgram>>, kind: string, name?: string) =>
            run.resources.find((r) => r.inputs.kind === kind && r.inputs.metadata?.namespace === "logging" && (name === undefined || r.inputs.metadata.name.startsWith(name)));
        const setupFiles = (run: Awaited<ReturnType<typeof runProgram>>) =>
            run.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata?.name === "logging-setup")!.inputs.data as Record<string, string>;
        const withBackup = (backup: Record<string, unknown>, secrets?: Record<string, string>) => runProgram("prod", {
            config: {
                "observability-platform:backup": JSON.stringify({ repository: { type: "s3", bucket: "observability-backups-example", region: "eu-west-1" }, ...backup }),
                ...(secrets ? { "observability-platform:backupSecrets": JSON.stringify(secrets) } : {}),
            },
        });

        it("prod delivers the credentials into the keystore through a Secret that spec.secureSettings names, never in clear", async () => {
            const run = await stackRun("prod");
            const secret = run.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata?.name === ES_BACKUP_CREDENTIALS_SECRET)!;
            assert.deepStrictEqual(Object.keys(secret.inputs.stringData).sort(), ["s3.client.platform.access_key", "s3.client.platform.secret_key"]);
            assert.ok(secret.secretPaths.some((p) => p[0] === "stringData"), "the Secret's data is a Pulumi secret");
            const es = inLogging(run, "Elasticsearch")!.inputs;
            assert.deepStrictEqual(es.spec.secureSettings, [{ secretName: ES_BACKUP_CREDENTIALS_SECRET }]);
            assert.strictEqual(es.spec.nodeSets[0].config["s3.client.platform.region"], "eu-west-1");
            assert.match(es.spec.nodeSets[0].podTemplate.metadata.annotations[BACKUP_CREDENTIALS_ANNOTATION], /^[0-9a-f]{16}$/);
            assert.ok(!JSON.stringify(es).includes(MOCK_SECRET_PREFIX), "no credential on the Elasticsearch resource");
            assert.ok(inLogging(run, "Elasticsearch")!.dependsOn.includes(secret.urn), "the keystore Secret exists before the nodes start");
        });

        it("the setup Job registers the repository, verifies it and installs the SLM policy over the logs (node logs included), Jaeger and Kibana's feature state", async () => {
            const files = setupFiles(await stackRun("prod"));
            const script = files["setup.sh"].split("\n");
            const at = (text: string) => script.findIndex((l) => l.includes(text));
            assert.ok(at("_index_template/kubernetes-logs\"") < at("_snapshot/platform-backups\""));
            assert.ok(at("-X PUT \"$es/_snapshot/platform-backups\"") < at("-X POST \"$es/_snapshot/platform-backups/_verify\""));
            assert.ok(at("_verify") < at("-X PUT \"$es/_slm/policy/platform-snapshots\""));
            assert.match(script[at("_verify")], /^call /, "a failed verification fails the Job (curl --fail-with-body under set -e)");
            assert.deepStrictEqual(JSON.parse(files["snapshot-repository.json"]),
                { type: "s3", settings: { bucket: "observability-backups-example", base_path: "observability-platform/prod/elasticsearch", client: "platform" } });
            const slm = JSON.parse(files["slm-policy.json"]);
            assert.deepStrictEqual(slm.config.indices, ["kubernetes-logs-*", "node-logs-*", "jaeger-*"], "with node logs on, as in every profile");
            assert.deepStrictEqual([slm.config.include_global_state, slm.config.feature_states], [true, ["kibana"]]);
            assert.deepStrictEqual(slm.retention, { expire_after: "30d", min_count: 5, max_count: 200 });
            assert.strictEqual(slm.schedule, "0 30 */6 * * ?");
        });

        it("a new bucket, interval or retention runs the Job again and leaves the nodes alone", async () => {
            const base = await withBackup({});
            const job = inLogging(base, "Job", "logging-setup")!.inputs.metadata.name;
            const es = JSON.stringify(inLogging(base, "Elasticsearch")!.inputs);
            assert.strictEqual(inLogging(await withBackup({}), "Job", "logging-setup")!.inputs.metadata.name, job, "unchanged settings keep the Job");
            for (const change of [
                { repository: { type: "s3", bucket: "other-bucket", region: "eu-west-1" } },
                { intervalHours: 12 },
                { retention: { expireAfterDays: 60 } },
            ]) {
                const run = await withBackup(change);
                assert.notStrictEqual(inLogging(run, "Job", "logging-setup")!.inputs.metadata.name, job, JSON.stringify(change));
                assert.strictEqual(JSON.stringify(inLogging(run, "Elasticsearch")!.inputs), es, `${JSON.stringify(change)} does not roll Elasticsearch`);
            }
        });

        it("a new credential changes the pod template (an awaited rolling restart) and runs the Job again", async () => {
            const a = await withBackup({}, { accessKey: `${MOCK_SECRET_PREFIX}a`, secretKey: `${MOCK_SECRET_PREFIX}b` });
            const b = await withBackup({}, { accessKey: `${MOCK_SECRET_PREFIX}a`, secretKey: `${MOCK_SECRET_PREFIX}c` });
            const digest = (run: typeof a) => inLogging(run, "Elasticsearch")!.inputs.spec.nodeSets[0].podTemplate.metadata.annotations[BACKUP_CREDENTIALS_ANNOTATION];
            assert.notStrictEqual(digest(a), digest(b));
            assert.notStrictEqual(inLogging(a, "Job", "logging-setup")!.inputs.metadata.name, inLogging(b, "Job", "logging-setup")!.inputs.metadata.name);
        });

        it("without backups (dev) there is no keystore Secret, and the Job removes an SLM policy an earlier run made", async () => {
            const run = await stackRun("dev");
            assert.strictEqual(run.resources.find((r) => r.inputs.metadata?.name === ES_BACKUP_CREDENTIALS_SECRET), undefined);
            assert.strictEqual(inLogging(run, "Elasticsearch")!.inputs.spec.secureSettings, undefined);
            const script = setupFiles(run)["setup.sh"];
            assert.match(script, /-X DELETE "\$es\/_slm\/policy\/platform-snapshots"/);
            assert.match(script, /\[ "\$code" = 200 \] \|\| \[ "\$code" = 404 \] \|\| \{/);
            assert.ok(!script.includes("_snapshot/"), "the repository stays registered for a restore");
        });

        it("the exporter collects snapshot and SLM metrics with a user that may read them and change nothing", () => {
            const exporter = esExporterManifests("logging", "es-user-exporter").find((o) => o.kind === "Deployment")!;
            const args: string[] = exporter.spec.template.spec.containers[0].args;
            assert.ok(args.includes("--collector.snapshots") && args.includes("--collector.slm"), args.join(" "));
            const cluster = (esRoles(logStreams(true)) as any).platform_monitor.cluster as string[];
            assert.deepStrictEqual(cluster, ["monitor", "monitor_snapshot", "read_slm", "cluster:admin/slm/stats"]);
            assert.ok(!cluster.some((p) => /manage|cluster:admin\/slm\/\*/.test(p)));
        });

        it("the SLM cron runs at minute 30 every intervalHours hours", () => {
            assert.deepStrictEqual([1, 6, 24].map(slmSchedule), ["0 30 * * * ?", "0 30 */6 * * ?", "0 30 1 * * ?"]);
        });
    });
});
