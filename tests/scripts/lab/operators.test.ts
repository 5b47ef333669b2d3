import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { KubeObject } from "../../../scripts/chart-render";
import { LabObject } from "../../../scripts/lab/objects";
import { impersonating, OperatorProcess, operatorProcesses } from "../../../scripts/lab/operators";
import { ROOT } from "../../../scripts/root";
import { renderedStack } from "../full-render";

const LAB_DIR = "/tmp/obs-lab-prod-x1y2z3";

/** The args the Prometheus Operator keeps: everything the chart renders but the pod-only web flags. */
const KEPT_ARGS = [
    "--kubelet-service=kube-system/kps-kubelet",
    "--kubelet-endpoints=true",
    "--kubelet-endpointslice=false",
    "--localhost=127.0.0.1",
    "--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1",
    "--config-reloader-cpu-request=10m",
    "--config-reloader-cpu-limit=0",
    "--config-reloader-memory-request=32Mi",
    "--config-reloader-memory-limit=0",
    "--thanos-default-base-image=quay.io/thanos/thanos:v0.41.0",
];
const WEB_ARGS = ["--web.enable-tls=true", "--web.cert-file=/cert/tls.crt", "--web.key-file=/cert/tls.key", "--web.listen-address=:10250", "--web.tls-min-version=VersionTLS13"];
const ECK_CONFIG = "log-verbosity: 0\nmetrics-port: 0\ncontainer-registry: docker.elastic.co\nmax-concurrent-reconciles: 3\nca-cert-validity: 8760h\nenable-webhook: false\nnamespaces: [logging]\n";

const deployment = (kind: string, namespace: string, name: string, container: Record<string, any>, pod: Record<string, any> = {}): KubeObject => ({
    apiVersion: "apps/v1",
    kind,
    metadata: { namespace, name },
    spec: { template: { spec: { ...pod, containers: [container] } } },
});

/** A kube-prometheus-stack and ECK render, cut down to what operatorProcesses reads, and decoys beside them. */
function render(): LabObject[] {
    const objects: KubeObject[] = [
        // The chart's admission webhook patch job image, of the same project, is not the operator.
        deployment("Deployment", "monitoring", "kps-admission", { name: "webhook", image: "quay.io/prometheus-operator/admission-webhook:v0.93.1", args: ["--web.listen-address=:8443"] }),
        deployment(
            "Deployment",
            "monitoring",
            "kps-operator",
            { name: "kube-prometheus-stack", image: "quay.io/prometheus-operator/prometheus-operator:v0.93.1", args: [...KEPT_ARGS.slice(0, 4), ...WEB_ARGS.slice(0, 2), ...KEPT_ARGS.slice(4), ...WEB_ARGS.slice(2)] },
            { serviceAccountName: "kps-operator" },
        ),
        deployment(
            "StatefulSet",
            "elastic-system",
            "elastic-operator",
            {
                name: "manager",
                image: "docker.elastic.co/eck/eck-operator:3.5.0",
                args: ["manager", "--config=/conf/eck.yaml"],
                volumeMounts: [
                    { mountPath: "/conf", name: "conf", readOnly: true },
                    { mountPath: "/tmp/k8s-webhook-server/serving-certs", name: "cert", readOnly: true },
                ],
            },
            {
                serviceAccountName: "elastic-operator",
                volumes: [
                    { name: "conf", configMap: { name: "elastic-operator" } },
                    { name: "cert", secret: { defaultMode: 420, secretName: "elastic-operator-webhook-cert" } },
                ],
            },
        ),
        // A ConfigMap of the same name in another namespace is not the operator's.
        { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "logging", name: "elastic-operator" }, data: { "eck.yaml": "log-verbosity: 9\n" } },
        { apiVersion: "v1", kind: "ConfigMap", metadata: { namespace: "elastic-system", name: "elastic-operator" }, data: { "eck.yaml": ECK_CONFIG } },
    ];
    return objects.map((object) => ({ object, source: "charts/fixture/manifests.yaml" }));
}

const find = (objects: readonly LabObject[], kind: string, name: string) => objects.find((o) => o.object.kind === kind && o.object.metadata.name === name)!.object;
const processOf = (processes: readonly OperatorProcess[], binary: OperatorProcess["binary"]) => {
    const found = processes.find((p) => p.binary === binary);
    assert.ok(found, `${binary} among ${processes.map((p) => p.binary).join(", ") || "no processes"}`);
    return found;
};

