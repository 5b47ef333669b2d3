/**
 * Install order around the Prometheus Operator's admission webhooks (kube-prometheus-stack 88.5.3).
 *
 * With `admissionWebhooks.certManager.enabled` and `patch.enabled: false`, the chart renders both
 * `<fullname>-admission` webhook configurations with `failurePolicy: Fail` (templates/
 * prometheus-operator/admission-webhooks/*WebhookConfiguration.yaml). A v4 Chart creates its
 * objects in parallel, ordered only CRD-before-CR, namespace-first and by
 * `config.kubernetes.io/depends-on` (pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go
 * `Register`, which builds that graph from the rendered objects before any transform runs), and
 * the provider retries a create only on NotFound/NoMatch. So a PrometheusRule created before the
 * webhook answers fails the update with "failed calling webhook".
 *
 * The webhook is served by its own Deployment (values.ts, `admissionWebhooks.deployment`), so it
 * answers once (a) that Deployment's Service has a ready endpoint (the provider's Service
 * await waits for one) and (b) cert-manager's cainjector has written the CA into both
 * configurations (`pulumi.com/waitFor` on `caBundle`). Every PrometheusRule the chart renders
 * carries `defaultRules.annotations`, so the rules name those four objects in `depends-on`; all
 * of them are in the same chart, which the annotation requires. Rules outside the chart depend on
 * the whole Chart, whose completion includes these waits.
 */
import { MONITORING_RELEASE } from "./values";

/** `pulumi.com/waitFor` on a webhook configuration: ready once its first webhook has a CA bundle. */
export const CA_INJECTED = "jsonpath={.webhooks[0].clientConfig.caBundle}";

/** The chart objects that must be ready before the webhook can admit a PrometheusRule (cli-utils depends-on syntax). */
export function admissionWebhookObjects(namespace: string): string[] {
    // fullnameOverride = MONITORING_RELEASE: Deployment and Service `<fullname>-operator-webhook`, webhooks `<fullname>-admission`.
    return [
        `apps/namespaces/${namespace}/Deployment/${MONITORING_RELEASE}-operator-webhook`,
        `/namespaces/${namespace}/Service/${MONITORING_RELEASE}-operator-webhook`,
        `admissionregistration.k8s.io/ValidatingWebhookConfiguration/${MONITORING_RELEASE}-admission`,
        `admissionregistration.k8s.io/MutatingWebhookConfiguration/${MONITORING_RELEASE}-admission`,
    ];
}

/** Values that make the chart's rules wait for its admission webhook; merge over the chart values. */
export function admissionOrderingValues(namespace: string): Record<string, any> {
    const waitForCa = { annotations: { "pulumi.com/waitFor": CA_INJECTED } };
    return {
        defaultRules: { annotations: { "config.kubernetes.io/depends-on": admissionWebhookObjects(namespace).join(",") } },
        prometheusOperator: {
            admissionWebhooks: { validatingWebhookConfiguration: waitForCa, mutatingWebhookConfiguration: waitForCa },
        },
    };
}

const isObject = (v: unknown): v is Record<string, any> => v !== null && typeof v === "object" && !Array.isArray(v);

/** `over` merged into `base` key by key (objects recurse, everything else is replaced). */
export function mergeValues(base: Record<string, any>, over: Record<string, any>): Record<string, any> {
    const out: Record<string, any> = { ...base };
    for (const [key, value] of Object.entries(over)) {
        out[key] = isObject(value) && isObject(base[key]) ? mergeValues(base[key], value) : value;
    }
    return out;
}
