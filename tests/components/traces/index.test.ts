import * as assert from "assert";
import { JAEGER_METRICS_STORE, jaegerChartTransform, jaegerConfig, jaegerConfigChecksum, jaegerValues, PROMETHEUS_TRUST_SECRET } from "../../../components/traces/jaeger-values";
import { ISSUERS } from "../../../components/tls";
import {
    AGENT_FEATURE_GATES, AGENT_PORTS, AGENT_SPANMETRICS_PORT, otelAgentConfig, otelAgentDaemonSet, otelAgentMonitoring, SPAN_METRICS,
} from "../../../components/traces/otel-agent";
import { buildSettings, PlatformSettings } from "../../../components/settings";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { profileConfig } from "../../helpers/settings";
import { parseQuantity } from "../../../components/shared/quantity";
import { stackRun } from "../../helpers/program";
import { runProgram } from "../../../scripts/mock-program";
import { ROOT } from "../../../scripts/root";
import { renderedStack } from "../../scripts/full-render";

const PROFILES = ["dev", "staging", "prod"] as const;
const settingsFor = (profile: string, extra: Record<string, string> = {}): PlatformSettings =>
    buildSettings({ stack: profile, config: { ...profileConfig(profile), ...extra } });
const ES = { url: "https://logs-es-http.logging.svc:9200", credentialsSecret: "creds", caSecret: "ca", replicas: 1 };

/**
 * Every component a pipeline names must be defined, and every defined one used; a connector is
 * an exporter of one pipeline and a receiver of another, and must be both.
 */
function assertPipelinesConsistent(config: any): void {
    const pipelines = Object.values<any>(config.service.pipelines);
    for (const [name, pipeline] of Object.entries<any>(config.service.pipelines)) {
        for (const kind of ["receivers", "processors", "exporters"]) {
            for (const id of pipeline[kind] ?? []) {
                const connector = kind !== "processors" && config.connectors?.[id] !== undefined;
                assert.ok(config[kind]?.[id] !== undefined || connector, `${name} uses undefined ${kind} ${id}`);
            }
            for (const id of Object.keys(config[kind] ?? {})) {
                assert.ok(pipelines.some((p) => (p[kind] ?? []).includes(id)), `${kind} ${id} is defined but unused`);
            }
        }
    }
    for (const id of Object.keys(config.connectors ?? {})) {
        assert.ok(pipelines.some((p) => (p.exporters ?? []).includes(id)), `connector ${id} is fed by no pipeline`);
        assert.ok(pipelines.some((p) => (p.receivers ?? []).includes(id)), `connector ${id} feeds no pipeline`);
    }
    for (const id of config.service.extensions ?? []) {
        assert.ok(config.extensions?.[id] !== undefined, `undefined extension ${id}`);
    }
}

