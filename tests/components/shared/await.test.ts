import * as assert from "assert";
import { elasticsearchLanded, kibanaLanded, mongodbLanded } from "../../../components/shared/await";
import { parseWaitFor, waitForMet } from "../../helpers/wait-for";

/**
 * Each await against the statuses the operators write while a change rolls out (ECK 3.5.0
 * pkg/apis/elasticsearch/v1/status.go, pkg/apis/common/v1/common.go `DeploymentStatus`;
 * mongodb-kubernetes 1.9.1 mongodb-community-operator/api/v1/mongodbcommunity_types.go), read as
 * the provider reads `pulumi.com/waitFor` (tests/helpers/wait-for.ts).
 */
const at = (generation: number, status: Record<string, unknown>) => ({ metadata: { generation }, status });

describe("shared: awaits that prove a change landed (issue 25 item 6)", () => {
    describe("the provider's reading of an annotation", () => {
        it("is not met while status.observedGeneration is behind, whatever the rest says", () => {
            assert.strictEqual(waitForMet('["jsonpath={.status.phase}=Ready"]', at(2, { observedGeneration: 1, phase: "Ready" })), false);
            assert.strictEqual(waitForMet('["jsonpath={.status.phase}=Ready"]', at(2, { observedGeneration: 2, phase: "Ready" })), true);
        });

        it("compares numbers as their decimal text, and a missing field never matches", () => {
            assert.strictEqual(waitForMet('["jsonpath={.status.n}=3"]', at(1, { n: 3 })), true);
            assert.strictEqual(waitForMet('["jsonpath={.status.n}=3"]', at(1, {})), false);
        });

        it("refuses a value with a second '=' and a path without braces, as the provider does", () => {
            assert.throws(() => parseWaitFor("jsonpath={.status.a}=b=c"), /format should be/);
            assert.throws(() => parseWaitFor("jsonpath=.status.a=b"), /in braces/);
        });
    });

    describe("Elasticsearch", () => {
        const wait = elasticsearchLanded("8.19.20")["pulumi.com/waitFor"];
        const landed = { observedGeneration: 2, phase: "Ready", version: "8.19.20", health: "green", availableNodes: 3 };

        it("is three expressions the provider accepts: phase Ready, the version, health green", () => {
            assert.deepStrictEqual(parseWaitFor(wait).expressions.map((e) => `${e.path.join(".")}=${e.value}`),
                ["status.phase=Ready", "status.version=8.19.20", "status.health=green"]);
        });

        it("is met once ECK reconciled the new spec with every node on the new version and the cluster green", () => {
            assert.strictEqual(waitForMet(wait, at(2, landed)), true);
        });

        it("is not met by ECK's first status after a version bump: green, generation observed, nothing rolled yet", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...landed, phase: "ApplyingChanges", version: "8.19.19" })), false);
        });

        it("is not met mid-rollout: the lowest running version is still the old one", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...landed, phase: "Ready", version: "8.19.19" })), false);
        });

        it("is not met by a downscale that waits for shards to move or has stalled", () => {
            for (const phase of ["MigratingData", "Stalled"]) {
                assert.strictEqual(waitForMet(wait, at(2, { ...landed, phase })), false, phase);
            }
        });

        it("is not met by a spec ECK refused (phase Invalid), e.g. a storage change without its webhook", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...landed, phase: "Invalid" })), false);
        });

        it("is not met while the cluster is yellow", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...landed, health: "yellow" })), false);
        });
    });

    describe("Kibana", () => {
        const wait = kibanaLanded("8.19.20", 2)["pulumi.com/waitFor"];
        const landed = { observedGeneration: 2, version: "8.19.20", health: "green", availableNodes: 2, count: 2 };

        it("is met once every replica is available on the new version", () => {
            assert.strictEqual(waitForMet(wait, at(2, landed)), true);
        });

        it("is not met by the old status, green on the old version", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...landed, version: "8.19.19" })), false);
        });

        it("is not met while the recreated pods start (new version, none available yet)", () => {
            assert.strictEqual(waitForMet(wait, at(2, { observedGeneration: 2, version: "8.19.20", health: "red", count: 2 })), false);
        });

        it("is not met with fewer replicas available than asked for", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...landed, availableNodes: 1 })), false);
        });
    });

    describe("MongoDB (its status has no observedGeneration)", () => {
        const wait = mongodbLanded("7.0.25", 3)["pulumi.com/waitFor"];
        const running = { phase: "Running", version: "7.0.25", currentMongoDBMembers: 3, currentStatefulSetReplicas: 3, mongoUri: "" };

        it("is met once the operator reports Running at the version with every member", () => {
            assert.strictEqual(waitForMet(wait, at(2, running)), true);
        });

        it("is not met by the Running status written before a version change", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...running, version: "7.0.24" })), false);
        });

        it("is not met by the Running status written before the members were raised, nor while scaling one at a time", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...running, currentMongoDBMembers: 1, currentStatefulSetReplicas: 1 })), false);
            assert.strictEqual(waitForMet(wait, at(2, { ...running, phase: "Pending", currentMongoDBMembers: 2 })), false);
        });

        it("is not met by a Failed replica set", () => {
            assert.strictEqual(waitForMet(wait, at(2, { ...running, phase: "Failed" })), false);
        });
    });
});
