/**
 * The least stack config that passes validation for a profile: the profile itself, plus the
 * receivers for critical and other alerts a prod stack must have (here the pager for both).
 */
export function profileConfig(profile: string): Record<string, string> {
    return {
        "observability-platform:profile": profile,
        ...(profile === "prod"
            ? {
                "observability-platform:alerting": JSON.stringify({ receivers: [{ name: "pager", type: "pagerduty" }], criticalReceiver: "pager", defaultReceiver: "pager" }),
                "observability-platform:alertingSecrets": JSON.stringify({ pager: "routing-key" }),
            }
            : {}),
    };
}
