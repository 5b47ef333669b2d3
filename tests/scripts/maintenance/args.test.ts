import * as assert from "assert";
import { DEFAULTS, parseArgs, parseDuration, UsageError } from "../../../scripts/maintenance/args";

const refused = (argv: string[], message: RegExp) => assert.throws(() => parseArgs(argv), (err: Error) => err instanceof UsageError && message.test(err.message));

describe("maintenance: the command line", () => {
    it("drains one node with the defaults: current context, uncordoned afterwards, 10 min drain, 30 min wait", () => {
        assert.deepStrictEqual(parseArgs(["drain", "worker-a1"]), { command: "drain", node: "worker-a1", keepCordoned: false, ...DEFAULTS });
    });

    it("takes the context, --keep-cordoned and both timeouts, as separate or inline values", () => {
        assert.deepStrictEqual(parseArgs(["drain", "--context", "staging", "worker-a1", "--keep-cordoned", "--drain-timeout=90s", "--wait-timeout", "1h"]), {
            command: "drain",
            node: "worker-a1",
            context: "staging",
            keepCordoned: true,
            drainTimeoutSeconds: 90,
            waitTimeoutSeconds: 3600,
        });
    });

    it("refuses no command, and names the one it knows", () => {
        refused([], /a command is required: drain/);
    });

    it("refuses an unknown command by name", () => {
        refused(["uncordon", "worker-a1"], /unknown command "uncordon"/);
    });

    it("refuses a drain without a node", () => {
        refused(["drain", "--keep-cordoned"], /drain needs the node's name/);
    });

    it("refuses two nodes at once", () => {
        refused(["drain", "worker-a1", "worker-a2"], /one node at a time/);
    });

    it("refuses a node name that is no DNS subdomain, naming <node>", () => {
        refused(["drain", "Worker_A1"], /<node>: "Worker_A1" is not a node name/);
    });

    it("refuses an unknown option by name", () => {
        refused(["drain", "worker-a1", "--force"], /unknown option --force/);
    });

    it("refuses an option without its value, also when the next word is another option", () => {
        refused(["drain", "worker-a1", "--context"], /--context needs a value/);
        refused(["drain", "worker-a1", "--context", "--keep-cordoned"], /--context needs a value/);
        refused(["drain", "worker-a1", "--context="], /--context needs a value/);
    });

    it("refuses an option given twice", () => {
        refused(["drain", "worker-a1", "--context", "a", "--context=b"], /--context is given twice/);
    });

    it("refuses a timeout that is not a duration, naming the option", () => {
        refused(["drain", "worker-a1", "--drain-timeout", "ten"], /--drain-timeout: "ten" is not a duration/);
        refused(["drain", "worker-a1", "--wait-timeout", "5d"], /--wait-timeout: "5d" is not a duration/);
    });
});

describe("maintenance: durations", () => {
    it("reads seconds, minutes and hours, and a bare number as seconds", () => {
        assert.deepStrictEqual(["45", "45s", "10m", "2h"].map((v) => parseDuration("--x", v)), [45, 45, 600, 7200]);
    });

    it("refuses zero and negative durations", () => {
        assert.throws(() => parseDuration("--x", "0s"), UsageError);
        assert.throws(() => parseDuration("--x", "-5"), UsageError);
    });
});
