import * as assert from "assert";
import * as path from "path";
import { CERT_MANAGER, chartFile, GRAYLOG } from "../../components/shared/charts";
import { ChartRelease, ChartRenderError, chartReleases, helmTemplate, isNamespaced, clusterScopedKinds, KubeObject, parseHelmOutput, PLATFORM_API_VERSIONS, templateOnce } from "../../scripts/chart-render";
import { chartDirectory } from "../../scripts/charts";
import { formatSchemaProblem, portNameProblem, schemaProblems } from "../../scripts/kube-schema";
import { RecordedResource } from "../../scripts/mock-program";
import { admissionProblems, referenceProblems } from "../../scripts/references";
import { formatText, parseManifests } from "../../scripts/policy-check";
import { masked } from "../../scripts/render";
import { subjectOf } from "../../policies/lib/kube";
import { blocks, evaluate } from "../../policies/rules";
import { stackRun } from "../helpers/program";
import { assertSameReading, oracleReading, Reading, readingOf, yamlOracle } from "../helpers/yaml-oracle";
import { renderedStack, STACKS } from "./full-render";

const chartObjects = (objects: ReadonlyArray<{ file: string; object: KubeObject }>, chart: string) =>
    objects.filter((o) => o.file === `charts/${chart}/manifests.yaml`).map((o) => o.object);

function certManagerRelease(values: Record<string, unknown>): ChartRelease {
    return {
        name: "cert-manager", type: "kubernetes-cert-manager:index:CertManager", archive: path.join(chartDirectory(), chartFile(CERT_MANAGER)),
        releaseName: "cert-manager", namespace: "cert-manager", values, transforms: [], dropHooks: false,
    };
}

