/**
 * Renders every chart the program declares with the program's values, the way the provider
 * would deploy it (pulumi-kubernetes provider/helm/v4/chart.go, read at v4.32.0):
 *   - `helm template` with the release name and namespace, CRDs included (`skipCrds` unset);
 *   - the target Kubernetes version and the API versions of the CRDs the platform installs, as
 *     a cluster that already runs the platform reports them through discovery;
 *   - hooks dropped for `helm.v4.Chart` (DisableHooks: only `release.Manifest` is registered);
 *     the CertManager component is a `helm.v3.Release`, which runs them, so they stay;
 *   - the release namespace set on namespaced objects the chart leaves without one (yaml/v2
 *     Normalize);
 *   - the chart's `transforms` from its resource options, the program's own functions, applied
 *     to each object as the engine applies them to the chart's children.
 * Secret data is masked. A chart that rejects its values fails with Helm's message.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chartFile } from "../components/shared/charts";
import { helmBinary } from "./helm";
import { KubeYamlError, readKubeYaml } from "./kube-yaml";
import { RecordedResource, ROOT } from "./mock-program";

/** The Kubernetes minor the render and the schema checks target (kubernetes-models 5.1.0 has its API). */
export const KUBE_VERSION = "1.34.0";

/**
 * API versions the platform's CRDs serve, as discovery lists them (`group/version` and
 * `group/version/Kind`). A test derives this list from the CRDs in the full render, so a chart
 * bump that adds one fails until it is added here.
 */
export const PLATFORM_API_VERSIONS: readonly string[] = [
    ...["Alertmanager", "PodMonitor", "Probe", "Prometheus", "PrometheusRule", "ServiceMonitor", "ThanosRuler"].map((k) => `monitoring.coreos.com/v1/${k}`),
    ...["PrometheusAgent", "ScrapeConfig"].map((k) => `monitoring.coreos.com/v1alpha1/${k}`),
    "monitoring.coreos.com/v1alpha1/AlertmanagerConfig",
    ...["Certificate", "CertificateRequest", "ClusterIssuer", "Issuer"].map((k) => `cert-manager.io/v1/${k}`),
    ...["Challenge", "Order"].map((k) => `acme.cert-manager.io/v1/${k}`),
];

export const SECRET_PLACEHOLDER = "[secret]";

export const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";
export const CERT_MANAGER_TYPE = "kubernetes-cert-manager:index:CertManager";

/**
 * The CertManager component's typed arguments (pulumi-kubernetes-cert-manager v0.2.0 schema).
 * pulumi-go-helmbase v0.2.0 `InitDefaults` decodes every one of them into `helmOptions.values`,
 * an unset one as nil, which the Go SDK then drops: a same-named key in `helmOptions.values` is
 * lost either way, and the typed value reaches the chart verbatim.
 */
const CERT_MANAGER_TYPED_KEYS = [
    "global", "installCRDs", "replicaCount", "strategy", "featureGates", "image", "clusterResourceNamespace", "serviceAccount",
    "extraArgs", "extraEnv", "resources", "securityContext", "containerSecurityContext", "extraVolumes", "extraVolumeMounts",
    "deploymentAnnotations", "podAnnotations", "podLabels", "serviceLabels", "serviceAnnotations", "podDnsPolicy", "podDnsConfig",
    "nodeSelector", "ingressShim", "prometheus", "http_proxy", "https_proxy", "no_proxy", "affinity", "tolerations", "webhook",
    "cainjector", "startupapicheck",
];

export type KubeObject = Record<string, any>;

export interface ChartRelease {
    /** The chart's Pulumi resource name; its output goes to `charts/<name>/`. */
    readonly name: string;
    readonly type: string;
    /** The packaged chart to render. */
    readonly archive: string;
    readonly releaseName: string;
    readonly namespace: string;
    /** The values Helm receives, secrets already masked. */
    readonly values: Record<string, unknown>;
    readonly transforms: readonly Function[];
    readonly dropHooks: boolean;
}

export class ChartRenderError extends Error {}

/** The archive a chart resource names: its own local path, or the pin's file in the chart directory. */
function archiveOf(chart: string, version: string | undefined, chartDir: () => string): string {
    if (path.isAbsolute(chart)) {
        return chart;
    }
    return path.join(chartDir(), chartFile({ chart, version: version ?? "", repo: "" }));
}

