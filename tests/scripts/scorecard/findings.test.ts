import * as assert from "assert";
import { parseCheckList, parseScore } from "../../../scripts/scorecard/findings";

/** One object as kube-score's JSON (v2) shows it, with the given checks. */
const scored = (kind: string, namespace: string | undefined, name: string, checks: object[]) => ({
    object_name: `${kind}/v1/${namespace ?? ""}/${name}`,
    type_meta: { kind, apiVersion: "v1" },
    object_meta: { name, ...(namespace ? { namespace } : {}) },
    checks,
});
const check = (id: string, grade: number, comments: Array<[string, string]> | null = null, skipped = false) =>
    ({ check: { id }, grade, skipped, comments: comments?.map(([path, summary]) => ({ path, summary, description: "" })) ?? null });

describe("scorecard: kube-score's JSON", () => {
    it("makes one finding per object, check and path, with every summary kube-score gave under that path", () => {
        const { findings } = parseScore("dev", JSON.stringify([scored("Deployment", "web", "api", [
            check("container-security-context-user-group-id", 1, [["app", "The container is running with a low user ID"], ["app", "The container running with a low group ID"], ["sidecar", "The container is running with a low user ID"]]),
        ])]));
        assert.deepStrictEqual(findings, [
            { stack: "dev", check: "container-security-context-user-group-id", object: "Deployment/web/api", path: "app", summaries: ["The container is running with a low user ID", "The container running with a low group ID"] },
            { stack: "dev", check: "container-security-context-user-group-id", object: "Deployment/web/api", path: "sidecar", summaries: ["The container is running with a low user ID"] },
        ]);
    });

    it("counts almost OK (a pod without a liveness probe) as a finding", () => {
        const { findings } = parseScore("dev", JSON.stringify([scored("Deployment", "web", "api", [check("pod-probes", 7, [["", "Container is missing a livenessProbe"]])])]));
        assert.deepStrictEqual(findings.map((f) => [f.check, f.path]), [["pod-probes", ""]]);
    });

    it("grades a passed check as passed, and counts a skipped check neither way", () => {
        const score = parseScore("prod", JSON.stringify([scored("Deployment", "web", "api", [
            check("container-image-tag", 10),
            check("deployment-has-host-podantiaffinity", 10, [["", "Skipped because the deployment has less than 2 replicas"]], true),
        ])]));
        assert.deepStrictEqual(score, { findings: [], graded: [{ stack: "prod", check: "container-image-tag", object: "Deployment/web/api", passed: true }] });
    });

    it("names a cluster-scoped object Kind/name", () => {
        const { graded } = parseScore("dev", JSON.stringify([scored("ClusterRole", undefined, "reader", [check("label-values", 1, [["app", "Invalid label value"]])])]));
        assert.deepStrictEqual(graded.map((g) => g.object), ["ClusterRole/reader"]);
    });

    it("reads kube-score's null (no object scored) as no finding", () => {
        assert.deepStrictEqual(parseScore("dev", "null"), { findings: [], graded: [] });
    });

    it("refuses output that is not a list of scored objects", () => {
        assert.throws(() => parseScore("dev", "{}"), /kube-score's JSON for dev is not a list/);
    });
});

describe("scorecard: kube-score list", () => {
    it("reads each check's id and whether it is optional, commas in the comment included", () => {
        const csv = [
            "container-resources,Pod,Makes sure that all pods have resource limits and requests set. The --ignore-container-cpu-limit flag can be used to disable the requirement of having a CPU limit,default",
            "deployment-has-host-podantiaffinity,Deployment,\"Makes sure, in short, that pods spread\",default",
            "container-seccomp-profile,Pod,Makes sure that all pods have at a seccomp policy configured.,optional",
            "",
        ].join("\n");
        assert.deepStrictEqual(parseCheckList(csv), [
            { id: "container-resources", optional: false },
            { id: "deployment-has-host-podantiaffinity", optional: false },
            { id: "container-seccomp-profile", optional: true },
        ]);
    });

    it("refuses a line it cannot read, and an empty list", () => {
        assert.throws(() => parseCheckList("container-resources,Pod,comment,sometimes\n"), /unexpected line/);
        assert.throws(() => parseCheckList("\n"), /printed no check/);
    });
});
