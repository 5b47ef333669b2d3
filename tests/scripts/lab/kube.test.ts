import * as assert from "assert";
import { labExecCommand } from "../../../scripts/lab/kube";

describe("lab driver: a command inside the lab", () => {
    it("runs in the lab's network namespace with the lab's kubeconfig, as lab.sh exec does", () => {
        assert.deepStrictEqual(labExecCommand("/tmp/lab-x", ["kubectl", "get", "pods", "-A"]), [
            "nsenter", "--net=/tmp/lab-x/netns", "--", "env", "KUBECONFIG=/tmp/lab-x/kubeconfig", "kubectl", "get", "pods", "-A",
        ]);
    });
});
