import * as k8s from "@pulumi/kubernetes";
import * as certmanager from "@pulumi/kubernetes-cert-manager";
import * as pulumi from "@pulumi/pulumi";
import { READY_CONDITION } from "../shared/await";
import { certManagerSource } from "../shared/charts";
import { manifestDeclarer } from "../shared/manifest";
import { CERT_MANAGER_RELEASE, certManagerCrdsArgs, CRD_VALUES } from "./crds";
import { drainSafePdb, EPHEMERAL_STORAGE, preferSpreadAcrossNodes } from "../shared/workloads";
import { Profile } from "../settings/profiles";

/** Names every other component uses to ask for certificates. */
export const ISSUERS = {
    selfSigned: "platform-selfsigned",
    /** Internal CA: operator webhooks, Elasticsearch HTTP, and the UIs when there is no ACME. */
    ca: "platform-ca",
    acme: "letsencrypt",
} as const;

/** The Secret (in the cert-manager namespace) holding the internal root CA. */
export const ROOT_CA_SECRET = "platform-root-ca";

export const ACME_SERVERS = {
    production: "https://acme-v02.api.letsencrypt.org/directory",
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/** Let's Encrypt's production endpoint only for prod; elsewhere its staging endpoint, so rate limits never bite. */
export function acmeServer(profile: Profile): string {
    return profile === "prod" ? ACME_SERVERS.production : ACME_SERVERS.staging;
}

/**
 * The labels cert-manager v1.19.1 puts on the webhook's pods (templates/webhook-deployment.yaml:
 * `webhook.name` and the release name; this Release is `cert-manager`).
 */
export const CERT_MANAGER_WEBHOOK_POD_LABELS = {
    "app.kubernetes.io/name": "webhook",
    "app.kubernetes.io/instance": "cert-manager",
    "app.kubernetes.io/component": "webhook",
} as const;

/**
 * The webhook's PDB, made by the program: the chart's (templates/webhook-poddisruptionbudget.yaml)
 * templates only minAvailable and maxUnavailable, never `unhealthyPodEvictionPolicy`, and a
 * helm.v3.Release takes no transform.
 */
export function certManagerWebhookPdb(namespace: string): Record<string, any> {
    return drainSafePdb("cert-manager-webhook", namespace, CERT_MANAGER_WEBHOOK_POD_LABELS);
}

/** The startup API check's `--wait` (a chart string) and the Release's timeout in seconds, which must outlast it. */
export const CERT_MANAGER_WAIT = { startupapicheck: "5m", releaseTimeoutSeconds: 900 } as const;

/**
 * The CertManager component's arguments. @pulumi/kubernetes-cert-manager 0.2.0 copies its typed
 * fields verbatim into the chart values over `helmOptions.values` (pulumi-go-helmbase v0.2.0
 * `InitDefaults`), and Helm checks them against cert-manager's values.schema.json, whose objects
 * forbid unknown keys: `prometheus` takes only enabled/podmonitor/servicemonitor. `crds` has no
 * typed field, so it goes through `helmOptions.values` (no typed field of that name can null it).
 */
export function certManagerArgs(namespace: string, webhookReplicas: number, zoneAware: boolean, chartDirectory?: string): certmanager.CertManagerArgs {
    return {
        // The controller and cainjector elect a leader, and neither is in the write path: only
        // the webhook (failurePolicy Fail) is, so only it runs more than once.
        replicaCount: 1,
        resources: { requests: { cpu: "10m", memory: "32Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "200m", memory: "128Mi" } },
        webhook: {
            replicaCount: webhookReplicas,
            resources: { requests: { cpu: "10m", memory: "32Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "100m", memory: "64Mi" } },
            // The typed args have `affinity` but no `topologySpreadConstraints`, and a field set
            // only in helmOptions.values would be nulled by the unset typed `webhook` block
            // (pulumi-go-helmbase v0.2.0 InitDefaults decodes every typed field over the map).
            ...(webhookReplicas > 1 ? { affinity: preferSpreadAcrossNodes(CERT_MANAGER_WEBHOOK_POD_LABELS, zoneAware) } : {}),
        },
        cainjector: { resources: { requests: { cpu: "10m", memory: "32Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "100m", memory: "128Mi" } } },
        // Scraped through the pod annotations; a ServiceMonitor would need the Prometheus
        // Operator's CRDs, which are installed after cert-manager.
        prometheus: { enabled: true },
        // A post-install hook Job (Helm runs it inside the Release) that succeeds only once the
        // webhook admits a cert-manager resource; until then the issuers below wait.
        startupapicheck: {
            enabled: true,
            timeout: CERT_MANAGER_WAIT.startupapicheck,
            resources: { requests: { cpu: "10m", memory: "32Mi", "ephemeral-storage": EPHEMERAL_STORAGE.request }, limits: { cpu: "100m", memory: "64Mi" } },
        },
        helmOptions: {
            ...certManagerSource(chartDirectory),
            namespace,
            name: CERT_MANAGER_RELEASE,
            skipAwait: false,
            // Image pulls and rollout, then up to startupapicheck's wait, all inside one Release wait.
            timeout: CERT_MANAGER_WAIT.releaseTimeoutSeconds,
            // The CRDs are the program's own (crds.ts); `installCRDs` is deprecated.
            values: CRD_VALUES.release,
        },
    };
}

export interface TlsArgs {
    readonly namespace: string;
    readonly profile: Profile;
    /** Replicas of cert-manager's webhook; from two on, spread over nodes and under a drain-safe PDB. */
    readonly webhookReplicas: number;
    /** Prefer spreading the webhook over zones as well (prod). */
    readonly zoneAware: boolean;
    /** With `acmeEmail`, UIs get publicly trusted certificates through HTTP-01. */
    readonly domain?: string;
    readonly acmeEmail?: string;
    /** IngressClass used by the HTTP-01 solver. */
    readonly ingressClassName: string;
    /** A directory of packaged charts to install from instead of the chart repositories. */
    readonly chartDirectory?: string;
}

/**
 * cert-manager and the platform's issuers: a self-signed root, an internal CA issuer, and
 * Let's Encrypt when a domain and an email are configured.
 */
export class Tls extends pulumi.ComponentResource {
    /** The ClusterIssuer for UI certificates. */
    public readonly uiIssuer: string;
    /** Resolves once cert-manager's webhook answers and the issuers are Ready. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: TlsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:tls:Tls", name, {}, opts);

        // A helm.v3.Release inside (the package's design): it runs cert-manager's own hooks and
        // waits for the Deployments and the startupapicheck hook Job, so issuers are not created
        // before the webhook (failurePolicy Fail, hardcoded in the chart) admits them.
        // Named as the Release, whose name the CRDs' labels carry; the chart is the release name.
        const crds = new k8s.helm.v3.Chart(CERT_MANAGER_RELEASE, certManagerCrdsArgs(args.namespace, args.chartDirectory), { parent: this });
        const certManager = new certmanager.CertManager(`${name}-cert-manager`,
            certManagerArgs(args.namespace, args.webhookReplicas, args.zoneAware, args.chartDirectory), { parent: this, dependsOn: crds.ready });
        if (args.webhookReplicas > 1) {
            // After the Release, which comes after the namespace.
            manifestDeclarer(this, name)("webhook-pdb", certManagerWebhookPdb(args.namespace), { dependsOn: [certManager] });
        }

        const issuer = (role: string, issuerName: string, spec: Record<string, unknown>, deps: pulumi.Resource[]) =>
            new k8s.apiextensions.CustomResource(`${name}-${role}`, {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: issuerName, annotations: { ...READY_CONDITION } },
                spec,
            }, { parent: this, dependsOn: deps });

        const selfSigned = issuer("selfsigned", ISSUERS.selfSigned, { selfSigned: {} }, [certManager]);
        const rootCa = new k8s.apiextensions.CustomResource(`${name}-root-ca`, {
            apiVersion: "cert-manager.io/v1",
            kind: "Certificate",
            metadata: { name: ROOT_CA_SECRET, namespace: args.namespace, annotations: { ...READY_CONDITION } },
            spec: {
                isCA: true,
                commonName: "observability-platform root CA",
                secretName: ROOT_CA_SECRET,
                duration: "87600h",
                privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
                issuerRef: { name: ISSUERS.selfSigned, kind: "ClusterIssuer", group: "cert-manager.io" },
            },
        }, { parent: this, dependsOn: [selfSigned] });
        const ca = issuer("ca", ISSUERS.ca, { ca: { secretName: ROOT_CA_SECRET } }, [rootCa]);
        this.ready = [ca];

        if (args.domain && args.acmeEmail) {
            const acme = issuer("acme", ISSUERS.acme, {
                acme: {
                    server: acmeServer(args.profile),
                    email: args.acmeEmail,
                    privateKeySecretRef: { name: "letsencrypt-account-key" },
                    solvers: [{ http01: { ingress: { ingressClassName: args.ingressClassName } } }],
                },
            }, [certManager]);
            this.ready.push(acme);
            this.uiIssuer = ISSUERS.acme;
        } else {
            this.uiIssuer = ISSUERS.ca;
        }
        this.registerOutputs({ uiIssuer: this.uiIssuer });
    }
}
