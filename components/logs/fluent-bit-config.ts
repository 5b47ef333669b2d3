/**
 * Fluent Bit's configuration as data, rendered to its classic format. Keeping it typed lets the
 * tests parse the output back and prove every parser and output it names is defined, and lets
 * the README describe exactly what the agent does.
 */

export type Section = { readonly name: "SERVICE" | "INPUT" | "FILTER" | "OUTPUT" | "PARSER" | "MULTILINE_PARSER"; readonly entries: ReadonlyArray<readonly [string, string]> };

/** Built into Fluent Bit; everything else must be defined in parsers.conf. */
export const BUILTIN_MULTILINE_PARSERS = ["cri", "docker", "go", "java", "python"] as const;

export const STATE_DIR = "/var/fluent-bit/state";
export const CONFIG_DIR = "/fluent-bit/etc";
export const ES_CA_FILE = "/fluent-bit/tls/ca.crt";
export const METRICS_PORT = 2020;

export interface FluentBitConfigInput {
    /** Namespace Fluent Bit runs in; its own logs are excluded from collection. */
    readonly namespace: string;
    readonly elasticsearch: { readonly host: string; readonly port: number; readonly dataStream: string };
    /** Where GELF goes when Graylog is enabled. */
    readonly graylog?: { readonly host: string; readonly port: number };
    /** Per-output cap on the filesystem buffer, in mebibytes. */
    readonly bufferLimitMb: number;
}

function section(name: Section["name"], entries: Array<[string, string | number]>): Section {
    return { name, entries: entries.map(([k, v]) => [k, String(v)] as const) };
}

/**
 * Application log levels (lifted to the top level by Merge_Log) as syslog severities in
 * `gelf_level`, the GELF output's level key. Fluent Bit 4.2.2's gelf packer (src/flb_pack_gelf.c)
 * maps only a digit or an exact syslog keyword, so "error" or "WARN" would reach Graylog as a
 * string, and GelfDecoder keeps `level` only when it is an integer: severity streams would then
 * match nothing. Regexes are case-insensitive through the `/.../i` form (src/flb_regex.c).
 */
export const GELF_LEVELS: ReadonlyArray<readonly [string, number]> = [
    ["/^(emerg|emergency)$/i", 0],
    ["/^alert$/i", 1],
    ["/^(crit|critical|fatal|panic)$/i", 2],
    ["/^(err|error)$/i", 3],
    ["/^(warn|warning)$/i", 4],
    ["/^notice$/i", 5],
    ["/^(info|information|informational)$/i", 6],
    ["/^(debug|trace)$/i", 7],
];
export const GELF_LEVEL_KEY = "gelf_level";

