import { attempt, isUnknown, Subject } from "./lib/kube";
import { Finding, ResourceRule } from "./lib/rule";

export const HELM_RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/**
 * A `helm.v3.Release` is one opaque resource: the DaemonSets, StatefulSets and PDBs inside it
 * are invisible to every other rule and to PR previews. `helm.v4.Chart` registers each object.
 * https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v4/chart/
 */
export const helmReleaseIsInspectable: ResourceRule = {
    name: "helm-release-is-inspectable",
    description: "Helm charts are installed as helm.v4.Chart, whose objects the other rules can inspect, not as an opaque helm.v3.Release.",
    enforcementLevel: "advisory",
    scope: "resource",
    appliesTo: (s: Subject) => s.type === HELM_RELEASE_TYPE,
    check(subject: Subject): Finding[] {
        const chart = attempt(() => subject.object.chart ?? subject.object.spec?.chart);
        const named = typeof chart === "string" && chart !== "" ? `chart ${chart}` : "its chart";
        // A Release keeps its target namespace and release name at the top level, not in metadata.
        const text = (read: () => unknown, fallback: string) => {
            const v = attempt(read);
            return typeof v === "string" && v !== "" ? v : fallback;
        };
        const where = `${text(() => subject.object.namespace, "default")}/${text(() => subject.object.name, subject.name)}`;
        return [{
            subject,
            message: `Release ${where} installs ${isUnknown(chart) ? "its chart" : named} as an opaque helm.v3.Release: ` +
                "its DaemonSets, StatefulSets and PDBs are hidden from every other rule. Use kubernetes.helm.v4.Chart, or exempt it with a reason.",
        }];
    },
};
