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

/** Arguments for `kubernetes.helm.v4.Chart` pinning chart, version and repository. */
export function chartSource(pin: PinnedChart): { chart: string; version: string; repositoryOpts: { repo: string } } {
    return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
}

/** The ECK operator; its CRDs come with it (installCRDs). */
export const ECK_OPERATOR: PinnedChart = { chart: "eck-operator", version: "3.5.0", repo: "https://helm.elastic.co" };

/** Jaeger v2 (chart 4.x renders one Deployment that both collects and serves queries). */
export const JAEGER: PinnedChart = { chart: "jaeger", version: "4.11.1", repo: "https://jaegertracing.github.io/helm-charts" };

/** The official Graylog chart (Graylog 7.0, open-source edition selected in values). */
export const GRAYLOG: PinnedChart = { chart: "graylog", version: "1.0.0", repo: "https://graylog2.github.io/graylog-helm" };

/** MongoDB Controllers for Kubernetes, which also reconciles MongoDBCommunity resources. */
export const MONGODB_OPERATOR: PinnedChart = { chart: "mongodb-kubernetes", version: "1.9.1", repo: "https://mongodb.github.io/helm-charts" };
