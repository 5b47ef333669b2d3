/**
 * The securityContexts of Pod Security `restricted`
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/), in one place, so raw
 * manifests, operator pod templates and chart transforms ask for the same thing.
 */

export const RUNTIME_DEFAULT_SECCOMP = { type: "RuntimeDefault" } as const;

/** A container that writes only to its volumes, with no capability and no way to gain one. */
export const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
} as const;

/**
 * A pod that runs as `uid` (never root; the kubelet refuses to start an image whose user is not
 * numeric under runAsNonRoot unless runAsUser is set), with the runtime's default seccomp profile.
 * `fsGroup` makes the pod's volumes writable by it.
 */
export function restrictedPod(uid: number, fsGroup?: number): Record<string, unknown> {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        ...(fsGroup === undefined ? {} : { fsGroup }),
        seccompProfile: RUNTIME_DEFAULT_SECCOMP,
    };
}
