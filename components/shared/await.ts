/**
 * What the provider waits for before a dependent may start (pulumi-kubernetes 4.x,
 * provider/pkg/metadata/overrides.go `ReadyCondition` and provider/pkg/await). A custom resource
 * is "ready" as soon as it exists unless `pulumi.com/waitFor` says otherwise; the value is one
 * `condition=<Type>` or `jsonpath={<path>}=<value>` expression, or a JSON array of them (all must
 * hold). `pulumi.com/timeoutSeconds` replaces the default 10 minutes, for slow cold starts.
 */

/** cert-manager Issuers, ClusterIssuers and Certificates report a `Ready` condition. */
export const READY_CONDITION = { "pulumi.com/waitFor": "condition=Ready" } as const;

/**
 * `pulumi.com/waitFor` for several expressions: the provider reads a JSON array and waits until
 * all of them hold on the same observed object (metadata/overrides.go `ReadyCondition`,
 * await/condition/all.go). Each `jsonpath={.path}=value` compares `fmt.Sprint` of the selected
 * value with the text after the single `=` (pkg/jsonpath/jsonpath.go), so numbers compare as
 * their decimal text; and it is not met while `status.observedGeneration`, where the status has
 * one, is below `metadata.generation` (await/condition/jsonpath.go).
 */
function waitForAll(expressions: readonly string[]): { "pulumi.com/waitFor": string } {
    return { "pulumi.com/waitFor": JSON.stringify(expressions) };
}

/**
 * An Elasticsearch whose change has landed, not only one that answers. ECK 3.5.0 writes
 * `observedGeneration` and `health` on its first reconcile of a change, before it rolls a pod
 * (reconcile/state.go `NewState`), so health alone is met at once. `phase: Ready` is written only
 * by a reconcile with nothing left to do: no pod left to roll or upgrade, no downscale waiting
 * for shards to move (a stalled one is `Stalled` or `MigratingData`) and no storage change it
 * refused (`Invalid`) (elasticsearch_controller.go, driver/stateful/nodes.go). `status.version`
 * is the lowest version any pod or StatefulSet still runs (`UpdateMinRunningVersion`), so it
 * equals the spec's only once the last node runs it.
 */
export function elasticsearchLanded(version: string): { "pulumi.com/waitFor": string } {
    return waitForAll(["jsonpath={.status.phase}=Ready", `jsonpath={.status.version}=${version}`, "jsonpath={.status.health}=green"]);
}

/**
 * A Kibana running `version` on every replica. ECK 3.5.0 has no phase for Kibana: `version` is
 * the lowest one on its pods, and `health` green and `availableNodes` come from the Deployment's
 * Available condition and available replicas (controller/common/status.go `DeploymentStatus`).
 * A version change rolls Kibana with `Recreate` (kibana/driver.go `getStrategyType`), so all
 * replicas available at the new version means the new pods serve. A change that keeps the
 * version (resources, replicas up) is met once the replicas are available, which the old
 * Deployment may still be: Kibana holds no data.
 */
export function kibanaLanded(version: string, replicas: number): { "pulumi.com/waitFor": string } {
    return waitForAll([`jsonpath={.status.version}=${version}`, "jsonpath={.status.health}=green", `jsonpath={.status.availableNodes}=${replicas}`]);
}

/**
 * A MongoDBCommunity replica set running `version` with `members` members. Its status has no
 * `observedGeneration`, so after a change the old `Running` status satisfies a phase check until
 * the operator first reconciles. mongodb-kubernetes 1.9.1 (controllers/replica_set_controller.go
 * `Reconcile`) writes `Running` together with `version: spec.version` and
 * `currentMongoDBMembers` only after every agent reached the goal state and scaling finished;
 * until then the phase is `Pending` (one member at a time while scaling) or `Failed`. A version
 * or member-count change is therefore awaited until it landed; a change to anything else (a
 * resource) still meets the old status at once: the status cannot tell it.
 */
export function mongodbLanded(version: string, members: number): { "pulumi.com/waitFor": string } {
    return waitForAll(["jsonpath={.status.phase}=Running", `jsonpath={.status.version}=${version}`, `jsonpath={.status.currentMongoDBMembers}=${members}`]);
}

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
