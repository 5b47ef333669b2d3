import * as path from "path";

/**
 * Every Helm chart the platform installs, pinned in one place with its repository. Renovate
 * bumps these (see renovate.json); a bump is a reviewed PR whose preview shows every object
 * that changes, because v4 Charts register each rendered object as its own resource.
 */

export interface PinnedChart {
    readonly chart: string;
    readonly version: string;
    readonly repo: string;
}

export const CHARTS = {
    /** https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack */
    kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", repo: "https://prometheus-community.github.io/helm-charts" },
    /** The same operator version as kube-prometheus-stack 88.5.3 (v0.93.1). */
    prometheusOperatorCrds: { chart: "prometheus-operator-crds", version: "31.0.1", repo: "https://prometheus-community.github.io/helm-charts" },
} as const satisfies Record<string, PinnedChart>;

/**
 * cert-manager, installed by @pulumi/kubernetes-cert-manager (a helm.v3.Release inside, which
 * runs cert-manager's own hooks; it has no DaemonSet and no stateful workload).
 */
export const CERT_MANAGER: PinnedChart = { chart: "cert-manager", version: "v1.19.1", repo: "https://charts.jetstack.io" };


/** The ECK operator; its CRDs come with it (installCRDs). */
export const ECK_OPERATOR: PinnedChart = { chart: "eck-operator", version: "3.5.0", repo: "https://helm.elastic.co" };

/** Jaeger v2 (chart 4.x renders one Deployment that both collects and serves queries). */
export const JAEGER: PinnedChart = { chart: "jaeger", version: "4.11.1", repo: "https://jaegertracing.github.io/helm-charts" };

/** The official Graylog chart (Graylog 7.0, open-source edition selected in values). */
export const GRAYLOG: PinnedChart = { chart: "graylog", version: "1.0.0", repo: "https://graylog2.github.io/graylog-helm" };

/** MongoDB Controllers for Kubernetes, which also reconciles MongoDBCommunity resources. */
export const MONGODB_OPERATOR: PinnedChart = { chart: "mongodb-kubernetes", version: "1.9.1", repo: "https://mongodb.github.io/helm-charts" };

/** Every chart the platform can install; `npm run charts:pull` fetches exactly these. */
export function pinnedCharts(): readonly PinnedChart[] {
    return [...Object.values(CHARTS), CERT_MANAGER, ECK_OPERATOR, JAEGER, GRAYLOG, MONGODB_OPERATOR];
}

/** The file name `helm pull` gives a chart: `<name>-<version>.tgz`. */
export function chartFile(pin: PinnedChart): string {
    return `${pin.chart}-${pin.version}.tgz`;
}

/** Where a pinned chart comes from: its official repository, or a packaged chart in a local directory. */
export type ChartSource =
    | { chart: string; version: string; repositoryOpts: { repo: string } }
    | { chart: string };

/**
 * Arguments for `kubernetes.helm.v4.Chart`: the pinned repository, or with a chart directory the
 * packaged chart's absolute path (the provider resolves relative paths against its own working
 * directory, and Helm's LocateChart takes an existing local path before any repository).
 */
export function chartSource(pin: PinnedChart, chartDirectory?: string): ChartSource {
    return chartDirectory === undefined
        ? { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } }
        : { chart: path.resolve(chartDirectory, chartFile(pin)) };
}

/**
 * `helmOptions` chart fields for the CertManager component (pulumi-go-helmbase v0.2.0
 * `InitDefaults`: the jetstack URL is filled in only when `repositoryOpts.repo` is nil, and
 * helm.v3.Release looks for a local chart only when the repository URL is empty).
 */
export function certManagerSource(chartDirectory?: string): { chart: string; version?: string; repositoryOpts: { repo: string } } {
    return chartDirectory === undefined
        ? { chart: CERT_MANAGER.chart, version: CERT_MANAGER.version, repositoryOpts: { repo: CERT_MANAGER.repo } }
        : { chart: path.resolve(chartDirectory, chartFile(CERT_MANAGER)), repositoryOpts: { repo: "" } };
}

/** Where `kubernetes.helm.v3.Chart` finds a pinned chart (its `fetchOpts` form, or a local packaged chart). */
export type TemplateSource =
    | { chart: string; version: string; fetchOpts: { repo: string } }
    | { path: string };

/**
 * Arguments for `kubernetes.helm.v3.Chart`, which the provider renders with `helm template`
 * (provider/pkg/provider/invoke_helm_template.go, pulumi-kubernetes 4.25.0): a local chart is
 * `loader.Load(filepath.Join(path, chart))`, so `path` may name the packaged archive itself;
 * otherwise the chart is pulled from `fetchOpts.repo` at `version`.
 */
export function templateSource(pin: PinnedChart, chartDirectory?: string): TemplateSource {
    return chartDirectory === undefined
        ? { chart: pin.chart, version: pin.version, fetchOpts: { repo: pin.repo } }
        : { path: path.resolve(chartDirectory, chartFile(pin)) };
}
