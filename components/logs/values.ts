/**
 * ECK operator chart values (eck-operator 3.5.0; keys read from its values.yaml and templates).
 */
import { ResourceSettings } from "../settings/profiles";
import { resourcesOf } from "../shared/workloads";

export const ECK_RELEASE = "elastic-operator";
/** Pod labels of the operator StatefulSet (eck-operator.selectorLabels). */
export const ECK_OPERATOR_SELECTOR = { "app.kubernetes.io/name": "elastic-operator", "app.kubernetes.io/instance": ECK_RELEASE };
export const ECK_WEBHOOK_CERT = "elastic-operator-webhook";
export const ECK_WEBHOOK_SECRET = "elastic-operator-webhook-cert";
/** eck-operator.webhookServiceName: `<name>-webhook`. */
export const ECK_WEBHOOK_SERVICE = "elastic-operator-webhook";

export function eckOperatorValues(resources: ResourceSettings, certManager: boolean): Record<string, unknown> {
    return {
        installCRDs: true,
        replicaCount: 1,
        resources: resourcesOf(resources),
        // The chart's PDB template has no unhealthyPodEvictionPolicy; the program adds its own.
        podDisruptionBudget: { enabled: false },
        webhook: certManager
            ? {
                enabled: true,
                // cert-manager issues the webhook certificate and injects its CA
                // (templates/webhook.yaml annotates cert-manager.io/inject-ca-from).
                manageCerts: false,
                certManagerCert: ECK_WEBHOOK_CERT,
                certsSecret: ECK_WEBHOOK_SECRET,
            }
            : { enabled: true, manageCerts: true },
        telemetry: { disabled: true },
        config: { metrics: { port: "0" } },
    };
}
