import * as assert from "assert";
import { applyPhases, LabObject, objectName } from "../../../scripts/lab/objects";

const labObject = (kind: string, name: string, namespace?: string): LabObject => ({
    object: { apiVersion: "v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) } },
    source: namespace ? `manifests/${namespace}/${kind.toLowerCase()}-${name}.yaml` : "charts/some-chart/manifests.yaml",
});

/** A stack in the order a render lists it: chart objects and raw manifests mixed. */
const STACK: readonly LabObject[] = [
    labObject("Namespace", "monitoring"),
    labObject("Deployment", "kps-operator", "monitoring"),
    labObject("CustomResourceDefinition", "prometheuses.monitoring.coreos.com"),
    labObject("ValidatingWebhookConfiguration", "kps-admission"),
    labObject("ConfigMap", "elastic-operator", "elastic-system"),
    labObject("Namespace", "elastic-system"),
    labObject("MutatingWebhookConfiguration", "kps-admission"),
    labObject("ClusterRole", "kps-operator"),
    labObject("CustomResourceDefinition", "elasticsearches.elasticsearch.k8s.elastic.co"),
    labObject("Prometheus", "kps-prometheus", "monitoring"),
    labObject("ValidatingWebhookConfiguration", "elastic-webhook.k8s.elastic.co"),
];

const names = (objects: readonly LabObject[]) => objects.map((o) => objectName(o.object));

describe("lab objects: applyPhases", () => {
    it("applies the CRDs first, in the render's order", () => {
        assert.deepStrictEqual(names(applyPhases(STACK).crds), ["CustomResourceDefinition prometheuses.monitoring.coreos.com", "CustomResourceDefinition elasticsearches.elasticsearch.k8s.elastic.co"]);
    });

    it("applies the Namespaces next", () => {
        assert.deepStrictEqual(names(applyPhases(STACK).namespaces), ["Namespace monitoring", "Namespace elastic-system"]);
    });

    it("applies the webhook configurations last, validating and mutating alike", () => {
        assert.deepStrictEqual(names(applyPhases(STACK).webhooks), [
            "ValidatingWebhookConfiguration kps-admission",
            "MutatingWebhookConfiguration kps-admission",
            "ValidatingWebhookConfiguration elastic-webhook.k8s.elastic.co",
        ]);
    });

    it("applies every other kind, custom resources included, between them, in the render's order", () => {
        assert.deepStrictEqual(names(applyPhases(STACK).objects), ["Deployment monitoring/kps-operator", "ConfigMap elastic-system/elastic-operator", "ClusterRole kps-operator", "Prometheus monitoring/kps-prometheus"]);
    });

    it("puts each object in exactly one phase, unchanged", () => {
        const phases = applyPhases(STACK);
        const all = [...phases.crds, ...phases.namespaces, ...phases.objects, ...phases.webhooks];
        assert.strictEqual(all.length, STACK.length);
        for (const o of STACK) {
            assert.strictEqual(all.filter((p) => p === o).length, 1, objectName(o.object));
        }
    });

    it("gives empty phases for an empty stack", () => {
        assert.deepStrictEqual(applyPhases([]), { crds: [], namespaces: [], objects: [], webhooks: [] });
    });
});

describe("lab objects: objectName", () => {
    it("names a namespaced object Kind namespace/name", () => {
        assert.strictEqual(objectName(labObject("StatefulSet", "graylog-mongodb", "graylog").object), "StatefulSet graylog/graylog-mongodb");
    });

    it("names a cluster-scoped object Kind name", () => {
        assert.strictEqual(objectName(labObject("ClusterRole", "kps-operator").object), "ClusterRole kps-operator");
    });
});
