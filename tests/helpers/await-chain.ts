import { ProgramRun, RecordedResource } from "../../scripts/mock-program";

/**
 * The longest an update can spend awaiting, in seconds: the longest chain of `dependsOn` through
 * the program's resources, each counted at its worst-case await. pulumi-kubernetes (provider/pkg/
 * await, master after v4.32.0) waits up to 10 minutes for the kinds it awaits unless
 * `pulumi.com/timeoutSeconds` or `customTimeouts` say otherwise, a custom resource only with
 * `pulumi.com/waitFor`, nothing with `pulumi.com/skipAwait`. A v4 Chart's children are awaited
 * in parallel behind its CRDs and its own `config.kubernetes.io/depends-on` chains (two deep in
 * kube-prometheus-stack: the operator, then its webhooks): counted as twice its slowest child.
 */
const AWAITED_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "Service", "Ingress", "PersistentVolumeClaim", "ReplicaSet", "Pod"]);
const DEFAULT_SECONDS = 600;

function goDuration(text: string): number {
    let seconds = 0;
    for (const [, n, unit] of text.matchAll(/([0-9.]+)(h|m|s)/g)) {
        seconds += Number(n) * { h: 3600, m: 60, s: 1 }[unit as "h" | "m" | "s"];
    }
    return seconds;
}

async function chartSeconds(r: RecordedResource): Promise<number> {
    let slowest = DEFAULT_SECONDS;
    for (const kind of ["apps/v1:StatefulSet", "apps/v1:Deployment", "apps/v1:DaemonSet", "batch/v1:Job"]) {
        let props: Record<string, any> = { metadata: { name: "probe" } };
        for (const transform of r.transforms) {
            const out = await transform({ custom: true, type: `kubernetes:${kind}`, name: "probe", props, opts: {} });
            props = out?.props ?? props;
        }
        slowest = Math.max(slowest, Number(props.metadata?.annotations?.["pulumi.com/timeoutSeconds"] ?? 0));
    }
    return 2 * slowest;
}

export async function awaitSeconds(r: RecordedResource, certManagerSeconds: number): Promise<number> {
    const annotations = r.inputs?.metadata?.annotations ?? {};
    if (annotations["pulumi.com/skipAwait"] === "true") {
        return 0;
    }
    if (r.type === "kubernetes:helm.sh/v4:Chart") {
        return chartSeconds(r);
    }
    if (r.type.startsWith("kubernetes-cert-manager:")) {
        return certManagerSeconds;
    }
    if (!r.custom || !r.type.startsWith("kubernetes:")) {
        return 0;
    }
    const kind = r.type.split(":").pop()!;
    const awaited = AWAITED_KINDS.has(kind) || annotations["pulumi.com/waitFor"] !== undefined;
    if (!awaited) {
        return 0;
    }
    if (annotations["pulumi.com/timeoutSeconds"] !== undefined) {
        return Number(annotations["pulumi.com/timeoutSeconds"]);
    }
    return r.updateTimeout ? goDuration(r.updateTimeout) : DEFAULT_SECONDS;
}

/** The longest chain and its length in seconds. */
export async function longestAwaitChain(run: ProgramRun, certManagerSeconds: number): Promise<{ seconds: number; chain: string[] }> {
    const byUrn = new Map(run.resources.map((r) => [r.urn, r]));
    const own = new Map<string, number>();
    for (const r of run.resources) {
        own.set(r.urn, await awaitSeconds(r, certManagerSeconds));
    }
    const memo = new Map<string, { seconds: number; chain: string[] }>();
    const finish = (urn: string): { seconds: number; chain: string[] } => {
        const known = memo.get(urn);
        if (known) {
            return known;
        }
        let before = { seconds: 0, chain: [] as string[] };
        for (const d of byUrn.get(urn)?.dependsOn ?? []) {
            const f = byUrn.has(d) ? finish(d) : before;
            if (f.seconds > before.seconds) {
                before = f;
            }
        }
        const mine = own.get(urn) ?? 0;
        const result = { seconds: before.seconds + mine, chain: mine > 0 ? [...before.chain, byUrn.get(urn)!.name] : before.chain };
        memo.set(urn, result);
        return result;
    };
    return run.resources.map((r) => finish(r.urn)).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, chain: [] });
}
