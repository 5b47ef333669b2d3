/**
 * What the lab applies for a stack: every object `pulumi up` would send, raw manifests and chart
 * children alike, read exactly as the render reads them (chart-render.ts), with Secret data in the
 * program's own (mock) values, because the operators read it. Those values stay in memory: they
 * go to kubectl on stdin and are never written or printed.
 */
import { chartReleases, KubeObject, renderCharts } from "../chart-render";
import { chartDirectory } from "../charts";
import { ProgramRun } from "../mock-program";
import { isManifest } from "../render";

export interface LabObject {
    readonly object: KubeObject;
    /** Where the render writes it: `manifests/<ns>/<kind>-<name>.yaml` or `charts/<chart>/manifests.yaml`. */
    readonly source: string;
}

export async function labObjects(run: ProgramRun): Promise<LabObject[]> {
    const objects: LabObject[] = run.resources.filter(isManifest).map((r) => {
        const o = r.inputs as KubeObject;
        return { object: o, source: `manifests/${o.metadata?.namespace ?? "_cluster"}/${String(o.kind).toLowerCase()}-${o.metadata?.name}.yaml` };
    });
    const charts = await renderCharts(chartReleases(run.resources, (r) => r.inputs, () => chartDirectory()), true);
    for (const [name, chartObjects] of charts) {
        objects.push(...chartObjects.map((object) => ({ object, source: `charts/${name}/manifests.yaml` })));
    }
    return objects;
}

/** `Kind namespace/name`, or `Kind name` for a cluster-scoped object: how every lab message names one. */
export function objectName(o: KubeObject): string {
    const ns = o.metadata?.namespace;
    return `${o.kind} ${ns ? `${ns}/` : ""}${o.metadata?.name}`;
}

const WEBHOOK_KINDS = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);

export interface ApplyPhases {
    /** Applied first; the lab waits until each is Established. */
    readonly crds: readonly LabObject[];
    readonly namespaces: readonly LabObject[];
    readonly objects: readonly LabObject[];
    /**
     * Applied last. Their servers (cert-manager's webhook, the Prometheus Operator's admission
     * webhook) do not run in the lab, and with `failurePolicy: Fail` every ClusterIssuer,
     * Certificate and PrometheusRule would be refused by an API server that cannot reach them.
     * Applied after those, the configurations are still validated by the API server; what the
     * webhooks themselves judge (the resources' content) the suite checks with the CRD schemas
     * and promtool.
     */
    readonly webhooks: readonly LabObject[];
}

/** The order a fresh cluster receives a stack in; a kind appears in exactly one phase. */
export function applyPhases(objects: readonly LabObject[]): ApplyPhases {
    const of = (test: (o: KubeObject) => boolean) => objects.filter((o) => test(o.object));
    return {
        crds: of((o) => o.kind === "CustomResourceDefinition"),
        namespaces: of((o) => o.kind === "Namespace"),
        objects: of((o) => o.kind !== "CustomResourceDefinition" && o.kind !== "Namespace" && !WEBHOOK_KINDS.has(o.kind)),
        webhooks: of((o) => WEBHOOK_KINDS.has(o.kind)),
    };
}
