/**
 * ECK operator chart values (eck-operator 3.5.0; keys read from its values.yaml and templates).
 */
import { ResourceSettings } from "../settings/profiles";
import { resourcesOf } from "../shared/workloads";

export const ECK_RELEASE = "elastic-operator";
/** Pod labels of the operator StatefulSet (eck-operator.selectorLabels). */
export const ECK_OPERATOR_SELECTOR = { "app.kubernetes.io/name": "elastic-operator", "app.kubernetes.io/instance": ECK_RELEASE };
/**
 * The headless Service the operator StatefulSet names. eck-operator 3.5.0
 * (templates/statefulset.yaml) sets `serviceName: {{ include "eck-operator.fullname" . }}` but
 * renders a Service only for the webhook (`elastic-webhook-server`, off here), so the name points
 * at nothing. The program makes it, instead of changing `serviceName`: that field is immutable,
 * and a change would replace the StatefulSet. No ports: the operator serves nothing here (metrics
 * and webhook off), and a headless Service needs none; it only gives the pod its stable DNS name.
 */
export function eckOperatorService(namespace: string): Record<string, any> {
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: ECK_RELEASE, namespace, labels: { ...ECK_OPERATOR_SELECTOR } },
        spec: { clusterIP: "None", selector: { ...ECK_OPERATOR_SELECTOR } },
    };
}

/** eck-operator.serviceAccountName: the fullname when the chart creates it. */
export const ECK_SERVICE_ACCOUNT = ECK_RELEASE;

/**
 * The operator manages the logging namespace only, with namespaced RBAC (least privilege):
 * `createClusterScopedResources: false` makes role-bindings.yaml write a Role and RoleBinding
 * in that namespace instead of the ClusterRole/ClusterRoleBinding, so the operator can no longer
 * read Secrets in other namespaces. validate-chart.yaml then requires the webhook and the
 * StorageClass check to be off: both need cluster-scoped objects. Without the webhook, ECK
 * still validates every Elasticsearch and Kibana when it reconciles them
 * (elasticsearch_controller.go calls ValidateElasticsearch) and reports errors as events;
 * without the StorageClass check, a volume expansion on a class that cannot expand fails at
 * the PVC instead of being refused up front. The CRDs stay cluster-scoped: Kubernetes has no
 * other kind, and the eck-operator-crds subchart installs them (`installCRDs`), independently
 * of createClusterScopedResources.
 */
export function eckOperatorValues(resources: ResourceSettings, namespace: string): Record<string, unknown> {
    return {
        installCRDs: true,
        managedNamespaces: [namespace],
        createClusterScopedResources: false,
        replicaCount: 1,
        resources: resourcesOf(resources),
        // The chart's PDB template has no unhealthyPodEvictionPolicy; the program adds its own.
        podDisruptionBudget: { enabled: false },
        webhook: { enabled: false },
        telemetry: { disabled: true },
        config: { metrics: { port: "0" }, validateStorageClass: false },
        // The chart's defaults (runAsNonRoot; no privilege escalation, every capability dropped,
        // a read-only root filesystem) plus the RuntimeDefault seccomp profile they lack.
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    };
}

/**
 * Zone awareness (`logging.elasticsearch.zoneAwareness`) makes ECK copy each node's zone label onto the Elasticsearch pod: it
 * GETs the Node through its cache (pkg/controller/elasticsearch/driver/shared/node_labels.go),
 * which lists and watches Nodes. Namespaced RBAC cannot grant that, and the chart grants it only
 * inside its ClusterRole, so the program adds this one read-only rule and nothing else.
 */
export function eckNodeReaderRbac(namespace: string): Record<string, any>[] {
    const name = `${ECK_RELEASE}-node-reader`;
    return [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name },
            rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ kind: "ServiceAccount", name: ECK_SERVICE_ACCOUNT, namespace }],
        },
    ];
}
