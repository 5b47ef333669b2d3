/**
 * The Graylog setup Job's script: inputs that run on every node, severity streams, an error-burst
 * event definition and notifications to the stack's alert receivers, all through Graylog 7.0's
 * REST API and all idempotent (looked up by exact title first).
 *
 * API shapes read in Graylog2/graylog2-server at tag 7.0.12:
 * - every POST/PUT/DELETE needs `X-Requested-By` (shared/rest/VerboseCsrfProtectionFilter);
 * - POST of a stream, event definition or notification takes `{entity, share_request}`
 *   (security/shares/CreateEntityRequest); PUT takes the bare DTO with its `id`;
 * - a new stream is paused (StreamServiceImpl.create sets disabled) until `POST .../resume`;
 * - an input created without `setup_wizard=true` is launched on every node for a global input
 *   (InputEventListener.inputCreated), but a bind failure leaves it FAILED, so the script reads
 *   `GET /api/cluster/inputstates` (one entry per node) and starts it with
 *   `PUT /api/cluster/inputstates/{id}` where it is not RUNNING;
 * - HTTP notifications are refused at send time unless their URL is on the URL allowlist, which
 *   a fresh install creates enabled and empty (migrations/V20191129134600_CreateInitialUrlAllowlist).
 *
 * The image (curl) has no jq: a small awk parser flattens JSON into `path<TAB>value` lines.
 * Nothing secret is ever printed: response bodies of notification and allowlist calls carry the
 * webhook URLs, so errors show the status only.
 */
import * as crypto from "crypto";
import { AlertingSettings, GraylogSettings } from "../settings/profiles";
import { setupJob } from "../shared/workloads";

export const GELF_PORT = 12201;
export const SYSLOG_TCP_PORT = 1514;
export const BEATS_PORT = 5044;
export const GELF_INPUT_TITLE = "fluent-bit GELF TCP";
/** Where the setup Job finds each notification credential (Slack or webhook URL), one file per receiver. */
export const NOTIFICATION_SECRETS_DIR = "/etc/graylog-notifications";
export const NOTIFICATIONS_SECRET = "graylog-notifications";

/** The error-burst rule: more than this many messages at level err or worse from one namespace... */
export const ERROR_BURST_COUNT = 100;
/** ...within this window, checked as often. */
export const ERROR_BURST_WINDOW_MS = 5 * 60 * 1000;

/** A TCP input the script keeps present and running on every Graylog node. */
export interface InputPlan {
    readonly title: string;
    readonly type: string;
    readonly port: number;
    /** Chart `graylog.inputs[].name`: Service and container port name. */
    readonly portName: string;
    readonly configuration: Record<string, unknown>;
}

/** The inputs a Graylog setting turns on; GELF TCP for Fluent Bit is always there. */
export function inputPlans(g: GraylogSettings): InputPlan[] {
    const tcp = { bind_address: "0.0.0.0", recv_buffer_size: 1048576, tls_enable: false, tcp_keepalive: false };
    return [
        {
            title: GELF_INPUT_TITLE, type: "org.graylog2.inputs.gelf.tcp.GELFTCPInput", port: GELF_PORT, portName: "input-gelf",
            configuration: { ...tcp, port: GELF_PORT, decompress_size_limit: 8388608, max_message_size: 2097152, use_null_delimiter: true },
        },
        ...(g.inputs.syslogTcp
            ? [{
                title: "external Syslog TCP", type: "org.graylog2.inputs.syslog.tcp.SyslogTCPInput", port: SYSLOG_TCP_PORT, portName: "input-syslog",
                // Port 514 would need root or NET_BIND_SERVICE in the pod; 1514 needs neither.
                configuration: { ...tcp, port: SYSLOG_TCP_PORT, max_message_size: 2097152, use_null_delimiter: false, force_rdns: false, allow_override_date: true, store_full_message: false, expand_structured_data: false },
            }]
            : []),
        ...(g.inputs.beats
            ? [{
                // Beats2Input is "Beats"; plugins.beats.BeatsInput is the deprecated one.
                title: "external Beats", type: "org.graylog.plugins.beats.Beats2Input", port: BEATS_PORT, portName: "input-beats",
                configuration: { ...tcp, port: BEATS_PORT, no_beats_prefix: false },
            }]
            : []),
    ];
}