describe("the full render: charts rendered as the provider deploys them", function () {
    this.timeout(600_000);

    for (const stack of STACKS) {
        it(`${stack}: every namespaced chart object has a namespace, and no helm.v4.Chart object is a hook`, async () => {
            const { objects } = await renderedStack(stack);
            const clusterCustom = clusterScopedKinds(objects.map((o) => o.object));
            for (const { file, object } of objects.filter((o) => o.file.startsWith("charts/"))) {
                if (isNamespaced(object, clusterCustom)) {
                    assert.ok(object.metadata?.namespace, `${file}: ${object.kind} ${object.metadata?.name} has no namespace`);
                }
                if (!file.includes("cert-manager")) {
                    assert.strictEqual(object.metadata?.annotations?.["helm.sh/hook"], undefined, `${file}: ${object.kind} ${object.metadata?.name} is a hook`);
                }
            }
        });

        it(`${stack}: every object passes its Kubernetes ${"1.34"} or CRD schema`, async () => {
            const { objects } = await renderedStack(stack);
            assert.deepStrictEqual(schemaProblems(objects).map(formatSchemaProblem), []);
        });

        it(`${stack}: every reference resolves (selectors, monitors, Secrets, ConfigMaps, ServiceAccounts, PVCs, Ingress backends, in-cluster addresses)`, async () => {
            const { objects } = await renderedStack(stack);
            assert.deepStrictEqual(referenceProblems(objects.map((o) => o.object)), []);
        });

        it(`${stack}: every platform namespace denies ingress by default, and every port the render calls (in-cluster addresses, monitors, annotated pods, Ingress backends, webhooks) is admitted from its caller`, async () => {
            const { objects } = await renderedStack(stack);
            assert.deepStrictEqual(admissionProblems(objects.map((o) => o.object)), []);
        });

        it(`${stack}: every PodDisruptionBudget, the charts' own included, is drain-safe (maxUnavailable: 1, unhealthyPodEvictionPolicy: AlwaysAllow)`, async () => {
            const { objects } = await renderedStack(stack);
            for (const { file, object } of objects.filter((o) => o.object.kind === "PodDisruptionBudget")) {
                const { selector, ...rest } = object.spec;
                assert.deepStrictEqual(rest, { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow" }, `${file}: ${object.metadata.name}`);
                assert.ok(selector, `${file}: ${object.metadata.name} selects pods`);
            }
        });

        it(`${stack}: the policy pack finds no mandatory violation in the full render, chart objects included`, async () => {
            const { objects } = await renderedStack(stack);
            const report = evaluate(objects.map((o) => subjectOf(o.object, o.file)));
            const blocking = report.violations.filter((v) => blocks(v.level));
            assert.strictEqual(blocking.length, 0, formatText({ ...report, violations: blocking }));
        });

        // Issue 25, item 15: with kubernetes:enableConfigMapMutable a changed ConfigMap is updated in
        // place, and nothing else restarts a pod that read it at start (or mounts it by subPath).
        it(`${stack}: every Deployment, StatefulSet and DaemonSet that reads a ConfigMap the stack declares carries a checksum annotation, so a change rolls it`, async () => {
            const { objects } = await renderedStack(stack);
            const declared = new Set(objects.filter((o) => o.object.kind === "ConfigMap").map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`));
            const unrolled: string[] = [];
            for (const { file, object } of objects.filter((o) => ["Deployment", "StatefulSet", "DaemonSet"].includes(o.object.kind))) {
                const read = new Set<string>();
                const walk = (v: unknown): void => {
                    if (Array.isArray(v)) {
                        v.forEach(walk);
                    } else if (v !== null && typeof v === "object") {
                        for (const [k, x] of Object.entries(v)) {
                            if (["configMap", "configMapRef", "configMapKeyRef"].includes(k) && typeof (x as any)?.name === "string") {
                                read.add(`${object.metadata.namespace}/${(x as any).name}`);
                            }
                            walk(x);
                        }
                    }
                };
                walk(object.spec.template.spec);
                const mine = [...read].filter((cm) => declared.has(cm));
                const checksums = Object.keys(object.spec.template.metadata?.annotations ?? {}).filter((a) => a.includes("checksum"));
                if (mine.length > 0 && checksums.length === 0) {
                    unrolled.push(`${file}: ${object.kind} ${object.metadata.name} reads ${mine.join(", ")}`);
                }
            }
            assert.deepStrictEqual(unrolled, []);
        });
    }

    for (const stack of STACKS) {
        it(`${stack}: node-exporter's DaemonSet rolls 10% of the nodes at a time, as the other agents do, so an update finishes inside the provider's 10-minute await`, async () => {
            const { objects } = await renderedStack(stack);
            const daemonSets = chartObjects(objects, "observability-metrics-kps").filter((o) => o.kind === "DaemonSet" && /node-exporter/.test(o.metadata.name));
            assert.strictEqual(daemonSets.length, 1, "the kube-prometheus-stack chart renders one node-exporter DaemonSet");
            assert.deepStrictEqual(daemonSets[0].spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } });
        });
    }

    it("the CertManager component's Helm release runs its hooks, so they stay in its render", async () => {
        const { objects } = await renderedStack("dev");
        const hooks = objects.filter((o) => o.file.includes("cert-manager") && o.object.metadata?.annotations?.["helm.sh/hook"]);
        assert.ok(hooks.some((o) => o.object.kind === "Job" && /startupapicheck/.test(o.object.metadata.name)), "startupapicheck is rendered");
    });

    it("applies the chart's transforms from the program: Graylog's chart PDBs are drain-safe, its StatefulSets carry checksums of what the program feeds them", async () => {
        const { objects } = await renderedStack("prod");
        const graylog = chartObjects(objects, "observability-graylog-graylog");
        const pdbs = graylog.filter((o) => o.kind === "PodDisruptionBudget");
        assert.ok(pdbs.length > 0, `the ${GRAYLOG.chart} chart renders PDBs`);
        for (const pdb of pdbs) {
            assert.strictEqual(pdb.spec.unhealthyPodEvictionPolicy, "AlwaysAllow", pdb.metadata.name);
            assert.strictEqual(pdb.spec.minAvailable, undefined, pdb.metadata.name);
        }
        const statefulSets = graylog.filter((o) => o.kind === "StatefulSet");
        assert.ok(statefulSets.every((s) => s.spec.template.metadata.annotations["checksum/config"]), "every StatefulSet rolls on a settings change");
    });

    it("places every node-exporter object in the node agents' namespace, and nothing else of kube-prometheus-stack", async () => {
        const kps = chartObjects((await renderedStack("prod")).objects, "observability-metrics-kps");
        const moved = kps.filter((o) => o.metadata.namespace === "node-agents").map((o) => `${o.kind}/${o.metadata.name}`).sort();
        assert.deepStrictEqual(moved, ["DaemonSet", "Service", "ServiceAccount", "ServiceMonitor"].map((k) => `${k}/kps-prometheus-node-exporter`));
    });

    it("a chart that rejects its values fails with the chart's name and its schema's words (cert-manager and prometheus.serviceMonitor)", async () => {
        await assert.rejects(helmTemplate(certManagerRelease({ prometheus: { enabled: true, serviceMonitor: { enabled: false } } })),
            (err: Error) => /chart cert-manager \(cert-manager-v1\.19\.1\.tgz\) rejects its values/.test(err.message)
                && /at '\/prometheus': additional properties 'serviceMonitor' not allowed/.test(err.message));
        const objects = await helmTemplate(certManagerRelease({ prometheus: { enabled: true } }));
        assert.ok(objects.some((o) => o.kind === "Deployment"));
    });

    it("passes the CertManager component's typed arguments to the chart verbatim; same-named helmOptions.values are dropped", () => {
        const resource = {
            type: "kubernetes-cert-manager:index:CertManager", name: "cm", transforms: [], secretPaths: [],
            inputs: { replicaCount: 2, helmOptions: { chart: "cert-manager", version: "v1.19.1", namespace: "cert-manager", name: "cert-manager", values: { webhook: { replicaCount: 3 }, extra: 1 } } },
        } as unknown as RecordedResource;
        const [release] = chartReleases([resource], masked, () => "/charts");
        assert.deepStrictEqual(release.values, { extra: 1, replicaCount: 2 });
        assert.strictEqual(release.archive, "/charts/cert-manager-v1.19.1.tgz");
        assert.strictEqual(release.dropHooks, false);
    });

    it("renders with the API versions of the CRDs charts ask about (Prometheus Operator, cert-manager), every served one", async () => {
        const { objects } = await renderedStack("prod");
        const served = objects.map((o) => o.object).filter((o) => o.kind === "CustomResourceDefinition")
            .flatMap((crd) => crd.spec.versions.filter((v: { served: boolean }) => v.served).map((v: { name: string }) => `${crd.spec.group}/${v.name}/${crd.spec.names.kind}`));
        const missing = served.filter((v) => !PLATFORM_API_VERSIONS.includes(v)).sort();
        assert.deepStrictEqual(missing.filter((v) => /monitoring\.coreos\.com|cert-manager\.io/.test(v)), [], "the CRDs charts ask about through .Capabilities");
    });
});

describe("reading Helm's output as the provider does (tools/yaml-oracle)", function () {
    this.timeout(600_000);
    before(async () => {
        await yamlOracle();
    });

    /** The oracle's reading of each distinct Helm output: the CRD, cert-manager and operator charts render alike in every stack. */
    const oracleOf = new Map<string, Promise<Reading>>();
    const providerReading = (text: string) => {
        let reading = oracleOf.get(text);
        if (!reading) {
            reading = oracleReading(text);
            oracleOf.set(text, reading);
        }
        return reading;
    };

    for (const stack of STACKS) {
        it(`${stack}: every chart's objects, as the render read them from Helm, are what the provider's decoder reads`, async () => {
            await renderedStack(stack);
            const run = await stackRun(stack);
            for (const release of chartReleases(run.resources, masked, () => chartDirectory())) {
                const { text, objects } = await templateOnce(release);
                const oracle = await providerReading(text);
                // The render keeps only documents with a kind.
                const withKind = "docs" in oracle ? { docs: oracle.docs.filter((o) => Boolean((o as KubeObject).kind)) } : oracle;
                assertSameReading({ docs: objects }, withKind, `${stack}: ${release.name}`);
            }
        });
    }

    it("the policy checker reads every chart's Helm output but the CRDs as kubectl's decoder does", async () => {
        // The CRDs are three quarters of the text and one kind of YAML throughout: the checker's
        // reader takes seconds on them, and the render's reader is held to the oracle on them above.
        const withoutCrds = (text: string) => text.split(/^(?=---$)/m).filter((doc) => !/^kind: CustomResourceDefinition$/m.test(doc)).join("");
        const texts = new Set<string>();
        for (const stack of STACKS) {
            await renderedStack(stack);
            for (const release of chartReleases((await stackRun(stack)).resources, masked, () => chartDirectory())) {
                texts.add(withoutCrds((await templateOnce(release)).text));
            }
        }
        for (const text of texts) {
            assertSameReading(readingOf(() => parseManifests(text, "helm-output.yaml")), await oracleReading(text), text.slice(0, 200));
        }
    });

    it("reads the Graylog chart's defaultMode: 0755 as octal, 493, the only reading the API server accepts (0 to 0777)", async () => {
        const { objects } = await renderedStack("prod");
        const modes = chartObjects(objects, "observability-graylog-graylog")
            .flatMap((o) => o.spec?.template?.spec?.volumes ?? [])
            .flatMap((v: KubeObject) => [v.configMap?.defaultMode, v.secret?.defaultMode].filter((m) => m !== undefined));
        assert.ok(modes.includes(0o755), `the chart's modes: ${modes}`);
        assert.ok(modes.every((m) => m >= 0 && m <= 0o777), `the chart's modes: ${modes}`);
    });

    it("fails on malformed output with the chart's name and line, as a chart render error", () => {
        assert.throws(() => parseHelmOutput("kind: A\n---\nkind: B\nx: a: b\n", "observability-x"),
            (err: Error) => err instanceof ChartRenderError && /^chart observability-x: Helm's output is not YAML the provider reads \(line 4\): /.test(err.message));
    });

    it("fails on a document the provider cannot take: a string, or a value JSON cannot hold", () => {
        for (const text of ["kind: A\n---\njust a string\n", "kind: A\nratio: .inf\n"]) {
            assert.throws(() => parseHelmOutput(text, "observability-x"), (err: Error) => err instanceof ChartRenderError && /^chart observability-x: /.test(err.message), text);
        }
    });
});

describe("schema checks fail on what the API server would refuse", function () {
    this.timeout(600_000);

    const withChange = async (change: (o: KubeObject) => boolean) => {
        const { objects } = await renderedStack("dev");
        const copies = objects.map((o) => ({ file: o.file, object: structuredClone(o.object) }));
        assert.ok(copies.some((o) => change(o.object)), "the change applied");
        return schemaProblems(copies).map(formatSchemaProblem);
    };

    it("a misspelt field of a custom resource (Elasticsearch nodeSet for nodeSets), in the CRD's words", async () => {
        const problems = await withChange((o) => {
            if (o.kind !== "Elasticsearch") return false;
            o.spec.nodeSet = o.spec.nodeSets;
            delete o.spec.nodeSets;
            return true;
        });
        assert.ok(problems.some((p) => /^Elasticsearch logging\/logs \(manifests\/logging\/elasticsearch-logs\.yaml\): \/spec: must have required property 'nodeSets'/.test(p)), problems.join("\n"));
        assert.ok(problems.some((p) => /Elasticsearch logging\/logs .*: \/spec: unknown field "nodeSet"/.test(p)), problems.join("\n"));
    });

    it("an unknown field of a built-in kind", async () => {
        const problems = await withChange((o) => {
            if (o.kind !== "DaemonSet" || o.metadata.name !== "fluent-bit") return false;
            o.spec.template.spec.tolerration = [];
            return true;
        });
        assert.deepStrictEqual(problems.filter((p) => p.includes("tolerration")), [
            'DaemonSet node-agents/fluent-bit (manifests/node-agents/daemonset-fluent-bit.yaml): /spec/template/spec/tolerration: unknown field "tolerration" (not in the Kubernetes API for apps/v1 DaemonSet)',
        ]);
    });

    it("a port name longer than 15 characters, in a container and as a Service's targetPort, as kube-apiserver refused otel-agent's", async () => {
        // withChange stops at the first object changed: the DaemonSet's port and the Service's targetPort, one run each.
        const rename = (kind: string, name: string) => withChange((o) => {
            if (o.kind !== kind || o.metadata.name !== name) return false;
            const ports = o.kind === "Service" ? o.spec.ports : o.spec.template.spec.containers[0].ports;
            const key = o.kind === "Service" ? "targetPort" : "name";
            ports.find((p: any) => p[key] === "http-spans")[key] = "http-spanmetrics";
            return true;
        });
        const problems = [...await rename("DaemonSet", "otel-agent"), ...await rename("Service", "otel-agent-metrics")];
        assert.deepStrictEqual(problems.filter((p) => p.includes("http-spanmetrics")).map((p) => p.replace(/ \(manifests.*?\)/, "")), [
            'DaemonSet node-agents/otel-agent: /spec/template/spec/containers/0/ports/7/name: port name "http-spanmetrics" must be no more than 15 characters (the API server\'s IANA_SVC_NAME rule)',
            'Service node-agents/otel-agent-metrics: /spec/ports/1/targetPort: port name "http-spanmetrics" must be no more than 15 characters (the API server\'s IANA_SVC_NAME rule)',
        ].sort());
    });

    it("a wrong type in a chart object, and an int-or-string taking either", async () => {
        const problems = await withChange((o) => {
            if (o.kind !== "Deployment" || o.metadata.name !== "kps-grafana") return false;
            o.spec.replicas = "one";
            o.spec.strategy = { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } };
            return true;
        });
        assert.deepStrictEqual(problems, ["Deployment monitoring/kps-grafana (charts/observability-metrics-kps/manifests.yaml): /spec/replicas: must be integer"]);
    });

    it("a custom resource whose CRD is not in the render", async () => {
        const problems = await withChange((o) => {
            if (o.kind !== "Kibana") return false;
            o.apiVersion = "kibana.k8s.elastic.co/v9";
            return true;
        });
        assert.ok(problems.some((p) => /Kibana logging\/logs .*: \/: no schema: kibana\.k8s\.elastic\.co\/v9 Kibana/.test(p)), problems.join("\n"));
    });
});

describe("reference checks fail on a broken reference", function () {
    this.timeout(600_000);

    const withChange = async (stack: string, change: (o: KubeObject) => boolean) => {
        const { objects } = await renderedStack(stack);
        const copies = objects.map((o) => structuredClone(o.object));
        assert.ok(copies.filter(change).length > 0, "the change applied");
        return referenceProblems(copies);
    };

    it("a Service whose selector matches no pod template", async () => {
        const problems = await withChange("dev", (o) => o.kind === "Service" && o.metadata.name === "jaeger" && Boolean(o.spec.selector = { ...o.spec.selector, "app.kubernetes.io/name": "jaegre" }));
        assert.ok(problems.some((p) => /^Service tracing\/jaeger: its selector .* matches no pod template in tracing$/.test(p)), problems.join("\n"));
    });

    it("a ServiceMonitor endpoint naming a port its Services lack", async () => {
        const problems = await withChange("dev", (o) => o.kind === "ServiceMonitor" && o.metadata.name === "kps-grafana" && Boolean(o.spec.endpoints[0].port = "metrics"));
        assert.ok(problems.some((p) => /^ServiceMonitor monitoring\/kps-grafana: no selected Service \(kps-grafana\) has a port named "metrics"$/.test(p)), problems.join("\n"));
    });

    it("a pod template naming a Secret nobody makes, while Secrets of Certificates count as made by cert-manager", async () => {
        const problems = await withChange("dev", (o) => {
            if (o.kind !== "DaemonSet" || o.metadata.name !== "fluent-bit") return false;
            o.spec.template.spec.volumes.push({ name: "x", secret: { secretName: "nope" } });
            return true;
        });
        assert.deepStrictEqual(problems, ["DaemonSet node-agents/fluent-bit: Secret node-agents/nope does not exist in the render and no operator makes it"]);
    });

    it("an address in configuration naming a Service port that does not exist", async () => {
        const problems = await withChange("dev", (o) => {
            if (o.kind !== "ConfigMap" || !JSON.stringify(o.data ?? {}).includes("jaeger.tracing.svc:4317")) return false;
            o.data = Object.fromEntries(Object.entries<string>(o.data).map(([k, v]) => [k, v.replace("jaeger.tracing.svc:4317", "jaeger.tracing.svc:4319")]));
            return true;
        });
        assert.ok(problems.some((p) => /jaeger\.tracing\.svc:4319: Service tracing\/jaeger has no port 4319/.test(p)), problems.join("\n"));
    });

    it("an Ingress whose backend Service does not exist", async () => {
        const problems = await withChange("prod", (o) => o.kind === "Ingress" && Boolean(o.spec.rules[0].http.paths[0].backend.service.name = "gone"));
        assert.ok(problems.some((p) => /^Ingress .*: backend Service gone does not exist$/.test(p)), problems.join("\n"));
    });
});

describe("port names, as the API server's IANA_SVC_NAME rule takes them", () => {
    it("accepts lower-case names of at most 15 characters with a letter", () => {
        for (const name of ["http", "http-spans", "otlp-grpc", "9100-metrics", "abcdefghijklmno"]) {
            assert.strictEqual(portNameProblem(name), undefined, name);
        }
    });

    it("refuses each way a name can break it, saying which", () => {
        assert.deepStrictEqual(Object.fromEntries(["abcdefghijklmnop", "Http", "http_metrics", "9100", "-http", "http-", "http--x"].map((n) => [n, portNameProblem(n)])), {
            abcdefghijklmnop: "must be no more than 15 characters",
            Http: "must contain only lower-case letters, digits and '-'",
            http_metrics: "must contain only lower-case letters, digits and '-'",
            9100: "must contain at least one letter",
            "-http": "must not begin or end with '-' or contain '--'",
            "http-": "must not begin or end with '-' or contain '--'",
            "http--x": "must not begin or end with '-' or contain '--'",
        });
    });
});

describe("the NetworkPolicy admission check fails on a missing path", function () {
    this.timeout(600_000);

    const without = async (stack: string, policy: string) => {
        const { objects } = await renderedStack(stack);
        const kept = objects.map((o) => o.object).filter((o) => !(o.kind === "NetworkPolicy" && `${o.metadata.namespace}/${o.metadata.name}` === policy));
        assert.strictEqual(kept.length, objects.length - 1, `${policy} is in the render`);
        return admissionProblems(kept);
    };

    it("a platform namespace without its default-deny", async () => {
        assert.deepStrictEqual(await without("prod", "logging/default-deny"), ["Namespace logging: no default-deny ingress NetworkPolicy (podSelector {}, no ingress rule)"]);
    });

    it("the node agents' metrics ports closed to Prometheus (ServiceMonitors)", async () => {
        const problems = await without("prod", "node-agents/prometheus-scrapes");
        assert.ok(problems.some((p) => p === "ServiceMonitor node-agents/fluent-bit: Prometheus monitoring/kps-prometheus is not admitted to DaemonSet node-agents/fluent-bit port http-metrics/TCP"), problems.join("\n"));
    });

    it("Jaeger's scrape port closed (a prometheus.io pod annotation)", async () => {
        const problems = await without("prod", "tracing/prometheus-scrapes");
        assert.deepStrictEqual(problems, ["Deployment tracing/jaeger's prometheus.io annotations: Prometheus monitoring/kps-prometheus is not admitted to Deployment tracing/jaeger port 8888/TCP"]);
    });

    it("a webhook closed to the API server", async () => {
        const problems = await without("prod", "cert-manager/cert-manager-webhook");
        assert.ok(problems.length > 0 && problems.every((p) => /WebhookConfiguration cert-manager-webhook .*: the API server is not admitted to Deployment cert-manager\/cert-manager-webhook port https\/TCP$/.test(p)), problems.join("\n"));
    });

    it("an Ingress backend closed to the ingress controller", async () => {
        assert.deepStrictEqual(await without("prod", "monitoring/ui-grafana"), ["Ingress monitoring/ui-grafana: the ingress controller is not admitted to Deployment monitoring/kps-grafana port grafana/TCP"]);
    });

    it("an in-cluster address whose caller is not admitted: the agents' exporter to Jaeger", async () => {
        const problems = await without("prod", "tracing/jaeger-clients");
        assert.ok(problems.includes("ConfigMap node-agents/otel-agent-config (jaeger.tracing.svc:4317): DaemonSet node-agents/otel-agent is not admitted to Deployment tracing/jaeger port 4317/TCP"), problems.join("\n"));
    });

    it("a ConfigMap no template mounts (Grafana's datasources): no pod of its namespace admitted", async () => {
        const problems = await without("staging", "logging/elasticsearch-clients");
        assert.ok(problems.includes("ConfigMap monitoring/kps-grafana-datasource (logs-es-http.logging.svc:9200): no pod of monitoring is admitted to Service logging/logs-es-http port 9200"), problems.join("\n"));
    });
});
