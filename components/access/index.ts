import * as crypto from "crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { gateManifests, gateNames, gateNginxConfigFor, gateTlsProblem, uiIngress, UiRoute } from "./values";
import { annotated } from "../shared/await";
import { manifestDeclarer } from "../shared/manifest";
import { AccessSettings } from "../settings/profiles";

export interface AccessArgs {
    /** The enabled pillars' UIs (`uiRoutes`). */
    readonly routes: readonly UiRoute[];
    readonly access: AccessSettings;
    /** Base domain; without it no Ingress, gate or certificate is made. */
    readonly domain?: string;
    readonly ingressClassName: string;
    /** ClusterIssuer for the UI certificates. */
    readonly issuer: string;
    /** oauth2-proxy's client secret (a Pulumi secret); required with `uiAuth: oauth2-proxy`. */
    readonly oidcClientSecret?: pulumi.Input<string>;
    /** Spread the gates' replicas over zones too. Default false. */
    readonly zoneAware?: boolean;
    /** The data-store NetworkPolicies (`dataStorePolicies`); empty when turned off. */
    readonly networkPolicies: readonly Record<string, any>[];
}

/**
 * The provider waits for an Ingress until `.status.loadBalancer.ingress` is set (10 minutes, then
 * the update fails). Controllers that publish no status never satisfy it, so by default the UIs'
 * Ingresses skip that wait (`pulumi.com/skipAwait`, which overrides every await of the object);
 * `access.awaitIngressStatus` turns the wait back on where the controller publishes an address.
 */
export function ingressAwait(ingress: Record<string, any>, access: Pick<AccessSettings, "awaitIngressStatus">): Record<string, any> {
    return access.awaitIngressStatus ? ingress : annotated(ingress, { "pulumi.com/skipAwait": "true" });
}

/** Checks what the types cannot: a gate needs its credentials. Throws before anything is created. */
export function validateAccessArgs(args: AccessArgs): void {
    if (args.domain && args.access.uiAuth === "oauth2-proxy" && (!args.access.oidc || args.oidcClientSecret === undefined)) {
        throw new Error("Access: uiAuth oauth2-proxy needs access.oidc {issuerUrl, clientId} and oidcClientSecret");
    }
    const tlsProblems = args.routes.map(gateTlsProblem).filter((p) => p !== undefined);
    if (tlsProblems.length) {
        throw new Error(`Access: ${tlsProblems.join("; ")}`);
    }
}

/**
 * HTTPS ingress for every UI at `<app>.<domain>` with certificates from cert-manager, a login
 * gate in front of the UIs that have none, and NetworkPolicies around the data stores.
 */
export class Access extends pulumi.ComponentResource {
    /** UI name -> https URL. */
    public readonly urls: Record<string, string>;
    /** Per gated UI: the Secret holding its basic-auth password (key `password`, user `admin`). */
    public readonly gateSecrets: Record<string, string>;

    constructor(name: string, args: AccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("observability:access:Access", name, {}, opts);
        validateAccessArgs(args);
        const manifest = manifestDeclarer(this, name);
        this.urls = {};
        this.gateSecrets = {};

        for (const policy of args.networkPolicies) {
            manifest(`netpol-${policy.metadata.namespace}-${policy.metadata.name}`, policy);
        }
        const domain = args.domain;
        if (domain) {
            for (const route of args.routes) {
                if (route.gated) {
                    this.gate(name, route, args, domain);
                }
                manifest(`ingress-${route.app}`, ingressAwait(uiIngress(route, domain, args.ingressClassName, args.issuer, args.access), args.access));
                this.urls[route.app] = `https://${route.app}.${domain}`;
            }
        }
        this.registerOutputs({ urls: this.urls, gateSecrets: this.gateSecrets });
    }

    private gate(name: string, route: UiRoute, args: AccessArgs, domain: string): void {
        const child = { parent: this };
        const { name: gateName, secret } = gateNames(route.app);
        const metadata = { name: secret, namespace: route.namespace };
        let deps: pulumi.Resource[];
        let secretChecksum: pulumi.Output<string> | undefined;
        if (args.access.uiAuth === "basic") {
            const password = new random.RandomPassword(`${name}-gate-${route.app}-password`, { length: 24, special: false }, child);
            const credentials = new k8s.core.v1.Secret(`${name}-gate-${route.app}-secret`, {
                metadata,
                stringData: {
                    htpasswd: pulumi.interpolate`admin:${password.bcryptHash}\n`,
                    username: "admin",
                    password: password.result,
                },
            }, child);
            const config = new k8s.core.v1.ConfigMap(`${name}-gate-${route.app}-config`, {
                metadata: { name: gateName, namespace: route.namespace },
                data: { "nginx.conf": gateNginxConfigFor(route) },
            }, child);
            deps = [credentials, config];
            this.gateSecrets[route.app] = `${route.namespace}/${secret}`;
        } else {
            const cookie = new random.RandomPassword(`${name}-gate-${route.app}-cookie`, { length: 32, special: false }, child);
            deps = [new k8s.core.v1.Secret(`${name}-gate-${route.app}-secret`, {
                metadata,
                stringData: { "client-secret": pulumi.secret(args.oidcClientSecret!), "cookie-secret": cookie.result },
            }, child)];
            // oauth2-proxy reads both from its environment once, at start, and the Secret is now
            // updated in place (kubernetes:enableSecretMutable): a rotated client secret, or a new
            // cookie secret, must roll the pods. The checksum is an HMAC of the client secret keyed
            // with the cookie secret (random, never outside a secret), so it is unsecret on purpose
            // and neither shows the credential nor lets anyone test a guess against it.
            secretChecksum = pulumi.unsecret(pulumi.all([pulumi.output(args.oidcClientSecret!), cookie.result])
                .apply(([client, key]) => crypto.createHmac("sha256", key).update(client).digest("hex")));
        }
        const manifest = manifestDeclarer(this, name);
        for (const obj of gateManifests(route, args.access, domain, args.zoneAware ?? false)) {
            const rolled = secretChecksum && obj.kind === "Deployment"
                ? { ...obj, spec: { ...obj.spec, template: { ...obj.spec.template, metadata: { ...obj.spec.template.metadata, annotations: { ...obj.spec.template.metadata?.annotations, "checksum/secret": secretChecksum } } } } }
                : obj;
            manifest(`gate-${route.app}-${obj.kind.toLowerCase()}`, rolled, { dependsOn: deps });
        }
    }
}
