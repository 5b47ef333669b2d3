/** The least backup a prod stack must configure (or decline): an S3 bucket and its credentials. */
export const PROD_BACKUP = {
    backup: { repository: { type: "s3", bucket: "platform-backups-test" } },
    backupSecrets: { accessKey: "access-key-id", secretKey: "secret-access-key" },
} as const;

/**
 * The least stack config that passes validation for a profile: the profile itself, plus the
 * receivers for critical and other alerts a prod stack must have (here the pager for both) and
 * its backup repository.
 */
export function profileConfig(profile: string): Record<string, string> {
    return {
        "observability-platform:profile": profile,
        ...(profile === "prod"
            ? {
                "observability-platform:alerting": JSON.stringify({ receivers: [{ name: "pager", type: "pagerduty" }], criticalReceiver: "pager", defaultReceiver: "pager" }),
                "observability-platform:alertingSecrets": JSON.stringify({ pager: "routing-key" }),
                "observability-platform:backup": JSON.stringify(PROD_BACKUP.backup),
                "observability-platform:backupSecrets": JSON.stringify(PROD_BACKUP.backupSecrets),
            }
            : {}),
    };
}
