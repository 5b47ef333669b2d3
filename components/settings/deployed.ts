/**
 * Day-two storage changes: what the stores were last deployed with, compared with what the stack
 * asks for now, refusing before any resource is registered what no operator can carry out.
 *
 * What is deployed comes from the stack's own previous outputs (`deployedStorage`), not from the
 * live PersistentVolumeClaims. Every refusal here is about a change to a claim *template* (ECK's
 * nodeSet, the Prometheus Operator's `storage`, a chart's StatefulSet, MongoDBCommunity's
 * `statefulSet.spec`), and what each operator or the provider compares a new template with is
 * the template it was last given, which is what the program last declared. The outputs are
 * readable in a preview, in CI and under mocks, need no cluster credentials and no read
 * resource, and a first `up` has none (an empty map), which passes. They are written as soon as
 * the program returns, so after a failed `up` they describe what that run asked for even where a
 * store never received it: the comparison then refuses more than needed (a revert), never less.
 *
 * Read with the engine's built-in `pulumi:pulumi:readStackOutputs` invoke (pulumi v3.259.0
 * pkg/resource/deploy/builtins.go: backendClient.GetStackOutputs; diy/state.go returns an empty
 * map for a stack with no deployment). During an update the stack resource is a "same" step that
 * keeps its old outputs (deploy/step.go SameStep.Apply) until the program registers new ones.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadSettings, PlatformSettings } from "./index";
import { STORAGE_CHANGE_KEYS, StorageChangeKey } from "./profiles";
import { parseQuantity } from "../shared/quantity";

/** The stack output the program writes and the next run reads. */
export const DEPLOYED_STORAGE_OUTPUT = "deployedStorage";

/** Where the README explains each change done by hand (README "### Changing stored data by hand"). */
export const PROCEDURES = {
    growInPlace: "README#grow-elasticsearch-or-grafana-volumes",
    moveElasticsearch: "README#move-or-shrink-elasticsearch-volumes",
    prometheus: "README#resize-prometheus-or-alertmanager-volumes",
    graylog: "README#resize-graylog-or-data-node-volumes",
    mongodb: "README#resize-mongodb-volumes",
    storageClass: "README#move-a-store-to-another-storage-class",
    dataNodes: "README#remove-graylog-data-nodes",
} as const;

export interface VolumeFacts {
    readonly storageSize: string;
    /** null: no class named, the cluster's default class at creation. */
    readonly storageClassName: string | null;
}

/** What each enabled store's volumes were declared with; a disabled store has no entry. */
export interface DeployedStorage {
    readonly elasticsearch?: VolumeFacts & { readonly nodeSetName: string };
    readonly prometheus?: VolumeFacts;
    readonly alertmanager?: VolumeFacts;
    readonly grafana?: VolumeFacts;
    /** Graylog's and the Data Node's volumes (one size for both) and the Data Node count. */
    readonly graylog?: VolumeFacts & { readonly dataNodeReplicas: number };
    readonly mongodb?: VolumeFacts;
}

type Store = keyof DeployedStorage;
const STORES: readonly Store[] = ["elasticsearch", "prometheus", "alertmanager", "grafana", "graylog", "mongodb"];

/** The facts this run deploys: exported as `deployedStorage` for the next run. Pure. */
export function storageFacts(s: PlatformSettings): DeployedStorage {
    const volume = (storageSize: string): VolumeFacts => ({ storageSize, storageClassName: s.storageClassName ?? null });
    return {
        ...(s.logging.enabled ? { elasticsearch: { ...volume(s.logging.elasticsearch.storageSize), nodeSetName: s.logging.elasticsearch.nodeSetName } } : {}),
        ...(s.metrics.enabled
            ? {
                prometheus: volume(s.metrics.prometheus.storageSize),
                alertmanager: volume(s.metrics.alertmanager.storageSize),
                grafana: volume(s.metrics.grafana.storageSize),
            }
            : {}),
        ...(s.graylog.enabled
            ? {
                graylog: { ...volume(s.graylog.storageSize), dataNodeReplicas: s.graylog.dataNodeReplicas },
                mongodb: volume(s.graylog.mongodbStorageSize),
            }
            : {}),
    };
}

/** The stores' setting keys, as the messages name them. */
const SIZE_KEY: Readonly<Record<Store, string>> = {
    elasticsearch: "logging.elasticsearch.storageSize",
    prometheus: "metrics.prometheus.storageSize",
    alertmanager: "metrics.alertmanager.storageSize",
    grafana: "metrics.grafana.storageSize",
    graylog: "graylog.storageSize",
    mongodb: "graylog.mongodbStorageSize",
};

