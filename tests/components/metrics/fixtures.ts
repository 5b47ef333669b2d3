import { monitoringValues, MonitoringValuesInput } from "../../../components/metrics/values";
import { buildSettings, PlatformSettings } from "../../../components/settings";
import { MetricsSettings } from "../../../components/settings/profiles";
import { profileConfig } from "../../helpers/settings";

export function settingsFor(profile: string): PlatformSettings {
    return buildSettings({ stack: profile, config: profileConfig(profile) });
}

/** kube-prometheus-stack values for a profile, as Monitoring builds them; each case changes one thing. */
export function valuesFor(profile: string, extra: Partial<MonitoringValuesInput> = {}, metrics: Partial<MetricsSettings> = {}): any {
    const s = settingsFor(profile);
    return monitoringValues({
        namespace: "monitoring",
        agentNamespace: "node-agents",
        metrics: { ...s.metrics, ...metrics },
        zoneAware: profile === "prod",
        protectData: s.protectData,
        certManager: true,
        alertmanagerConfigSecret: "am",
        grafanaAdminSecret: "ga",
        ...extra,
    });
}
