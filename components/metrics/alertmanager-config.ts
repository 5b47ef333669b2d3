/**
 * The Alertmanager configuration built from a stack's `alerting` settings. Credentials are
 * passed in separately so the caller can build the file inside a Pulumi secret; the result
 * only ever lands in a Kubernetes Secret, never in chart values.
 */
import * as YAML from "yaml";
import { AlertingSettings, ReceiverSettings } from "../settings/profiles";

/** Receives what nobody should be paged for (Watchdog, InfoInhibitor) and, without receivers, everything. */
export const NULL_RECEIVER = "null";

function receiver(r: ReceiverSettings, credential: string, alerting: AlertingSettings): Record<string, unknown> {
    switch (r.type) {
        case "email":
            return {
                name: r.name,
                email_configs: [{
                    to: r.to,
                    from: alerting.smtp?.from,
                    smarthost: alerting.smtp?.smarthost,
                    ...(alerting.smtp?.username ? { auth_username: alerting.smtp.username, auth_password: credential } : {}),
                    require_tls: alerting.smtp?.requireTls ?? true,
                    send_resolved: true,
                }],
            };
        case "slack":
            return {
                name: r.name,
                slack_configs: [{
                    api_url: credential,
                    ...(r.channel ? { channel: r.channel } : {}),
                    send_resolved: true,
                    title: '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}',
                    text: "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook }}\n{{ end }}",
                }],
            };
        case "pagerduty":
            return {
                name: r.name,
                pagerduty_configs: [{ routing_key: credential, send_resolved: true, severity: "{{ .CommonLabels.severity }}" }],
            };
        case "webhook":
            return { name: r.name, webhook_configs: [{ url: credential, send_resolved: true }] };
    }
}

/**
 * Routing: critical alerts to `criticalReceiver` (the pager), everything else to
 * `defaultReceiver`; a firing critical silences warnings of the same alert on the same target.
 */
export function alertmanagerConfig(alerting: AlertingSettings, credentials: Readonly<Record<string, string>>): Record<string, unknown> {
    const defaultReceiver = alerting.defaultReceiver ?? NULL_RECEIVER;
    const criticalReceiver = alerting.criticalReceiver ?? defaultReceiver;
    const smtpGlobal = alerting.smtp ? { smtp_require_tls: alerting.smtp.requireTls ?? true } : {};
    return {
        global: { resolve_timeout: "5m", ...smtpGlobal },
        route: {
            receiver: defaultReceiver,
            group_by: ["alertname", "namespace", "severity"],
            group_wait: alerting.groupWait,
            group_interval: alerting.groupInterval,
            repeat_interval: alerting.repeatInterval,
            routes: [
                { receiver: NULL_RECEIVER, matchers: ['alertname =~ "Watchdog|InfoInhibitor"'] },
                { receiver: criticalReceiver, matchers: ['severity = "critical"'] },
            ],
        },
        inhibit_rules: [
            // Both KubePersistentVolumeFillingUp severities carry the kubelet's `instance` (the
            // node), so the volume must match too, or one full volume hides every other volume's
            // warning on that node. A label absent from both alerts counts as equal, so node alerts,
            // which carry `node` and no `instance` (alert-rules.ts), need `node` here: without it a
            // critical on one node would silence the same alert's warning on every other node.
            { source_matchers: ['severity = "critical"'], target_matchers: ['severity = "warning"'], equal: ["alertname", "namespace", "instance", "node", "persistentvolumeclaim"] },
            { source_matchers: ['alertname = "InfoInhibitor"'], target_matchers: ['severity = "info"'], equal: ["namespace"] },
        ],
        receivers: [
            { name: NULL_RECEIVER },
            ...alerting.receivers.map((r) => receiver(r, credentials[r.name] ?? "", alerting)),
        ],
        templates: ["/etc/alertmanager/config/*.tmpl"],
    };
}

export function alertmanagerConfigYaml(alerting: AlertingSettings, credentials: Readonly<Record<string, string>>): string {
    return YAML.stringify(alertmanagerConfig(alerting, credentials), { lineWidth: 0 });
}