/** GELF levels are syslog severities: 0 emerg .. 7 debug. */
export const SEVERITY_STREAMS = [
    // SMALLER is a strict `<` on numbers (streams/matchers/SmallerMatcher).
    { title: "Severity: error and worse", description: "GELF level 0-3 (emerg, alert, crit, err)", rule: { type: 4, field: "level", value: "4", inverted: false, description: "level < 4" } },
    // EXACT compares the trimmed string form (streams/matchers/ExactMatcher).
    { title: "Severity: warning", description: "GELF level 4 (warning)", rule: { type: 1, field: "level", value: "4", inverted: false, description: "level = 4" } },
] as const;

export const ERROR_BURST_TITLE = "Error burst in one namespace";

/** A Graylog notification for one of the stack's alert receivers. */
export interface NotificationPlan {
    readonly receiver: string;
    readonly title: string;
    /** The notification config; `@SECRET@` stands for the receiver's credential (read from its file). */
    readonly config: Record<string, unknown>;
    /** Whether the credential is a URL Graylog must find on its URL allowlist. */
    readonly allowlisted: boolean;
}

/**
 * One notification per email, Slack and webhook receiver of `alerting` (PagerDuty stays with
 * Alertmanager). Email goes through Graylog's SMTP transport (graylogValues enables it from
 * `alerting.smtp`); Slack and webhook URLs come from `alertingSecrets` through a Secret file.
 */
export function notificationPlans(alerting: AlertingSettings): NotificationPlan[] {
    return alerting.receivers.flatMap((r): NotificationPlan[] => {
        const title = `Alert receiver ${r.name}`;
        switch (r.type) {
            case "email":
                return [{
                    receiver: r.name, title, allowlisted: false,
                    config: {
                        type: "email-notification-v1",
                        sender: alerting.smtp?.from ?? "",
                        subject: "Graylog event: ${event_definition_title}",
                        body_template: "${event_definition_title}\n${event.message}\nSource streams: ${event.source_streams}\nTimestamp: ${event.timestamp}\n",
                        email_recipients: [r.to],
                        user_recipients: [],
                        time_zone: "UTC",
                    },
                }];
            case "slack":
                return [{
                    receiver: r.name, title, allowlisted: false,
                    config: {
                        type: "slack-notification-v1",
                        webhook_url: "@SECRET@",
                        channel: r.channel ?? "#alerts",
                        custom_message: "${event_definition_title}: ${event.message}",
                        color: "#FF0000",
                        include_title: true,
                        backlog_size: 0,
                        time_zone: "UTC",
                        notify_channel: false,
                        notify_here: false,
                        link_names: false,
                    },
                }];
            case "webhook":
                return [{
                    receiver: r.name, title, allowlisted: true,
                    config: { type: "http-notification-v2", url: "@SECRET@", method: "POST", content_type: "JSON", skip_tls_verification: false, time_zone: "UTC" },
                }];
            case "pagerduty":
                return [];
        }
    });
}

/** Receivers whose credential the setup Job reads from the notifications Secret. */
export function notificationSecretReceivers(alerting: AlertingSettings): string[] {
    return notificationPlans(alerting).filter((n) => JSON.stringify(n.config).includes("@SECRET@")).map((n) => n.receiver);
}

/**
 * The error burst pages like a warning in Alertmanager: it goes to `defaultReceiver` when that
 * receiver has a Graylog notification.
 */
function burstNotification(alerting: AlertingSettings, plans: readonly NotificationPlan[]): NotificationPlan | undefined {
    return plans.find((n) => n.receiver === alerting.defaultReceiver);
}

export interface SetupScriptInput {
    readonly namespace: string;
    readonly graylog: GraylogSettings;
    readonly alerting: AlertingSettings;
}

