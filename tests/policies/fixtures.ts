/** Builders for passing objects; each test changes one thing. */
import { KubeObject, Subject, subjectOf } from "../../policies/lib/kube";

type Mutable<T> = { -readonly [K in keyof T]: any };

export function daemonSet(change: (o: Mutable<KubeObject>) => void = () => undefined): KubeObject {
    const o: any = {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "agent", namespace: "logging" },
        spec: {
            selector: { matchLabels: { app: "agent" } },
            template: {
                metadata: { labels: { app: "agent" } },
                spec: {
                    priorityClassName: "system-node-critical",
                    tolerations: [{ operator: "Exists" }],
                    containers: [{ name: "agent", image: "agent:1", resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } } }],
                },
            },
        },
    };
    change(o);
    return o;
}

export function statefulSet(name = "db", namespace = "data", replicas = 3, labels: Record<string, string> = { app: name }): KubeObject {
    return {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name, namespace },
        spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: "x" }] } } },
    };
}

export function deployment(name: string, namespace: string, opts: { claim?: boolean; replicas?: number } = {}): KubeObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name, namespace },
        spec: {
            replicas: opts.replicas ?? 1,
            selector: { matchLabels: { app: name } },
            template: {
                metadata: { labels: { app: name } },
                spec: {
                    containers: [{ name, image: "x" }],
                    volumes: opts.claim ? [{ name: "data", persistentVolumeClaim: { claimName: `${name}-data` } }] : [],
                },
            },
        },
    };
}

export function pdb(name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
    return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace }, spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", ...spec } };
}

export function custom(apiVersion: string, kind: string, name: string, namespace: string, spec: Record<string, unknown>): KubeObject {
    return { apiVersion, kind, metadata: { name, namespace }, spec };
}

export function subjects(...objects: KubeObject[]): Subject[] {
    return objects.map((o) => subjectOf(o));
}
