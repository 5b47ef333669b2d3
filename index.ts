import { Platform } from "./components/platform";
import { DEPLOYED_STORAGE_OUTPUT, loadDeployableSettings, storageFacts } from "./components/settings/deployed";

// Async so the settings can be compared with what the last run deployed before anything registers.
export = async () => {
    const settings = await loadDeployableSettings();
    const platform = new Platform("observability", { settings });
    return {
        profile: settings.profile,
        namespaces: platform.namespaces,
        urls: platform.urls,
        uiCredentials: platform.uiCredentials,
        [DEPLOYED_STORAGE_OUTPUT]: storageFacts(settings),
    };
};
