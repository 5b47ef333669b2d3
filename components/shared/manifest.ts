import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { workloadWithEphemeralStorage } from "./workloads";

/** Declares one raw Kubernetes object as a child named `<name>-<role>`. */
export type DeclareManifest = (role: string, obj: Record<string, any>, extra?: pulumi.CustomResourceOptions) => k8s.apiextensions.CustomResource;

/**
 * Raw objects (built-in kinds and custom resources alike) go through CustomResource, whose
 * type token is `kubernetes:<apiVersion>:<kind>`: the provider awaits them like the typed
 * classes, and the render and the policy pack see plain `{apiVersion, kind, metadata, spec}`.
 * Workloads get their containers' ephemeral-storage here, in one place (workloads.ts
 * EPHEMERAL_STORAGE).
 */
export function manifestDeclarer(parent: pulumi.Resource, name: string): DeclareManifest {
    return (role, obj, extra = {}) =>
        new k8s.apiextensions.CustomResource(`${name}-${role}`, workloadWithEphemeralStorage(obj) as k8s.apiextensions.CustomResourceArgs, { parent, ...extra });
}