describe("lab operators: operatorProcesses", () => {
    it("runs the Prometheus Operator and the ECK operator of the render", () => {
        assert.deepStrictEqual(operatorProcesses(render(), LAB_DIR).map((p) => p.binary), ["prometheus-operator", "eck-operator"]);
    });

    it("runs no operator for a render without their workloads", () => {
        const objects = render().filter((o) => !["kps-operator", "elastic-operator"].includes(o.object.metadata.name) || o.object.kind === "ConfigMap");
        assert.deepStrictEqual(operatorProcesses(objects, LAB_DIR), []);
    });

    it("keeps the Prometheus Operator's args in order, its pod-only web flags replaced by a loopback listener without TLS, acting as its ServiceAccount", () => {
        const po = processOf(operatorProcesses(render(), LAB_DIR), "prometheus-operator");
        assert.deepStrictEqual(po.args, [...KEPT_ARGS, "--web.enable-tls=false", "--web.listen-address=127.0.0.1:18080", "--as=system:serviceaccount:monitoring:kps-operator"]);
    });

    it("also replaces the web flags the chart renders with TLS off, and the client CA and cipher suites", () => {
        const objects = render();
        const container = find(objects, "Deployment", "kps-operator").spec.template.spec.containers[0];
        container.args = [...KEPT_ARGS, "--web.enable-tls=false", "--web.listen-address=:8080", "--web.client-ca-file=/cert/ca.crt", "--web.tls-cipher-suites=TLS_AES_128_GCM_SHA256"];
        const po = processOf(operatorProcesses(objects, LAB_DIR), "prometheus-operator");
        assert.deepStrictEqual(po.args, [...KEPT_ARGS, "--web.enable-tls=false", "--web.listen-address=127.0.0.1:18080", "--as=system:serviceaccount:monitoring:kps-operator"]);
    });

    it("impersonates the Prometheus Operator by --as, not through its kubeconfig, with no files or environment", () => {
        const po = processOf(operatorProcesses(render(), LAB_DIR), "prometheus-operator");
        assert.deepStrictEqual({ serviceAccount: po.serviceAccount, kubeconfigImpersonation: po.kubeconfigImpersonation, env: po.env, files: po.files }, { serviceAccount: "monitoring/kps-operator", kubeconfigImpersonation: false, env: {}, files: {} });
    });

    it("acts as the namespace's default ServiceAccount when the workload names none", () => {
        const objects = render();
        delete find(objects, "Deployment", "kps-operator").spec.template.spec.serviceAccountName;
        const po = processOf(operatorProcesses(objects, LAB_DIR), "prometheus-operator");
        assert.strictEqual(po.serviceAccount, "monitoring/default");
        assert.strictEqual(po.args[po.args.length - 1], "--as=system:serviceaccount:monitoring:default");
    });

    it("points ECK's --config into the lab directory, its other args kept", () => {
        assert.deepStrictEqual(processOf(operatorProcesses(render(), LAB_DIR), "eck-operator").args, ["manager", `--config=${LAB_DIR}/eck.yaml`]);
    });

    it("gives ECK the eck.yaml of the ConfigMap in its own namespace as the file --config reads", () => {
        assert.deepStrictEqual(processOf(operatorProcesses(render(), LAB_DIR), "eck-operator").files, { "eck.yaml": ECK_CONFIG });
    });

    it("reads ECK's configuration from the volume mounted at /conf, whatever its name", () => {
        const objects = render();
        const spec = find(objects, "StatefulSet", "elastic-operator").spec.template.spec;
        spec.containers[0].volumeMounts[0].name = "operator-config";
        spec.volumes[0].name = "operator-config";
        assert.deepStrictEqual(processOf(operatorProcesses(objects, LAB_DIR), "eck-operator").files, { "eck.yaml": ECK_CONFIG });
    });

    it("sets ECK's downward-API environment for a local process and impersonates its ServiceAccount through the kubeconfig", () => {
        const eck = processOf(operatorProcesses(render(), LAB_DIR), "eck-operator");
        assert.deepStrictEqual({ env: eck.env, serviceAccount: eck.serviceAccount, kubeconfigImpersonation: eck.kubeconfigImpersonation }, {
            env: { OPERATOR_NAMESPACE: "elastic-system", POD_IP: "127.0.0.1" },
            serviceAccount: "elastic-system/elastic-operator",
            kubeconfigImpersonation: true,
        });
    });

    it("throws naming ECK's ConfigMap when the render lacks it", () => {
        const objects = render().filter((o) => !(o.object.kind === "ConfigMap" && o.object.metadata.namespace === "elastic-system"));
        assert.throws(() => operatorProcesses(objects, LAB_DIR), { message: "the ECK operator's configuration (ConfigMap elastic-system/elastic-operator, key eck.yaml) is not in the render" });
    });

    it("throws naming ECK's ConfigMap when it has no eck.yaml", () => {
        const objects = render();
        find(objects.filter((o) => o.object.metadata.namespace === "elastic-system"), "ConfigMap", "elastic-operator").data = { "other.yaml": "x: 1\n" };
        assert.throws(() => operatorProcesses(objects, LAB_DIR), { message: "the ECK operator's configuration (ConfigMap elastic-system/elastic-operator, key eck.yaml) is not in the render" });
    });
});

