/**
 * Probes every long-running container the program controls gets (issue 28, item 4), and the
 * transform that sets them on chart children whose chart has no value for them.
 *
 * Readiness answers "may this pod take traffic now" and may follow the server's own health
 * endpoint, dependencies included: a NotReady pod only leaves its Service. Liveness restarts the
 * container, so it is conservative: a check that only the process itself can fail (a TCP
 * connect, or an endpoint the server documents as a plain liveness check), never one that a slow
 * or unreachable dependency (Elasticsearch, MongoDB, the API server) can fail, and a budget of
 * `periodSeconds * failureThreshold` = 2 minutes of consecutive failures before a restart.
 */

export type ProbeHandler =
    | { readonly httpGet: { readonly path: string; readonly port: number | string; readonly scheme?: "HTTP" | "HTTPS" } }
    | { readonly tcpSocket: { readonly port: number | string } };

/** Leaves the Service after 30 s of failures; back after one success. */
export const READINESS_TIMING = { periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 } as const;

/** Restarts only after 2 minutes of consecutive failures (6 x 20 s). */
export const LIVENESS_TIMING = { periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 6, successThreshold: 1 } as const;

export const httpGet = (path: string, port: number | string, scheme?: "HTTP" | "HTTPS"): ProbeHandler =>
    ({ httpGet: { path, port, ...(scheme ? { scheme } : {}) } });

export const tcpSocket = (port: number | string): ProbeHandler => ({ tcpSocket: { port } });

/** A readiness probe with the shared timing. */
export function readiness(handler: ProbeHandler, initialDelaySeconds = 0): Record<string, unknown> {
    return { ...handler, ...(initialDelaySeconds > 0 ? { initialDelaySeconds } : {}), ...READINESS_TIMING };
}

/**
 * A liveness probe with the shared timing. `initialDelaySeconds` covers a server whose listener
 * opens only after a long start (migrations, journal replay), so a first start is not cut short.
 */
export function liveness(handler: ProbeHandler, initialDelaySeconds = 0): Record<string, unknown> {
    return { ...handler, ...(initialDelaySeconds > 0 ? { initialDelaySeconds } : {}), ...LIVENESS_TIMING };
}

/** Both probes of one container. */
export interface ContainerProbes {
    readonly readinessProbe: Record<string, unknown>;
    readonly livenessProbe: Record<string, unknown>;
}

/** Probes per chart workload: `<Kind>/<name>` -> container name -> probes. */
export type ProbePlan = Readonly<Record<string, Readonly<Record<string, ContainerProbes>>>>;

type TransformArgs = { type: string; props: Record<string, any>; opts: Record<string, any> };

/**
 * A v4 Chart transform that sets the planned probes on the named workloads' containers, for
 * charts that hardcode a probe handler (kube-prometheus-stack's operator and node-exporter, the
 * Jaeger and Graylog charts) or share one probe value between containers that listen on
 * different ports (Grafana's sidecars). A planned container the chart does not render is an
 * error, so a chart bump that renames one cannot silently drop its probes.
 */
export function probesTransform(plan: ProbePlan) {
    return (args: TransformArgs) => {
        const kind = args.type.split(":").pop() ?? "";
        const byContainer = plan[`${kind}/${args.props?.metadata?.name}`];
        const spec = args.props?.spec?.template?.spec;
        if (byContainer === undefined || spec === undefined) {
            return undefined;
        }
        const props = structuredClone(args.props);
        const containers: Record<string, any>[] = props.spec.template.spec.containers ?? [];
        for (const [name, probes] of Object.entries(byContainer)) {
            const container = containers.find((c) => c.name === name);
            if (container === undefined) {
                throw new Error(`${kind}/${args.props.metadata.name} has no container ${name} to set probes on`);
            }
            container.readinessProbe = probes.readinessProbe;
            container.livenessProbe = probes.livenessProbe;
        }
        return { props, opts: args.opts };
    };
}