/** What each chart resource asks Helm for, from the recorded (masked) inputs. */
export function chartReleases(resources: readonly RecordedResource[], masked: (r: RecordedResource) => Record<string, any>, chartDir: () => string): ChartRelease[] {
    const releases: ChartRelease[] = [];
    for (const resource of resources) {
        if (resource.type === CHART_TYPE) {
            const inputs = masked(resource);
            releases.push({
                name: resource.name,
                type: resource.type,
                archive: archiveOf(inputs.chart, inputs.version, chartDir),
                releaseName: inputs.name ?? resource.name,
                namespace: inputs.namespace ?? "default",
                values: inputs.values ?? {},
                transforms: resource.transforms,
                dropHooks: true,
            });
        } else if (resource.type === CERT_MANAGER_TYPE) {
            const { helmOptions = {}, ...typed } = masked(resource);
            const loose = Object.fromEntries(Object.entries(helmOptions.values ?? {}).filter(([k]) => !CERT_MANAGER_TYPED_KEYS.includes(k)));
            releases.push({
                name: resource.name,
                type: resource.type,
                archive: archiveOf(helmOptions.chart ?? "cert-manager", helmOptions.version, chartDir),
                releaseName: helmOptions.name ?? resource.name,
                namespace: helmOptions.namespace ?? "default",
                values: { ...loose, ...typed },
                transforms: resource.transforms,
                dropHooks: false,
            });
        }
    }
    return releases;
}

function runHelm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(helmBinary(), args, { maxBuffer: 256 * 1024 * 1024, env: helmEnv() }, (err, stdout, stderr) => {
            resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
        });
    });
}

function helmEnv(): NodeJS.ProcessEnv {
    const home = path.join(ROOT, ".cache", "helm-home");
    return { ...process.env, HELM_CACHE_HOME: path.join(home, "cache"), HELM_CONFIG_HOME: path.join(home, "config"), HELM_DATA_HOME: path.join(home, "data") };
}

/**
 * Helm's output as objects, read as the provider reads it (kube-yaml.ts: goyaml.v2's YAML 1.1,
 * so `defaultMode: 0755` is 493, as the API server gets it). Documents without a kind are not
 * objects.
 */
export function parseHelmOutput(text: string, chart = "?"): KubeObject[] {
    let docs: KubeObject[];
    try {
        docs = readKubeYaml(text);
    } catch (err) {
        if (!(err instanceof KubeYamlError)) {
            throw err;
        }
        const line = err.offset === undefined ? "" : ` (line ${text.slice(0, err.offset).split("\n").length})`;
        throw new ChartRenderError(`chart ${chart}: Helm's output is not YAML the provider reads${line}: ${err.message}`);
    }
    return docs.filter((o) => Boolean(o.kind));
}