/** The kubeconfig tools/cluster/lab.sh writes, read from the script itself, with its token and PKI folder filled in. */
function labKubeconfig(): string {
    const script = fs.readFileSync(path.join(ROOT, "tools", "cluster", "lab.sh"), "utf8");
    const heredoc = /cat >"\$LAB\/kubeconfig" <<EOF\n([\s\S]*?\n)EOF\n/.exec(script);
    assert.ok(heredoc, "tools/cluster/lab.sh writes $LAB/kubeconfig from a heredoc");
    return heredoc[1].replaceAll("$token", "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978").replaceAll("$p", `${LAB_DIR}/pki`);
}

describe("lab operators: impersonating", () => {
    it("adds the ServiceAccount's user and groups to the lab kubeconfig's user, its token kept", () => {
        const config = YAML.parse(impersonating(labKubeconfig(), "elastic-system/elastic-operator"));
        assert.deepStrictEqual(config.users, [{
            name: "lab-admin",
            user: {
                token: "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978",
                as: "system:serviceaccount:elastic-system:elastic-operator",
                "as-groups": ["system:serviceaccounts", "system:serviceaccounts:elastic-system", "system:authenticated"],
            },
        }]);
    });

    it("changes nothing but the user line", () => {
        const before = labKubeconfig().split("\n");
        const after = impersonating(labKubeconfig(), "elastic-system/elastic-operator").split("\n");
        const userLine = before.findIndex((l) => l.includes("user: {token:"));
        assert.deepStrictEqual(after.filter((_, i) => i !== userLine), before.filter((_, i) => i !== userLine));
    });

    it("throws when the kubeconfig has no `user: {token: ...}` line", () => {
        const blockStyle = labKubeconfig().replace(/user: \{token: "([^"]*)"\}/, 'user:\n    token: "$1"');
        assert.throws(() => impersonating(blockStyle, "elastic-system/elastic-operator"), { message: "the lab's kubeconfig has no `user: {token: ...}` line to add impersonation to" });
    });
});

describe("lab operators: the prod render", function () {
    this.timeout(600_000);

    it("gives the Prometheus and ECK operators of the prod render local processes: the rendered args but the web flags, and ECK's ConfigMap", async () => {
        const { objects } = await renderedStack("prod");
        const processes = operatorProcesses(objects.map((o) => ({ object: o.object, source: o.file })), LAB_DIR);
        assert.deepStrictEqual(processes.map((p) => p.binary), ["prometheus-operator", "eck-operator"]);
        const rendered = (kind: string, image: string) => objects.map((o) => o.object).find((o) => o.kind === kind && String(o.spec.template.spec.containers[0].image).includes(image))!;
        const po = processOf(processes, "prometheus-operator");
        const poArgs: string[] = rendered("Deployment", "/prometheus-operator:").spec.template.spec.containers[0].args;
        assert.ok(poArgs.some((a) => a.startsWith("--web.listen-address=:")), poArgs.join(" "));
        assert.deepStrictEqual(po.args, [...poArgs.filter((a) => !a.startsWith("--web.")), "--web.enable-tls=false", "--web.listen-address=127.0.0.1:18080", `--as=system:serviceaccount:${po.serviceAccount.replace("/", ":")}`]);
        const eck = processOf(processes, "eck-operator");
        const eckNamespace = rendered("StatefulSet", "/eck-operator:").metadata.namespace;
        const configMap = objects.map((o) => o.object).find((o) => o.kind === "ConfigMap" && o.metadata.namespace === eckNamespace && o.metadata.name === "elastic-operator")!;
        assert.deepStrictEqual({ args: eck.args, files: eck.files, env: eck.env }, { args: ["manager", `--config=${LAB_DIR}/eck.yaml`], files: { "eck.yaml": configMap.data["eck.yaml"] }, env: { OPERATOR_NAMESPACE: eckNamespace, POD_IP: "127.0.0.1" } });
    });
});