const WHAT: Readonly<Record<Store, string>> = {
    elasticsearch: "Elasticsearch",
    prometheus: "Prometheus",
    alertmanager: "Alertmanager",
    grafana: "Grafana",
    graylog: "Graylog and its Data Node",
    mongodb: "Graylog's MongoDB",
};

/** Why a size change of a store other than Elasticsearch and Grafana needs hands. */
const SIZE_REASON: Readonly<Record<"prometheus" | "alertmanager" | "graylog" | "mongodb", [string, string]>> = {
    // prometheus-operator v0.93.0 pkg/k8s/statefulset.go ForceUpdateStatefulSet; Documentation/platform/storage.md "Resizing volumes".
    prometheus: ["the Prometheus Operator resizes no volume: it answers the StatefulSet's immutable-field error by deleting it with foreground propagation, taking every replica down, and the new pods reuse the old claims", PROCEDURES.prometheus],
    alertmanager: ["the Prometheus Operator resizes no volume: it answers the StatefulSet's immutable-field error by deleting it with foreground propagation, taking every replica down, and the new pods reuse the old claims", PROCEDURES.prometheus],
    // pulumi-kubernetes provider/pkg/provider/diff.go: `.spec.volumeClaimTemplates` forces a replacement.
    graylog: ["a StatefulSet's claim templates are immutable, so the provider would replace both StatefulSets (an outage; in a protected stack a failed up), and no volume would grow", PROCEDURES.graylog],
    // mongodb-kubernetes 1.9.1 mongodb-community-operator/controllers/replica_set_controller.go: a refused StatefulSet update sets phase Failed.
    mongodb: ["the MongoDB operator resizes no volume: its StatefulSet update is refused and the replica set turns Failed", PROCEDURES.mongodb],
};

const show = (cls: string | null) => (cls === null ? "unset (the cluster default)" : `"${cls}"`);

/**
 * Every storage change between `deployed` (undefined: nothing deployed yet) and the settings
 * that no operator can carry out, each naming its key, what is allowed and the README procedure.
 * Pure; `prefix` is the project's `<project>:`.
 */
