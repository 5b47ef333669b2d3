/**
 * The operators that create the stateful pods, run by the lab as processes against its API
 * server with what their rendered workloads give them: the same arguments and configuration, and
 * the same identity (each impersonates its ServiceAccount, so the charts' RBAC is what they get).
 * Only what needs the pod itself changes: files mounted from Secrets (the operator's own serving
 * certificate) and the listen address.
 */
import { KubeObject } from "../chart-render";
import { LabObject } from "./objects";

export interface OperatorProcess {
    /** The binary's name in the lab's build (tools/cluster/build.sh). */
    readonly binary: "prometheus-operator" | "eck-operator";
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    /** `namespace/name` of the ServiceAccount it acts as. */
    readonly serviceAccount: string;
    /**
     * Whether it impersonates through its kubeconfig. The Prometheus Operator cannot: it sets the
     * impersonated user from its own `--as` flag after loading the kubeconfig (pkg/k8s/k8s.go,
     * NewClusterConfig, v0.93.1), so it gets `--as` instead.
     */
    readonly kubeconfigImpersonation: boolean;
    /** Files it reads, by name in the lab directory. */
    readonly files: Readonly<Record<string, string>>;
}

const imageOf = (w: KubeObject) => String(w.spec?.template?.spec?.containers?.[0]?.image ?? "");

function workload(objects: readonly LabObject[], kinds: readonly string[], image: RegExp): KubeObject | undefined {
    return objects.map((o) => o.object).find((o) => kinds.includes(o.kind) && image.test(imageOf(o)));
}

const serviceAccountOf = (w: KubeObject) => `${w.metadata.namespace}/${w.spec.template.spec.serviceAccountName ?? "default"}`;
const serviceAccountUser = (sa: string) => `system:serviceaccount:${sa.replace("/", ":")}`;

/** Flags whose value is a path inside the pod or its serving socket: replaced for a local process. */
const POD_ONLY_FLAGS = /^--web\.(enable-tls|cert-file|key-file|client-ca-file|listen-address|tls-min-version|tls-cipher-suites)(=|$)/;

export function operatorProcesses(objects: readonly LabObject[], labDir: string): OperatorProcess[] {
    const out: OperatorProcess[] = [];
    const po = workload(objects, ["Deployment"], /\/prometheus-operator:/);
    if (po) {
        const args: string[] = po.spec.template.spec.containers[0].args ?? [];
        out.push({
            binary: "prometheus-operator",
            args: [...args.filter((a) => !POD_ONLY_FLAGS.test(a)), "--web.enable-tls=false", "--web.listen-address=127.0.0.1:18080", `--as=${serviceAccountUser(serviceAccountOf(po))}`],
            env: {},
            serviceAccount: serviceAccountOf(po),
            kubeconfigImpersonation: false,
            files: {},
        });
    }
    const eck = workload(objects, ["StatefulSet"], /\/eck-operator:/);
    if (eck) {
        const container = eck.spec.template.spec.containers[0];
        const ns = eck.metadata.namespace;
        // The chart mounts its ConfigMap at /conf and points --config there.
        const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === "/conf");
        const volume = (eck.spec.template.spec.volumes ?? []).find((v: any) => v.name === mount?.name);
        const configMap = objects.map((o) => o.object).find((o) => o.kind === "ConfigMap" && o.metadata.namespace === ns && o.metadata.name === volume?.configMap?.name);
        if (!configMap?.data?.["eck.yaml"]) {
            throw new Error(`the ECK operator's configuration (ConfigMap ${ns}/${volume?.configMap?.name}, key eck.yaml) is not in the render`);
        }
        out.push({
            binary: "eck-operator",
            args: (container.args as string[]).map((a) => (a.startsWith("--config=") ? `--config=${labDir}/eck.yaml` : a)),
            // The two the chart sets from the downward API.
            env: { OPERATOR_NAMESPACE: ns, POD_IP: "127.0.0.1" },
            serviceAccount: serviceAccountOf(eck),
            kubeconfigImpersonation: true,
            files: { "eck.yaml": configMap.data["eck.yaml"] },
        });
    }
    return out;
}

/** A kubeconfig that acts as `serviceAccount` through impersonation, from the lab's own. */
export function impersonating(kubeconfig: string, serviceAccount: string): string {
    const ns = serviceAccount.split("/")[0];
    const groups = ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"];
    const user = /^(\s+user: \{token: "[^"]*")\}$/m;
    if (!user.test(kubeconfig)) {
        throw new Error("the lab's kubeconfig has no `user: {token: ...}` line to add impersonation to");
    }
    return kubeconfig.replace(user, `$1, as: "${serviceAccountUser(serviceAccount)}", as-groups: ${JSON.stringify(groups)}}`);
}