export function fluentBitSections(input: FluentBitConfigInput): Section[] {
    const sections: Section[] = [
        section("SERVICE", [
            ["Flush", 5],
            ["Grace", 30],
            ["Log_Level", "info"],
            ["Daemon", "off"],
            ["Parsers_File", `${CONFIG_DIR}/parsers.conf`],
            ["HTTP_Server", "On"],
            ["HTTP_Listen", "0.0.0.0"],
            ["HTTP_Port", METRICS_PORT],
            // /api/v1/health turns unhealthy after 5 errors or 5 failed retries in 60s: the
            // readiness probe (fluent-bit.ts) reports an agent whose outputs fail.
            ["Health_Check", "On"],
            ["HC_Errors_Count", 5],
            ["HC_Retry_Failure_Count", 5],
            ["HC_Period", 60],
            ["storage.path", `${STATE_DIR}/flb-storage/`],
            ["storage.sync", "normal"],
            ["storage.checksum", "off"],
            ["storage.backlog.mem_limit", "16M"],
            ["storage.max_chunks_up", 128],
            ["storage.metrics", "on"],
        ]),
        section("INPUT", [
            ["Name", "tail"],
            ["Tag", "kube.*"],
            ["Path", "/var/log/containers/*.log"],
            // Its own logs would loop back through every output error it reports.
            ["Exclude_Path", `/var/log/containers/fluent-bit-*_${input.namespace}_*.log`],
            ["multiline.parser", "cri, docker"],
            ["DB", `${STATE_DIR}/tail-containers.db`],
            ["DB.locking", "true"],
            ["Skip_Long_Lines", "On"],
            ["Refresh_Interval", 10],
            ["Rotate_Wait", 30],
            ["Mem_Buf_Limit", "32MB"],
            ["storage.type", "filesystem"],
        ]),
        section("FILTER", [
            ["Name", "kubernetes"],
            ["Match", "kube.*"],
            ["Kube_URL", "https://kubernetes.default.svc:443"],
            ["Kube_Tag_Prefix", "kube.var.log.containers."],
            ["Merge_Log", "On"],
            // Kept even when merged: GELF needs a short message, and the raw line is the audit copy.
            ["Keep_Log", "On"],
            ["K8S-Logging.Parser", "On"],
            ["K8S-Logging.Exclude", "On"],
            ["Labels", "On"],
            ["Annotations", "Off"],
            ["Buffer_Size", "256k"],
        ]),
        section("FILTER", [
            ["Name", "modify"],
            ["Match", "kube.*"],
            ["Add", "cluster_agent fluent-bit"],
        ]),
        section("OUTPUT", [
            ["Name", "es"],
            ["Alias", "elasticsearch"],
            ["Match", "kube.*"],
            ["Host", input.elasticsearch.host],
            ["Port", input.elasticsearch.port],
            ["HTTP_User", "${ES_USER}"],
            ["HTTP_Passwd", "${ES_PASSWORD}"],
            ["tls", "On"],
            ["tls.verify", "On"],
            ["tls.ca_file", ES_CA_FILE],
            // A data stream: Elasticsearch 8 has no _type, data streams take op_type create only,
            // and the index template's ILM policy rolls it over and deletes old backing indices.
            ["Index", input.elasticsearch.dataStream],
            ["Write_Operation", "create"],
            ["Suppress_Type_Name", "On"],
            // Label keys such as app.kubernetes.io/name would otherwise clash with "app".
            ["Replace_Dots", "On"],
            ["Generate_ID", "On"],
            ["Buffer_Size", "1M"],
            ["Trace_Error", "On"],
            ["Retry_Limit", "no_limits"],
            ["storage.total_limit_size", `${input.bufferLimitMb}M`],
        ]),
    ];
    if (input.graylog) {
        sections.push(...GELF_LEVELS.map(([pattern, level]) => section("FILTER", [
            ["Name", "modify"],
            ["Match", "kube.*"],
            ["Condition", `Key_value_matches level ${pattern}`],
            ["Set", `${GELF_LEVEL_KEY} ${level}`],
        ])));
        sections.push(section("OUTPUT", [
            ["Name", "gelf"],
            ["Alias", "graylog"],
            ["Match", "kube.*"],
            ["Host", input.graylog.host],
            ["Port", input.graylog.port],
            ["Mode", "tcp"],
            ["Gelf_Short_Message_Key", "log"],
            ["Gelf_Timestamp_Key", "time"],
            ["Gelf_Level_Key", GELF_LEVEL_KEY],
            ["Retry_Limit", "no_limits"],
            ["storage.total_limit_size", `${input.bufferLimitMb}M`],
        ]));
    }
    return sections;
}

/** Parsers referenced by `K8S-Logging.Parser` annotations that the platform itself offers. */
export function parserSections(): Section[] {
    return [
        section("PARSER", [["Name", "json"], ["Format", "json"], ["Time_Key", "time"], ["Time_Format", "%Y-%m-%dT%H:%M:%S.%L%z"], ["Time_Keep", "On"]]),
        section("PARSER", [
            ["Name", "logfmt"],
            ["Format", "logfmt"],
        ]),
    ];
}

export function renderSections(sections: readonly Section[]): string {
    return sections
        .map((s) => [`[${s.name}]`, ...s.entries.map(([k, v]) => `    ${k.padEnd(26)} ${v}`)].join("\n"))
        .join("\n\n") + "\n";
}