export function storageChangeProblems(deployed: DeployedStorage | undefined, s: PlatformSettings, prefix = ""): string[] {
    const requested = storageFacts(s);
    const done = new Set<StorageChangeKey>(s.storageChangesDoneByHand);
    const pending = new Set<StorageChangeKey>();
    const problems: string[] = [];
    const refuse = (key: string, text: string) => problems.push(`${prefix}${key}: ${text}`);
    const byHand = (key: StorageChangeKey, procedure: string) =>
        `; by hand: follow ${procedure}, then add "${key}" to storageChangesDoneByHand for the next up`;

    for (const store of STORES) {
        const before = deployed?.[store];
        const after = requested[store];
        if (!before || !after) {
            continue;
        }
        const sizeKey = SIZE_KEY[store];
        const grows = parseQuantity(after.storageSize) > parseQuantity(before.storageSize);
        const shrinks = parseQuantity(after.storageSize) < parseQuantity(before.storageSize);
        const classChanges = after.storageClassName !== before.storageClassName;

        if (store === "elasticsearch") {
            // ECK v3.5.0 pkg/controller/common/volume/pvc_expansion.go HandleVolumeExpansion, run
            // in every reconcile: a smaller claim, or a larger one on a class without volume
            // expansion, fails the reconcile every time (the webhook that would refuse it up
            // front is off here); a new class fails the StatefulSet update (immutable claim
            // templates, sset/reconcile.go). A new nodeSet gets new volumes instead, and ECK
            // migrates the shards before removing the old one.
            const es = deployed!.elasticsearch!;
            const renamed = requested.elasticsearch!.nodeSetName !== es.nodeSetName;
            if (!renamed && classChanges) {
                refuse("storageClassName", `got ${show(after.storageClassName)} while Elasticsearch's volumes are on ${show(before.storageClassName)}; `
                    + `allowed: ${show(before.storageClassName)}, or the new class together with a new logging.elasticsearch.nodeSetName (now "${es.nodeSetName}"): `
                    + `ECK then builds a nodeSet on the new class, moves the data and removes the old one (${PROCEDURES.moveElasticsearch})`);
            }
            if (!renamed && shrinks) {
                refuse(sizeKey, `got "${after.storageSize}", deployed "${before.storageSize}"; allowed: ${before.storageSize} or more `
                    + `(no volume shrinks), or the smaller size together with a new logging.elasticsearch.nodeSetName (now "${es.nodeSetName}") (${PROCEDURES.moveElasticsearch})`);
            }
            if (!renamed && grows && !s.storageClassAllowsExpansion) {
                refuse(sizeKey, `got "${after.storageSize}", deployed "${before.storageSize}", on a class not declared expandable; `
                    + `allowed: ${before.storageSize}, or set storageClassAllowsExpansion: true once \`kubectl get storageclass\` shows ALLOWVOLUMEEXPANSION true `
                    + `for ${show(before.storageClassName)}: ECK then grows the volumes in place (${PROCEDURES.growInPlace})`);
            }
            continue;
        }

        if (classChanges) {
            pending.add("storageClassName");
            if (!done.has("storageClassName")) {
                const grafana = store === "grafana" ? " (the provider would delete Grafana's claim and make a new, empty one)" : "";
                refuse("storageClassName", `got ${show(after.storageClassName)} while ${WHAT[store]}'s volumes are on ${show(before.storageClassName)}; `
                    + `allowed: ${show(before.storageClassName)}: a claim's class cannot change${grafana}${byHand("storageClassName", PROCEDURES.storageClass)}`);
            }
        }
        if (store === "grafana") {
            // A chart-made PVC: the API server grows it in place on an expandable class and refuses to shrink it.
            if (shrinks) {
                refuse(sizeKey, `got "${after.storageSize}", deployed "${before.storageSize}"; allowed: ${before.storageSize} or more (the API server refuses to shrink a claim)`);
            } else if (grows && !s.storageClassAllowsExpansion) {
                refuse(sizeKey, `got "${after.storageSize}", deployed "${before.storageSize}", on a class not declared expandable; `
                    + `allowed: ${before.storageSize}, or set storageClassAllowsExpansion: true once \`kubectl get storageclass\` shows ALLOWVOLUMEEXPANSION true (${PROCEDURES.growInPlace})`);
            }
            continue;
        }
        const key = sizeKey as StorageChangeKey;
        const [reason, procedure] = SIZE_REASON[store];
        if (shrinks || grows) {
            pending.add(key);
            if (!done.has(key)) {
                refuse(sizeKey, `got "${after.storageSize}", deployed "${before.storageSize}"; allowed: ${before.storageSize}: ${reason}`
                    + (shrinks ? "; no volume shrinks: a smaller store means a new one and a restore" : byHand(key, procedure)));
            }
        }
    }

    // Graylog writes index replicas only where `elasticsearch_replicas` says (0 by default), and a
    // StatefulSet scale-down removes the highest pods without moving their shards.
    const nodesBefore = deployed?.graylog?.dataNodeReplicas;
    const nodesAfter = requested.graylog?.dataNodeReplicas;
    if (nodesBefore !== undefined && nodesAfter !== undefined && nodesAfter < nodesBefore) {
        pending.add("graylog.dataNodeReplicas");
        if (!done.has("graylog.dataNodeReplicas")) {
            refuse("graylog.dataNodeReplicas", `got ${nodesAfter}, deployed ${nodesBefore}; allowed: ${nodesBefore} or more: `
                + "a scale-down deletes the last Data Nodes with the shards only they hold"
                + byHand("graylog.dataNodeReplicas", PROCEDURES.dataNodes));
        }
    }

    // Checked off once: a key left in the list would wave the next change of it through unseen.
    for (const key of s.storageChangesDoneByHand) {
        if (!pending.has(key)) {
            refuse("storageChangesDoneByHand", `lists "${key}", which is not changing against what is deployed; allowed: only keys whose change is pending `
                + `(${STORAGE_CHANGE_KEYS.join(", ")}): remove "${key}" now that the change is deployed`);
        }
    }
    return problems;
}

/** The previous outputs' `deployedStorage`, or undefined when there is none or it is not of this shape. */
export function parseDeployedStorage(outputs: unknown): DeployedStorage | undefined {
    const value = outputs !== null && typeof outputs === "object" ? (outputs as Record<string, unknown>)[DEPLOYED_STORAGE_OUTPUT] : undefined;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const store of STORES) {
        const facts = (value as Record<string, unknown>)[store] as Record<string, unknown> | undefined;
        if (facts && typeof facts.storageSize === "string" && (facts.storageClassName === null || typeof facts.storageClassName === "string")) {
            out[store] = facts;
        }
    }
    return out as DeployedStorage;
}

/** What the stack's last run deployed, read from its own outputs. */
export async function readDeployedStorage(): Promise<DeployedStorage | undefined> {
    const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
    const result = await pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name });
    return parseDeployedStorage(result?.outputs);
}

/**
 * The stack's settings, checked against what is deployed: every problem in the stack file, then
 * every storage change no operator can carry out, before any resource is registered.
 */
export async function loadDeployableSettings(): Promise<PlatformSettings> {
    const settings = loadSettings();
    const problems = storageChangeProblems(await readDeployedStorage(), settings, `${settings.project}:`);
    if (problems.length > 0) {
        throw new ConfigError(settings.stack, problems);
    }
    return settings;
}
