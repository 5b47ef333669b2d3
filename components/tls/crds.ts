/**
 * cert-manager's CRDs as the program's own resources, not the Release's.
 *
 * kube-prometheus-stack renders cert-manager objects (the admission webhook's Issuers and
 * Certificates), and a helm.v4.Chart must know for each rendered object whether its kind is
 * namespaced before it registers anything (provider/pkg/provider/yaml/v2/yaml.go `Normalize`,
 * pulumi-kubernetes 4.25.0). `clients.IsNamespacedKind` looks in a static table, then in the
 * provider's CRD cache, then asks the API server. CRDs installed by the CertManager component's
 * helm.v3.Release are invisible to the first two, and on an empty cluster the third knows nothing
 * during the preview that starts every `pulumi up` (the Release is not installed in a preview): so
 * a first `pulumi up` stopped with "failed to determine if the following GVK is namespaced:
 * cert-manager.io/v1, Kind=Certificate". A CustomResourceDefinition the program declares enters
 * that cache when the provider checks it (provider.go `Check`: `CRDCache.AddCRD`), in a preview
 * too, so these CRDs are declared here and every cert-manager object comes after them.
 *
 * They are rendered from the same pinned chart (`crds.enabled`, `crds.keep`), with the Release's
 * name, so they are the objects the Release used to install, byte for byte; the Release itself now
 * installs none (`crds.enabled: false`).
 *
 * Day two, on a stack whose Release installed them: the CRDs already exist, and the create is a
 * server-side apply that adopts them (`kubernetes:upsertExistingObjects`, Pulumi.yaml); the
 * Release, which depends on them, is upgraded next without them, and Helm leaves them in place
 * because the live objects carry `helm.sh/resource-policy: keep` (helm v3.18.6, pkg/kube/client.go
 * `Update`: every object dropped from the manifest is read back and skipped when annotated keep).
 * Deleting a CRD deletes every object of its kind in the cluster (every team's certificates), so
 * they are retained on delete, as the Release's keep policy did.
 */
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER, TemplateSource, templateSource } from "../shared/charts";

/** The Release's name: the CRDs' `app.kubernetes.io/instance` label is rendered from it. */
export const CERT_MANAGER_RELEASE = "cert-manager";

/** The values that render cert-manager's CRDs, and the ones that keep the Release from installing them. */
export const CRD_VALUES = {
    declared: { crds: { enabled: true, keep: true } },
    release: { crds: { enabled: false } },
} as const;

export type CertManagerCrdsArgs = TemplateSource & {
    readonly namespace: string;
    readonly values: Record<string, unknown>;
    readonly transformations: ((obj: any, opts: pulumi.CustomResourceOptions) => void)[];
};

/**
 * A `kubernetes.helm.v3.Chart` transformation: an object that is not a CRD becomes an empty List,
 * which the SDK registers as nothing (yaml.ts `parseYamlObject` expands `v1/List`); a CRD is
 * retained on delete.
 */
export function onlyCrdsRetained(obj: any, opts: pulumi.CustomResourceOptions): void {
    if (obj?.kind === "CustomResourceDefinition") {
        opts.retainOnDelete = true;
        return;
    }
    for (const key of Object.keys(obj ?? {})) {
        delete obj[key];
    }
    Object.assign(obj, { apiVersion: "v1", kind: "List", items: [] });
}

/** The chart arguments that declare cert-manager's CRDs and nothing else. */
export function certManagerCrdsArgs(namespace: string, chartDirectory?: string): CertManagerCrdsArgs {
    return {
        ...templateSource(CERT_MANAGER, chartDirectory),
        namespace,
        values: CRD_VALUES.declared,
        transformations: [onlyCrdsRetained],
    };
}
