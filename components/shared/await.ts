/**
 * What the provider waits for before a dependent may start (pulumi-kubernetes 4.x,
 * provider/pkg/metadata/overrides.go `ReadyCondition` and provider/pkg/await). A custom resource
 * is "ready" as soon as it exists unless `pulumi.com/waitFor` says otherwise; the value is one
 * `condition=<Type>` or `jsonpath={<path>}=<value>` expression, or a JSON array of them (all must
 * hold). `pulumi.com/timeoutSeconds` replaces the default 10 minutes, for slow cold starts.
 */

/** cert-manager Issuers, ClusterIssuers and Certificates report a `Ready` condition. */
export const READY_CONDITION = { "pulumi.com/waitFor": "condition=Ready" } as const;

/** `pulumi.com/waitFor` on an ECK resource (Elasticsearch, Kibana): health green. */
export const ECK_GREEN = { "pulumi.com/waitFor": "jsonpath={.status.health}=green" } as const;

/**
 * `pulumi.com/waitFor` on a MongoDBCommunity: the operator has the replica set running. The
 * phase values are the operator's `Running`, `Failed` and `Pending` (api/v1/mongodbcommunity_types.go
 * in mongodb/mongodb-kubernetes-operator); `status.phase` is a required status field in the
 * mongodb-kubernetes 1.9.1 chart's MongoDBCommunity CRD.
 */
export const MONGODB_RUNNING = { "pulumi.com/waitFor": "jsonpath={.status.phase}=Running" } as const;

/** A longer wait than the provider's default 10 minutes. */
export function timeoutAnnotation(seconds: number): { "pulumi.com/timeoutSeconds": string } {
    return { "pulumi.com/timeoutSeconds": String(seconds) };
}

/** `obj` with `annotations` added to its metadata. */
export function annotated<T extends Record<string, any>>(obj: T, annotations: Readonly<Record<string, string>>): T {
    return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata?.annotations, ...annotations } } };
}

/**
 * A transform for chart children of the given kinds: a longer await (image pulls, first-start
 * migrations, volume provisioning) than the provider's default.
 */
export function slowStartTransform(kinds: readonly string[], seconds: number) {
    return (args: { type: string; props: Record<string, any>; opts: Record<string, any> }) => {
        const kind = args.type.split(":").pop() ?? "";
        if (!kinds.includes(kind)) {
            return undefined;
        }
        return { props: annotated(args.props, timeoutAnnotation(seconds)), opts: args.opts };
    };
}
