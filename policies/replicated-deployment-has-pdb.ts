import { isUnknown, Subject } from "./lib/kube";
import { labelList, uncovered } from "./lib/coverage";
import { Finding, StackRule } from "./lib/rule";
import { inventory } from "./lib/workloads";

/**
 * A Deployment runs several replicas to keep serving while one is down (Kibana, Jaeger, the UI
 * gates, Grafana with more than one replica). Without a PDB, `kubectl drain` evicts every
 * replica on the node at once, and a rolling node upgrade can drain the nodes holding all of
 * them back to back, so users see an outage the replicas were meant to prevent. Advisory:
 * stateless pods come back elsewhere within seconds, and a single replica has nothing to keep.
 * https://kubernetes.io/docs/tasks/run-application/configure-pdb/
 */
export const replicatedDeploymentHasPdb: StackRule = {
    name: "replicated-deployment-has-pdb",
    description: "Every Deployment with more than one replica has a PodDisruptionBudget that selects its pods, so a drain never takes all replicas at once.",
    enforcementLevel: "advisory",
    scope: "stack",
    check(subjects: readonly Subject[]): Finding[] {
        return uncovered(
            inventory(subjects),
            (w) => !w.deployment || w.stateful === true ? false
                : isUnknown(w.replicas) ? `its replica count is not known: ${w.replicas.unknown}`
                    : (w.replicas ?? 1) > 1,
            (w) => `${w.label} runs ${w.replicas} replicas but no PodDisruptionBudget in namespace ${w.namespace} selects its pods (${labelList(w.podLabels)}): ` +
                "a drain may evict all of them at once. Add a PDB with maxUnavailable: 1, and spread the replicas over nodes (topologySpreadConstraints on kubernetes.io/hostname).",
        ).filter((f) => f.unknown === undefined || f.subject.type.endsWith(":Deployment") || f.subject.type.endsWith(":Kibana"));
    },
};