/** Helm's own output for one release, as Helm prints it: every document, hooks marked by their annotation. */
export async function helmOutput(release: ChartRelease): Promise<string> {
    if (!fs.existsSync(release.archive)) {
        throw new ChartRenderError(`chart ${release.name}: ${release.archive} does not exist (is the chart directory complete? npm run charts:pull fills it)`);
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "obs-values-"));
    try {
        const valuesFile = path.join(tmp, "values.json");
        fs.writeFileSync(valuesFile, JSON.stringify(release.values));
        const r = await runHelm([
            "template", release.releaseName, release.archive,
            "--namespace", release.namespace,
            "--values", valuesFile,
            "--include-crds",
            "--kube-version", KUBE_VERSION,
            ...PLATFORM_API_VERSIONS.flatMap((v) => ["--api-versions", v]),
        ]);
        if (r.code !== 0) {
            throw new ChartRenderError(`chart ${release.name} (${path.basename(release.archive)}) rejects its values:\n${r.stderr.trim()}`);
        }
        return r.stdout;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** Helm's output for one release as objects. */
export async function helmTemplate(release: ChartRelease): Promise<KubeObject[]> {
    return parseHelmOutput(await helmOutput(release), release.name);
}

/** Built-in kinds without a namespace (Kubernetes 1.34 API; custom kinds come from their CRDs). */
const CLUSTER_KINDS = new Set([
    "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus", "CSIDriver", "CSINode",
    "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PriorityClass", "PriorityLevelConfiguration",
    "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration", "VolumeAttachment", "DeviceClass", "VolumeAttributesClass",
]);

/** `group/Kind` of every cluster-scoped custom kind defined by the given CRDs. */
export function clusterScopedKinds(objects: readonly KubeObject[]): Set<string> {
    const kinds = new Set<string>();
    for (const o of objects) {
        if (o.kind === "CustomResourceDefinition" && o.spec?.scope === "Cluster") {
            kinds.add(`${o.spec.group}/${o.spec.names?.kind}`);
        }
    }
    return kinds;
}

export function isNamespaced(o: KubeObject, clusterCustom: ReadonlySet<string>): boolean {
    const group = String(o.apiVersion).includes("/") ? String(o.apiVersion).split("/")[0] : "";
    return !CLUSTER_KINDS.has(o.kind) && !clusterCustom.has(`${group}/${o.kind}`);
}

/** The provider's type token for an object: `kubernetes:apps/v1:Deployment`, `kubernetes:core/v1:Service`. */
export function typeToken(o: KubeObject): string {
    const apiVersion = String(o.apiVersion);
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${o.kind}`;
}

function maskSecret(o: KubeObject): KubeObject {
    if (o.kind !== "Secret") {
        return o;
    }
    const copy = structuredClone(o);
    for (const field of ["data", "stringData"]) {
        if (copy[field] && typeof copy[field] === "object") {
            for (const key of Object.keys(copy[field])) {
                copy[field][key] = SECRET_PLACEHOLDER;
            }
        }
    }
    return copy;
}

/**
 * One release's objects as the provider would register them; Secret data masked unless `reveal`
 * (the lab cluster applies the objects and needs the data; it never writes or prints them).
 */
export async function finishObjects(release: ChartRelease, raw: readonly KubeObject[], clusterCustom: ReadonlySet<string>, reveal = false): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for (const object of raw) {
        if (release.dropHooks && object.metadata?.annotations?.["helm.sh/hook"] !== undefined) {
            continue;
        }
        let props = structuredClone(object);
        if (isNamespaced(props, clusterCustom) && !props.metadata?.namespace) {
            props.metadata = { ...props.metadata, namespace: release.namespace };
        }
        const ns = props.metadata?.namespace;
        let opts: Record<string, unknown> = {};
        for (const transform of release.transforms) {
            const result = await transform({
                custom: true,
                type: typeToken(props),
                name: `${release.name}:${ns ? `${ns}/` : ""}${props.metadata?.name}`,
                props,
                opts,
            });
            if (result) {
                props = result.props;
                opts = result.opts ?? opts;
            }
        }
        out.push(reveal ? props : maskSecret(props));
    }
    return out;
}

/** One release templated: Helm's text and the objects the render read from it. */
export interface Templated {
    readonly text: string;
    readonly objects: readonly KubeObject[];
}

const templated = new Map<string, Promise<Templated>>();

/**
 * Helm's output for one release, once per process for the same chart file, release and values:
 * the test suite renders five stacks whose CRD, cert-manager and operator charts get the same
 * values. The objects are shared, so nothing below mutates them (finishObjects clones). The text
 * is kept for the tests that read it with the Kubernetes decoder itself. The CLI renders in a
 * process of its own, so a test comparing it with an in-process render compares two Helm runs.
 */
export function templateOnce(release: ChartRelease): Promise<Templated> {
    const stat = fs.existsSync(release.archive) ? fs.statSync(release.archive) : undefined;
    const key = JSON.stringify([release.archive, stat?.size, stat?.mtimeMs, release.releaseName, release.namespace, release.values]);
    let entry = templated.get(key);
    if (!entry) {
        entry = helmOutput(release).then((text) => ({ text, objects: parseHelmOutput(text, release.name) }));
        templated.set(key, entry);
        entry.catch(() => templated.delete(key));
    }
    return entry;
}

/** Every chart of a stack rendered, by chart resource name, in the chart's own order. */
export async function renderCharts(releases: readonly ChartRelease[], reveal = false): Promise<Map<string, KubeObject[]>> {
    const raw = (await Promise.all(releases.map(templateOnce))).map((t) => t.objects);
    const clusterCustom = clusterScopedKinds(raw.flat());
    const out = new Map<string, KubeObject[]>();
    for (const [i, release] of releases.entries()) {
        out.set(release.name, await finishObjects(release, raw[i], clusterCustom, reveal));
    }
    return out;
}
