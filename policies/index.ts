import { PolicyPack } from "@pulumi/policy";
import { toCrossGuard } from "./crossguard";
import { RULES } from "./rules";

// Only builds the pack: constructing a PolicyPack starts the analyzer's gRPC server.
new PolicyPack("observability-platform", {
    policies: RULES.map(toCrossGuard),
});