const q = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/** Flattens one JSON document on stdin into `path<TAB>value` lines (`a.0.b`); strings keep their JSON escapes. */
const JSON_FLATTEN_AWK = String.raw`
function fail() { print "setup: cannot parse JSON near offset " i > "/dev/stderr"; exit 2 }
function ws() { while (i <= n && index(" \t\r\n", substr(s, i, 1)) > 0) i++ }
function str(   out, c) {
  i++; out = ""
  while (i <= n) {
    c = substr(s, i, 1)
    if (c == "\\") { out = out c substr(s, i + 1, 1); i += 2; continue }
    if (c == "\"") { i++; return out }
    out = out c; i++
  }
  fail()
}
function val(path,   c, k, idx, start) {
  ws(); c = substr(s, i, 1)
  if (c == "{") {
    i++; ws()
    if (substr(s, i, 1) == "}") { i++; return }
    while (1) {
      ws(); if (substr(s, i, 1) != "\"") fail()
      k = str(); ws(); if (substr(s, i, 1) != ":") fail(); i++
      val(path == "" ? k : path "." k)
      ws(); c = substr(s, i, 1); i++
      if (c == "}") return
      if (c != ",") fail()
    }
  }
  if (c == "[") {
    i++; ws()
    if (substr(s, i, 1) == "]") { i++; return }
    idx = 0
    while (1) {
      val(path == "" ? idx : path "." idx); idx++
      ws(); c = substr(s, i, 1); i++
      if (c == "]") return
      if (c != ",") fail()
    }
  }
  if (c == "\"") { k = str(); print path "\t" k; return }
  start = i
  while (i <= n && index(",}] \t\r\n", substr(s, i, 1)) == 0) i++
  if (i == start) fail()
  print path "\t" substr(s, start, i - start)
}
{ s = s $0 "\n" }
END { n = length(s); i = 1; val("") }
`;

