import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { workloadWithEphemeralStorage } from "./workloads";

/** Declares one raw Kubernetes object as a child named `<name>-<role>`. */
export type DeclareManifest = (role: string, obj: Record<string, any>, extra?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * Raw objects of an API group (apps/v1, rbac, policy, custom resources) go through
 * CustomResource, whose type token is `kubernetes:<apiVersion>:<kind>`: the provider awaits
 * them like the typed classes, and the render and the policy pack see plain
 * `{apiVersion, kind, metadata, spec}`. Core-group objects (apiVersion `v1`) cannot: their token
 * would be `kubernetes:v1:<Kind>`, which pulumi-kubernetes refuses ("apiVersion does not have
 * both a group and a version", provider.go `gvkFromURN`, 4.25.0 and the main branch of July
 * 2026; found by the real engine's preview against the lab). They take the SDK's typed class,
 * whose token is `kubernetes:core/v1:<Kind>`, with the same object as its arguments.
 * Workloads get their containers' ephemeral-storage here, in one place (workloads.ts
 * EPHEMERAL_STORAGE).
 */
export function manifestDeclarer(parent: pulumi.Resource, name: string): DeclareManifest {
    return (role, given, extra = {}) => {
        const opts = { parent, ...extra };
        const obj = workloadWithEphemeralStorage(given);
        if (obj.apiVersion === "v1") {
            const Typed = (k8s.core.v1 as Record<string, unknown>)[obj.kind];
            if (typeof Typed !== "function") {
                throw new Error(`${name}-${role}: no core/v1 kind ${obj.kind} in @pulumi/kubernetes`);
            }
            return new (Typed as new (n: string, a: unknown, o: pulumi.CustomResourceOptions) => pulumi.CustomResource)(`${name}-${role}`, obj, opts);
        }
        return new k8s.apiextensions.CustomResource(`${name}-${role}`, obj as k8s.apiextensions.CustomResourceArgs, opts);
    };
}