describe("Tracing", () => {
    for (const profile of PROFILES) {
        describe(profile, () => {
            const s = settingsFor(profile);
            const agent = otelAgentDaemonSet("tracing", s.tracing.agent.resources, "cfg", "x");
            const pod = agent.spec.template.spec;

            it("the agent tolerates every taint, runs node-critical, keeps off virtual and Windows nodes, sized per profile", () => {
                assert.deepStrictEqual(pod.tolerations, [{ operator: "Exists" }]);
                assert.strictEqual(pod.priorityClassName, "system-node-critical");
                const keys = pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions.map((e: any) => e.key);
                assert.deepStrictEqual(keys, ["kubernetes.io/os", "type", "eks.amazonaws.com/compute-type"]);
                assert.deepStrictEqual(pod.containers[0].resources, s.tracing.agent.resources);
            });

            it("the agent listens for OTLP gRPC/HTTP, Jaeger and Zipkin on host ports", () => {
                const hostPorts = pod.containers[0].ports.filter((p: any) => p.hostPort).map((p: any) => `${p.hostPort}/${p.protocol}`);
                assert.deepStrictEqual(hostPorts, ["4317/TCP", "4318/TCP", "14250/TCP", "14268/TCP", "6831/UDP", "9411/TCP"]);
                assert.strictEqual(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
            });

            it(`samples ${s.tracing.samplingPercentage}% of traces, after the memory limiter and Kubernetes attributes`, () => {
                const config = otelAgentConfig({ samplingPercentage: s.tracing.samplingPercentage, jaegerEndpoint: "jaeger.tracing.svc:4317" });
                assertPipelinesConsistent(config);
                assert.deepStrictEqual(config.service.pipelines.traces.processors, ["memory_limiter", "k8s_attributes", "probabilistic_sampler", "batch"]);
                assert.strictEqual(config.processors.probabilistic_sampler.sampling_percentage, s.tracing.samplingPercentage);
                assert.strictEqual(config.exporters.otlp_grpc.endpoint, "jaeger.tracing.svc:4317");
                assert.deepStrictEqual(config.service.pipelines.traces.receivers, ["otlp", "jaeger", "zipkin"]);
            });

            it("counts every span, sampled or not, into span metrics", () => {
                const config = otelAgentConfig({ samplingPercentage: s.tracing.samplingPercentage, jaegerEndpoint: "jaeger.tracing.svc:4317" });
                const spans = config.service.pipelines["traces/spanmetrics"];
                assert.deepStrictEqual(spans.receivers, config.service.pipelines.traces.receivers, "the same receivers fan out to both");
                assert.deepStrictEqual(spans.processors, ["memory_limiter"], "no sampler before the connector");
                assert.deepStrictEqual(spans.exporters, ["spanmetrics"]);
                assert.deepStrictEqual(config.service.pipelines["metrics/spanmetrics"], { receivers: ["spanmetrics"], exporters: ["prometheus"] });
            });

            it(`Jaeger stores in ${s.tracing.storage} with ${s.tracing.replicas} replica(s)`, () => {
                const es = s.tracing.storage === "elasticsearch" ? ES : undefined;
                const v = jaegerValues(s.tracing, profile === "prod", es) as any;
                assertPipelinesConsistent(v.userconfig);
                assert.strictEqual(v.jaeger.replicas, s.tracing.replicas);
                const backend = v.userconfig.extensions.jaeger_storage.backends.primary_store;
                assert.deepStrictEqual(Object.keys(backend), [s.tracing.storage]);
                assert.strictEqual(v.esIndexCleaner.enabled, Boolean(es));
                if (es) {
                    assert.strictEqual(v.esIndexCleaner.numberOfDays, s.tracing.retentionDays, "retention from the profile");
                    assert.strictEqual(backend.elasticsearch.tls.ca_file, "/es-ca/ca.crt", "TLS verified against the platform CA");
                    assert.strictEqual(backend.elasticsearch.indices.index_prefix, "jaeger");
                    assert.strictEqual(backend.elasticsearch.indices.spans.rollover_frequency, "day");
                    assert.strictEqual(backend.elasticsearch.auth.basic.password, "${env:ES_PASSWORD}");
                }
                assert.strictEqual(v.esRollover.enabled, false, "the rollover init Job is a Helm hook");
            });
        });
    }

    describe("span metrics", () => {
        const config = otelAgentConfig({ samplingPercentage: 10, jaegerEndpoint: "j:4317" }) as any;
        const spanmetrics = config.connectors.spanmetrics;

        it("every series dimension covers the resource key, so two resources never write one series once resources are dropped", () => {
            assert.ok(AGENT_FEATURE_GATES.includes("connector.spanmetrics.excludeResourceMetrics"));
            const dims = new Set(["service.name", ...spanmetrics.dimensions.map((d: any) => d.name)]);
            for (const key of spanmetrics.resource_metrics_key_attributes) {
                assert.ok(dims.has(key), `${key} is a dimension`);
            }
            assert.ok(!spanmetrics.add_resource_attributes, "add_resource_attributes would bring the resources back");
        });

        it("are named as Jaeger's Monitor tab queries them: namespace, milliseconds, and the exporter's suffixes", () => {
            assert.strictEqual(spanmetrics.namespace.replace(/\./g, "_"), "traces_span_metrics");
            assert.strictEqual(spanmetrics.histogram.unit, "ms");
            assert.notStrictEqual(config.exporters.prometheus.add_metric_suffixes, false);
            assert.strictEqual(config.exporters.prometheus.translation_strategy, undefined);
            const prom = (jaegerConfig(undefined, { url: "http://p:9090" }) as any).extensions.jaeger_storage.metric_backends[JAEGER_METRICS_STORE].prometheus;
            // Jaeger 2.19 metricstore/prometheus reader.go: <namespace>_calls[_total], <namespace>_duration[_<unit long name>]_bucket.
            assert.strictEqual(`${prom.metric_namespace}_calls${prom.normalize_calls ? "_total" : ""}`, SPAN_METRICS.calls);
            assert.strictEqual(`${prom.metric_namespace}_duration${prom.normalize_duration ? "_milliseconds" : ""}_bucket`, SPAN_METRICS.durationBucket);
            assert.strictEqual(prom.latency_unit, spanmetrics.histogram.unit);
        });

        it("bound the series a span name carrying IDs can make, and expire series of services gone", () => {
            assert.ok(spanmetrics.aggregation_cardinality_limit > 0);
            assert.strictEqual(spanmetrics.metrics_expiration, "5m");
        });

        it("are served on their own pod port, which the agents' ServiceMonitor scrapes", () => {
            assert.strictEqual(config.exporters.prometheus.endpoint, `\${env:MY_POD_IP}:${AGENT_SPANMETRICS_PORT}`);
            const container = otelAgentDaemonSet("tracing", settingsFor("prod").tracing.agent.resources, "c", "x").spec.template.spec.containers[0];
            const port = container.ports.find((p: any) => p.containerPort === AGENT_SPANMETRICS_PORT);
            assert.strictEqual(port.hostPort, undefined, "not on the node's network");
            assert.ok(container.args.includes(`--feature-gates=${AGENT_FEATURE_GATES.join(",")}`));
            const [service, monitor] = otelAgentMonitoring("tracing");
            const servicePort = service.spec.ports.find((p: any) => p.targetPort === port.name);
            assert.ok(monitor.spec.endpoints.some((e: any) => e.port === servicePort.name));
        });
    });

    it("a pod's version label becomes service.version, app.kubernetes.io/version over version, so a canary's traces stand apart", () => {
        const labels = otelAgentConfig({ samplingPercentage: 10, jaegerEndpoint: "j:4317" }).processors.k8s_attributes.extract.labels;
        const version = labels.filter((l: any) => l.tag_name === "service.version");
        // Later rules overwrite earlier ones for the same tag.
        assert.deepStrictEqual(version.map((l: any) => `${l.from}:${l.key}`), ["pod:version", "pod:app.kubernetes.io/version"]);
    });

    describe("Jaeger's Monitor tab", () => {
        it("reads Prometheus through a metrics backend when one is given, and has none without", () => {
            const config = jaegerConfig(ES, { url: "https://prometheus.example:9090", caSecret: "prom-ca" }) as any;
            assertPipelinesConsistent(config);
            assert.strictEqual(config.extensions.jaeger_query.storage.metrics, JAEGER_METRICS_STORE);
            const prom = config.extensions.jaeger_storage.metric_backends[JAEGER_METRICS_STORE].prometheus;
            assert.strictEqual(prom.endpoint, "https://prometheus.example:9090", "the URL as given, scheme included");
            assert.strictEqual(prom.tls.ca_file, "/prometheus-ca/ca.crt");
            const bare = jaegerConfig(ES) as any;
            assert.strictEqual(bare.extensions.jaeger_query.storage.metrics, undefined);
            assert.strictEqual(bare.extensions.jaeger_storage.metric_backends, undefined);
            assert.strictEqual((jaegerConfig(ES, { url: "http://p:9090" }) as any).extensions.jaeger_storage.metric_backends[JAEGER_METRICS_STORE].prometheus.tls, undefined);
        });

        it("mounts the Prometheus CA beside Elasticsearch's", () => {
            const v = jaegerValues(settingsFor("prod").tracing, true, ES, { url: "https://p:9090", caSecret: "prom-ca" }) as any;
            assert.deepStrictEqual(v.jaeger.extraVolumeMounts.map((m: any) => m.mountPath), ["/es-ca", "/prometheus-ca"]);
            assert.deepStrictEqual(v.jaeger.extraVolumes.map((m: any) => m.secret.secretName), ["ca", "prom-ca"]);
        });

        const monitorTab = async (stack: string, config?: Record<string, string>) => {
            const run = config ? await runProgram(stack, { config }) : await stackRun(stack);
            const jaeger = run.resources.find((r) => r.inputs.chart === "jaeger")!;
            const trust = run.resources.find((r) => r.inputs.kind === "Certificate" && r.inputs.metadata?.name === PROMETHEUS_TRUST_SECRET);
            return { jaeger, trust, prom: jaeger.inputs.values.userconfig.extensions.jaeger_storage.metric_backends[JAEGER_METRICS_STORE].prometheus };
        };

        it("with TLS, Jaeger reads the platform's Prometheus over https and verifies it with the platform CA, once cert-manager has issued its trust Secret", async () => {
            const { jaeger, trust, prom } = await monitorTab("prod");
            assert.strictEqual(prom.endpoint, "https://kps-prometheus.monitoring.svc:9090");
            assert.strictEqual(prom.tls.ca_file, "/prometheus-ca/ca.crt");
            assert.ok(trust, "no trust Certificate in the tracing namespace");
            assert.strictEqual(trust.inputs.metadata.namespace, "tracing");
            assert.deepStrictEqual(trust.inputs.spec.issuerRef, { name: ISSUERS.ca, kind: "ClusterIssuer", group: "cert-manager.io" });
            assert.strictEqual(trust.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
            assert.ok(jaeger.dependsOn.includes(trust.urn), "Jaeger may start before its trust Secret exists");
            assert.ok(jaeger.inputs.values.jaeger.extraVolumes.some((v: any) => v.secret?.secretName === PROMETHEUS_TRUST_SECRET));
        });

        it("without TLS, Jaeger reads Prometheus over http and no trust certificate is made", async () => {
            const { trust, prom } = await monitorTab("dev", { "observability-platform:tls": JSON.stringify({ enabled: false }), "observability-platform:logging": JSON.stringify({ enabled: false }), "observability-platform:graylog": JSON.stringify({ enabled: false }) });
            assert.strictEqual(prom.endpoint, "http://kps-prometheus.monitoring.svc:9090");
            assert.strictEqual(prom.tls, undefined);
            assert.strictEqual(trust, undefined);
        });
    });

    it("prod samples fewer traces than dev", () => {
        assert.ok(settingsFor("prod").tracing.samplingPercentage < settingsFor("dev").tracing.samplingPercentage);
    });

    it("a stack can override the sampling rate", () => {
        assert.strictEqual(settingsFor("prod", { "observability-platform:tracing": JSON.stringify({ samplingPercentage: 25 }) }).tracing.samplingPercentage, 25);
    });

    it("memory storage refuses more than one replica", () => {
        assert.throws(() => settingsFor("dev", { "observability-platform:tracing": JSON.stringify({ replicas: 2 }) }), /tracing\.replicas: got 2 with memory storage/);
    });

    it("Jaeger's memory backend needs no credentials", () => {
        const config = jaegerConfig() as any;
        assert.ok(config.extensions.jaeger_storage.backends.primary_store.memory.max_traces > 0);
    });

    it("Jaeger's memory store keeps at most 20,000 traces, which fit its memory limit (75k filled 512Mi in the benchmark)", () => {
        assert.ok((jaegerConfig() as any).extensions.jaeger_storage.backends.primary_store.memory.max_traces <= 20000);
    });

    it("the agent's retry queue fits under its memory limiter: batches x batch size x ~1 KiB per span", () => {
        const config = otelAgentConfig({ samplingPercentage: 10, jaegerEndpoint: "j:4317" }) as any;
        const limit = parseQuantity(otelAgentDaemonSet("tracing", settingsFor("prod").tracing.agent.resources, "otel-agent-config", "0").spec.template.spec.containers[0].resources.limits.memory);
        const queued = config.exporters.otlp_grpc.sending_queue.queue_size * config.processors.batch.send_batch_size * 1024;
        assert.ok(queued <= limit * config.processors.memory_limiter.limit_percentage / 100, `${queued} bytes queued vs a ${limit}-byte limit`);
    });

    it("documents every agent port in the README", async () => {
        const readme = require("fs").readFileSync(path.join(ROOT, "README.md"), "utf8");
        for (const p of AGENT_PORTS) {
            assert.ok(readme.includes(String(p.port)), `README mentions port ${p.port}`);
        }
        assert.match(readme, /status\.hostIP/);
        assert.match(readme, /OTEL_EXPORTER_OTLP_ENDPOINT/);
    });

    describe("pod identity through the Downward API", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        /** The README's YAML example that sets OTEL_RESOURCE_ATTRIBUTES, as the container's env list. */
        const snippetEnv = (): any[] => {
            const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((b) => b.includes("OTEL_RESOURCE_ATTRIBUTES"));
            assert.ok(block, "the README has the snippet");
            return YAML.parse(block!).spec.containers[0].env;
        };

        it("the README's app snippet passes pod name, namespace, UID and node from the Downward API into OTEL_RESOURCE_ATTRIBUTES", () => {
            const env = snippetEnv();
            const field = (name: string) => env.find((e) => e.name === name)?.valueFrom?.fieldRef?.fieldPath;
            assert.strictEqual(field("POD_NAME"), "metadata.name");
            assert.strictEqual(field("POD_NAMESPACE"), "metadata.namespace");
            assert.strictEqual(field("POD_UID"), "metadata.uid");
            assert.strictEqual(field("NODE_NAME"), "spec.nodeName");
            const attrsAt = env.findIndex((e) => e.name === "OTEL_RESOURCE_ATTRIBUTES");
            const attrs = Object.fromEntries(String(env[attrsAt].value).split(",").map((kv) => kv.split("=")));
            assert.deepStrictEqual(attrs, {
                "k8s.pod.name": "$(POD_NAME)", "k8s.namespace.name": "$(POD_NAMESPACE)", "k8s.pod.uid": "$(POD_UID)", "k8s.node.name": "$(NODE_NAME)",
            });
            // Kubernetes expands $(VAR) only from variables defined earlier in the list.
            for (const ref of String(env[attrsAt].value).matchAll(/\$\(([A-Z_]+)\)/g)) {
                const at = env.findIndex((e) => e.name === ref[1]);
                assert.ok(at >= 0 && at < attrsAt, `${ref[1]} is defined before OTEL_RESOURCE_ATTRIBUTES`);
            }
        });

        it("the agent matches spans by the attributes the snippet sets before it falls back to the connection IP", () => {
            const association = otelAgentConfig({ samplingPercentage: 100, jaegerEndpoint: "j:4317" }).processors.k8s_attributes.pod_association;
            const rules = association.map((a: any) => a.sources.map((src: any) => src.name ?? src.from).join("+"));
            assert.deepStrictEqual(rules, ["k8s.pod.uid", "k8s.pod.name+k8s.namespace.name", "k8s.pod.ip", "connection"]);
            const set = new Set(String(snippetEnv().find((e) => e.name === "OTEL_RESOURCE_ATTRIBUTES").value).split(",").map((kv) => kv.split("=")[0]));
            for (const rule of association.slice(0, 2)) {
                for (const src of rule.sources) {
                    assert.ok(set.has(src.name), `the snippet sets ${src.name}`);
                }
            }
        });
    });

    it("Jaeger with several replicas spreads over nodes (zones in prod) under the key its template reads, and gets one drain-safe PDB", async () => {
        const prod = settingsFor("prod");
        assert.ok(prod.tracing.replicas > 1);
        const v = jaegerValues(prod.tracing, true, ES) as any;
        assert.ok(!("topologySpreadContraints" in v.jaeger), "the misspelt key of the chart's values.yaml is read by nothing");
        assert.deepStrictEqual(v.jaeger.topologySpreadConstraints.map((c: any) => `${c.topologyKey} ${c.whenUnsatisfiable}`),
            ["kubernetes.io/hostname DoNotSchedule", "topology.kubernetes.io/zone ScheduleAnyway"]);
        assert.deepStrictEqual(v.jaeger.topologySpreadConstraints[0].labelSelector.matchLabels,
            { "app.kubernetes.io/name": "jaeger", "app.kubernetes.io/instance": "jaeger", "app.kubernetes.io/component": "all-in-one" });
        assert.strictEqual((jaegerValues(settingsFor("dev").tracing, false) as any).jaeger.topologySpreadConstraints, undefined, "one replica needs none");
        const run = await stackRun("prod");
        // The tracing namespace also holds the gate in front of Jaeger's UI, with its own PDB.
        const pdbs = run.resources.filter((r) => r.inputs.kind === "PodDisruptionBudget" && r.inputs.metadata.namespace === "tracing" && !r.inputs.metadata.name.startsWith("ui-gate-"));
        assert.deepStrictEqual(pdbs.map((p) => [p.inputs.metadata.name, p.inputs.spec.maxUnavailable, p.inputs.spec.unhealthyPodEvictionPolicy]), [["jaeger", 1, "AlwaysAllow"]]);
        assert.deepStrictEqual(pdbs[0].inputs.spec.selector.matchLabels, v.jaeger.topologySpreadConstraints[0].labelSelector.matchLabels);
        const chart = run.resources.find((r) => r.inputs.chart === "jaeger")!;
        assert.strictEqual(chart.inputs.values.jaeger.topologySpreadConstraints.length, 2, "prod passes zoneAware");
    });

    // Issue 25, item 15: with kubernetes:enableConfigMapMutable the chart's user-config ConfigMap
    // is updated in place; the chart's Deployment mounts it by subPath and has no checksum of it.
    describe("a changed Jaeger configuration rolls the Jaeger pods", () => {
        const staging = settingsFor("staging");
        it("the checksum follows the userconfig, and only it", () => {
            const base = jaegerValues(staging.tracing, false, ES);
            assert.strictEqual(jaegerConfigChecksum(jaegerValues(staging.tracing, false, ES)), jaegerConfigChecksum(base), "stable for the same config");
            assert.notStrictEqual(jaegerConfigChecksum(jaegerValues(staging.tracing, false, { ...ES, replicas: 2 })), jaegerConfigChecksum(base), "index replicas");
            assert.notStrictEqual(jaegerConfigChecksum(jaegerValues(staging.tracing, false)), jaegerConfigChecksum(base), "memory instead of Elasticsearch");
        });
        it("the transform annotates only the jaeger Deployment's pod template", () => {
            const t = jaegerChartTransform("abc");
            const deployment = { metadata: { name: "jaeger" }, spec: { template: { metadata: { annotations: { "prometheus.io/scrape": "true" } }, spec: {} } } };
            const out = t({ type: "kubernetes:apps/v1:Deployment", props: deployment, opts: {} })!;
            assert.deepStrictEqual(out.props.spec.template.metadata.annotations, { "prometheus.io/scrape": "true", "checksum/config": "abc" });
            assert.strictEqual(t({ type: "kubernetes:core/v1:ConfigMap", props: { metadata: { name: "user-config" } }, opts: {} }), undefined);
            assert.strictEqual(t({ type: "kubernetes:apps/v1:Deployment", props: { metadata: { name: "other" }, spec: { template: {} } }, opts: {} }), undefined);
        });
        for (const stack of ["dev", "staging"]) {
            it(`${stack}: the rendered chart's jaeger Deployment carries the checksum of the values that render its user-config ConfigMap`, async () => {
                const [run, rendered] = [await stackRun(stack), await renderedStack(stack)];
                const chart = run.resources.find((r) => r.inputs.chart === "jaeger")!;
                const objects = rendered.objects.map((o) => o.object).filter((o) => o.metadata?.namespace === "tracing");
                assert.ok(objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === "user-config"), "the chart renders user-config");
                const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "jaeger")!;
                assert.ok(deployment.spec.template.spec.volumes.some((v: any) => v.configMap?.name === "user-config"), "the Deployment mounts it");
                assert.strictEqual(deployment.spec.template.metadata.annotations["checksum/config"], jaegerConfigChecksum(chart.inputs.values));
            });
        }
    });

    describe("in the whole program", () => {
        it("staging hands Jaeger its Elasticsearch user and Grafana a Jaeger datasource", async () => {
            const run = await stackRun("staging");
            const jaeger = run.resources.find((r) => r.inputs.chart === "jaeger")!;
            assert.strictEqual(jaeger.inputs.version, "4.11.1");
            assert.strictEqual(jaeger.inputs.namespace, "tracing");
            const kps = run.resources.find((r) => r.inputs.chart === "kube-prometheus-stack")!;
            const ds = kps.inputs.values.grafana.additionalDataSources.find((d: any) => d.type === "jaeger");
            assert.strictEqual(ds.url, "http://jaeger.tracing.svc:16686");
            const tracingComponent = run.resources.find((r) => r.urn === jaeger.parent)!;
            const creds = run.resources.find((r) => r.inputs.metadata?.name === "logs-jaeger-credentials")!;
            assert.ok(tracingComponent.dependsOn.includes(creds.urn), "Jaeger starts after its credentials exist");
        });

        it("dev keeps traces in memory and creates no Elasticsearch user copy for Jaeger", async () => {
            const run = await stackRun("dev");
            const jaeger = run.resources.find((r) => r.inputs.chart === "jaeger")!;
            assert.ok(jaeger.inputs.values.userconfig.extensions.jaeger_storage.backends.primary_store.memory);
            assert.strictEqual(run.resources.find((r) => r.inputs.metadata?.name === "logs-jaeger-credentials"), undefined);
        });
    });
});