export function setupScript(input: SetupScriptInput): string {
    const api = `http://graylog-svc.${input.namespace}.svc:9000/api`;
    const inputs = inputPlans(input.graylog);
    const notifications = notificationPlans(input.alerting);
    const burst = burstNotification(input.alerting, notifications);
    const lines: string[] = [
        "#!/bin/sh",
        "set -eu",
        `api="\${GRAYLOG_API:-${api}}"`,
        // Polls of the input states: attempts and seconds between them.
        'attempts="${SETUP_POLL_ATTEMPTS:-60}"',
        'pause="${SETUP_POLL_SECONDS:-5}"',
        `secrets="\${NOTIFICATION_SECRETS_DIR:-${NOTIFICATION_SECRETS_DIR}}"`,
        "",
        `flat() { awk ${q(JSON_FLATTEN_AWK)}; }`,
        "",
        "# A newline, to split the status line off curl's output.",
        "nl='",
        "'",
        "# call METHOD PATH [quiet]: request body on stdin for POST/PUT; prints the response body.",
        "# quiet: on failure say only the status, because the body may echo a credential.",
        "call() {",
        '  m="$1"; p="$2"; quiet="${3:-}"',
        '  if [ "$m" = GET ]; then',
        '    out=$(curl -sS -w "\\n%{http_code}" -u "$GRAYLOG_USER:$GRAYLOG_PASSWORD" -H "Accept: application/json" "$api$p" 2>&1) || true',
        "  else",
        '    out=$(curl -sS -w "\\n%{http_code}" -u "$GRAYLOG_USER:$GRAYLOG_PASSWORD" -H "Accept: application/json" -H "Content-Type: application/json" \\',
        '      -H "X-Requested-By: observability-platform" -X "$m" --data-binary @- "$api$p" 2>&1) || true',
        "  fi",
        // The status is the last line (curl -w); parameter expansion splits it off without forking.
        // Without a newline curl printed only its own error, and there is no body.
        '  code=${out##*"$nl"}',
        '  case "$out" in *"$nl"*) body=${out%"$nl"*} ;; *) body= ;; esac',
        '  case "$code" in 2??) printf %s "$body"; return 0 ;; esac',
        '  if [ -n "$quiet" ]; then echo "setup: $m $p failed (HTTP $code)" >&2',
        '  else echo "setup: $m $p failed (HTTP $code): $(printf %s "$body" | head -c 500)" >&2; fi',
        "  return 1",
        "}",
        "",
        "# id_by_title LIST_KEY TITLE: the id of the element of LIST_KEY whose title is exactly TITLE (JSON on stdin).",
        "id_by_title() {",
        "  flat | awk -F '\\t' -v list=\"$1\" -v want=\"$2\" '",
        '    { n = split($1, p, ".") }',
        '    n == 3 && p[1] == list && p[3] == "title" && $2 == want { hit[p[2]] = 1 }',
        '    n == 3 && p[1] == list && p[3] == "id" { id[p[2]] = $2 }',
        "    END { for (k in hit) { print id[k]; exit } }'",
        "}",
        "# field PATH: the value at PATH (JSON on stdin).",
        "field() { flat | awk -F '\\t' -v want=\"$1\" '$1 == want { print $2; exit }'; }",
        'die() { echo "setup: $*" >&2; exit 1; }',
        "json_escape() { printf %s \"$1\" | sed -e 's/\\\\/\\\\\\\\/g' -e 's/\"/\\\\\"/g'; }",
        "",
        "# not_running ID: nodes (and states) where input ID is not RUNNING, from GET /cluster/inputstates on stdin.",
        "not_running() {",
        "  flat | awk -F '\\t' -v want=\"$1\" '",
        '    { n = split($1, p, "."); if (!(p[1] in node)) nodes++; node[p[1]] = 1 }',
        '    n == 3 && p[3] == "id" && $2 == want { mine[p[1] "." p[2]] = 1 }',
        '    n == 3 && p[3] == "state" { state[p[1] "." p[2]] = $2 }',
        '    END { for (nd in node) { s = "absent"; for (k in mine) if (index(k, nd ".") == 1) s = state[k]; if (s != "RUNNING") print nd "=" s } if (!nodes) print "no-node=absent" }\'',
        "}",
        "",
        "# ensure_input TITLE BODY: the input exists and is RUNNING on every node.",
        "ensure_input() {",
        '  list=$(call GET /system/inputs) || exit 1',
        '  id=$(printf %s "$list" | id_by_title inputs "$1")',
        '  if [ -z "$id" ]; then',
        '    created=$(printf %s "$2" | call POST /system/inputs) || exit 1',
        '    id=$(printf %s "$created" | field id); [ -n "$id" ] || die "POST /system/inputs returned no id"',
        '    echo "input \\"$1\\" created"',
        "  else",
        '    echo "input \\"$1\\" present"',
        "  fi",
        "  i=0; started=",
        "  while :; do",
        '    states=$(call GET /cluster/inputstates) || exit 1',
        '    bad=$(printf %s "$states" | not_running "$id")',
        '    [ -z "$bad" ] && { echo "input \\"$1\\" running on every node"; return 0; }',
        "    i=$((i + 1))",
        '    if [ "$i" -ge "$attempts" ]; then echo "setup: input \\"$1\\" ($id) is not running on: $bad" >&2; return 1; fi',
        // STARTING and CREATED settle by themselves; anything else (FAILED, STOPPED, SETUP, absent) is started once.
        '    if [ -z "$started" ] && printf %s "$bad" | grep -Eqv "=(STARTING|CREATED|INITIALIZED)$"; then',
        '      printf "" | call PUT "/cluster/inputstates/$id" >/dev/null || exit 1',
        '      started=1; echo "input \\"$1\\" not running on: $bad; started it"',
        "    fi",
        '    sleep "$pause"',
        "  done",
        "}",
        "",
        "# ensure_stream TITLE BODY: the stream exists (body: bare stream, @INDEX_SET@ for the default index set) and is not paused.",
        "ensure_stream() {",
        "  list=$(call GET /streams) || exit 1",
        '  id=$(printf %s "$list" | id_by_title streams "$1")',
        '  if [ -z "$id" ]; then',
        '    created=$(printf \'{"entity":%s,"share_request":null}\' "$2" | sed "s/@INDEX_SET@/$index_set/" | call POST /streams) || exit 1',
        '    id=$(printf %s "$created" | field stream_id); [ -n "$id" ] || die "POST /streams returned no stream_id"',
        '    echo "stream \\"$1\\" created"',
        "  else",
        '    stream=$(call GET "/streams/$id") || exit 1',
        '    if [ "$(printf %s "$stream" | field disabled)" = false ]; then echo "stream \\"$1\\" present"; return 0; fi',
        "  fi",
        '  printf "" | call POST "/streams/$id/resume" >/dev/null || exit 1',
        '  echo "stream \\"$1\\" running"',
        "}",
        "",
        "# upsert COLLECTION LIST_KEY TITLE BODY [QUERY]: a notification or event definition with this bare body.",
        "# Its description carries a hash of the body, so a changed body (a rotated URL too) is updated and an unchanged one left alone.",
        "upsert() {",
        '  hash=$(printf %s "$4" | sha256sum | cut -c1-16)',
        '  body=$(printf %s "$4" | sed "s/@HASH@/$hash/")',
        '  list=$(call GET "$1?per_page=500" quiet) || exit 1',
        '  id=$(printf %s "$list" | id_by_title "$2" "$3")',
        '  if [ -z "$id" ]; then',
        '    created=$(printf \'{"entity":%s,"share_request":null}\' "$body" | call POST "$1${5:-}" quiet) || exit 1',
        '    id=$(printf %s "$created" | field id); [ -n "$id" ] || die "POST $1 returned no id"',
        '    echo "\\"$3\\" created" >&2',
        "  else",
        '    current=$(call GET "$1/$id" quiet) || exit 1',
        '    if printf %s "$current" | field description | grep -q "$hash"; then',
        '      echo "\\"$3\\" unchanged" >&2',
        "    else",
        '      printf \'{"id":"%s",%s\' "$id" "${body#\\{}" | call PUT "$1/$id${5:-}" quiet >/dev/null || exit 1',
        '      echo "\\"$3\\" updated" >&2',
        "    fi",
        "  fi",
        '  printf %s "$id"',
        "}",
        "",
        "# allow_url URL: URL is a literal entry of Graylog's URL allowlist (PUT replaces the list, so merge).",
        "allow_url() {",
        '  list=$(call GET /system/urlallowlist quiet) || exit 1',
        // ENVIRON, not awk -v, which would rewrite backslash escapes in the URL.
        '  if printf %s "$list" | flat | u="$(json_escape "$1")" awk -F \'\\t\' \'$1 ~ /^entries\\.[0-9]+\\.value$/ && $2 == ENVIRON["u"] { found = 1 } END { exit !found }\'; then return 0; fi',
        '  entry=$(printf \'{"id":"%s","type":"literal","title":"%s","value":"%s"}\' "$(cat /proc/sys/kernel/random/uuid)" "$2" "$(json_escape "$1")")',
        "  printf %s \"$list\" | e=\"$entry\" awk '{ s = s $0 } END { k = index(s, \"\\\"entries\\\":[\"); if (!k) exit 1; t = substr(s, k + 11); print substr(s, 1, k + 10) ENVIRON[\"e\"] (substr(t, 1, 1) == \"]\" ? \"\" : \",\") t }' | call PUT /system/urlallowlist quiet >/dev/null || exit 1",
        '  echo "URL of $2 added to the URL allowlist"',
        "}",
        "",
        // lbstatus answers text/plain only (shared/rest/resources/system/LoadBalancerStatusResource), so no Accept header.
        'until curl -sS --fail -u "$GRAYLOG_USER:$GRAYLOG_PASSWORD" "$api/system/lbstatus" >/dev/null 2>&1; do echo "waiting for Graylog"; sleep "$pause"; done',
        "",
    ];
    for (const i of inputs) {
        lines.push(`ensure_input ${q(i.title)} ${q(JSON.stringify({ title: i.title, type: i.type, global: true, configuration: i.configuration }))}`);
    }
    lines.push(
        "",
        "index_sets=$(call GET /system/indices/index_sets)",
        "index_set=$(printf %s \"$index_sets\" | flat | awk -F '\\t' '",
        '  { split($1, p, ".") } p[1] == "index_sets" && p[3] == "default" && $2 == "true" { d[p[2]] = 1 } p[1] == "index_sets" && p[3] == "id" { id[p[2]] = $2 }',
        "  END { for (k in d) { print id[k]; exit } }')",
        '[ -n "$index_set" ] || { echo "setup: Graylog reports no default index set" >&2; exit 1; }',
    );
    const streamVar = (n: number) => `stream_${n}`;
    SEVERITY_STREAMS.forEach((s, n) => {
        const body = { title: s.title, description: s.description, matching_type: "AND", remove_matches_from_default_stream: false, index_set_id: "@INDEX_SET@", rules: [s.rule] };
        lines.push(`ensure_stream ${q(s.title)} ${q(JSON.stringify(body))}`);
        if (n === 0) {
            lines.push(`streams=$(call GET /streams)`, `${streamVar(n)}=$(printf %s "$streams" | id_by_title streams ${q(s.title)})`);
        }
    });
    lines.push("");
    for (const n of notifications) {
        const variable = `notification_${n.receiver.replace(/-/g, "_")}`;
        const body = JSON.stringify({ title: n.title, description: "managed by observability-platform setup [@HASH@]", config: n.config });
        if (body.includes("@SECRET@")) {
            const [before, after] = body.split('"@SECRET@"');
            lines.push(
                `secret=$(cat "$secrets/${n.receiver}") || { echo "setup: no credential for receiver ${n.receiver} in $secrets" >&2; exit 1; }`,
                ...(n.allowlisted ? [`allow_url "$secret" ${q(n.title)}`] : []),
                `${variable}=$(upsert /events/notifications notifications ${q(n.title)} "${before.replace(/(["\\$`])/g, "\\$1")}\\"$(json_escape "$secret")\\"${after.replace(/(["\\$`])/g, "\\$1")}")`,
            );
        } else {
            lines.push(`${variable}=$(upsert /events/notifications notifications ${q(n.title)} ${q(body)})`);
        }
    }
    const definition = {
        title: ERROR_BURST_TITLE,
        description: `More than ${ERROR_BURST_COUNT} messages at level err or worse from one namespace in ${ERROR_BURST_WINDOW_MS / 60000} minutes [@HASH@]`,
        priority: 2,
        alert: true,
        state: "ENABLED",
        config: {
            type: "aggregation-v1",
            query: "",
            query_parameters: [],
            streams: ["@STREAM@"],
            // Fluent Bit's gelf output flattens the kubernetes map with "_" (kubernetes_namespace_name).
            group_by: ["kubernetes_namespace_name"],
            series: [{ id: "count-", type: "count" }],
            conditions: { expression: { expr: ">", left: { expr: "number-ref", ref: "count-" }, right: { expr: "number", value: ERROR_BURST_COUNT } } },
            search_within_ms: ERROR_BURST_WINDOW_MS,
            execute_every_ms: ERROR_BURST_WINDOW_MS,
        },
        field_spec: {},
        key_spec: [],
        notification_settings: { grace_period_ms: ERROR_BURST_WINDOW_MS, backlog_size: 0 },
        notifications: burst ? [{ notification_id: "@NOTIFICATION@", notification_parameters: null }] : [],
    };
    const burstVar = burst ? `$notification_${burst.receiver.replace(/-/g, "_")}` : "";
    lines.push(
        "",
        `definition=$(printf %s ${q(JSON.stringify(definition))} | sed -e "s/@STREAM@/$${streamVar(0)}/" -e "s/@NOTIFICATION@/${burstVar}/")`,
        // schedule=true (the default) creates the job and trigger, so the definition runs.
        `upsert /events/definitions event_definitions ${q(ERROR_BURST_TITLE)} "$definition" '?schedule=true' >/dev/null`,
        'echo "Graylog setup complete"',
        "",
    );
    return lines.join("\n");
}

/** A digest of the non-secret setup plan, for anything that must change when the script does. */
export function setupDigest(input: SetupScriptInput): string {
    return crypto.createHash("sha256").update(setupScript(input)).digest("hex").slice(0, 16);
}

export function graylogSetupJob(namespace: string, configMap: string, rootSecret: string, alerting: AlertingSettings): Record<string, any> {
    const withSecrets = notificationSecretReceivers(alerting).length > 0;
    return setupJob({
        name: "graylog-setup",
        namespace,
        configMap,
        env: [
            { name: "GRAYLOG_USER", valueFrom: { secretKeyRef: { name: rootSecret, key: "username" } } },
            { name: "GRAYLOG_PASSWORD", valueFrom: { secretKeyRef: { name: rootSecret, key: "password" } } },
        ],
        ...(withSecrets ? { secrets: { notifications: [NOTIFICATION_SECRETS_DIR, NOTIFICATIONS_SECRET] as const } } : {}),
    });
}
