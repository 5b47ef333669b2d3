import { Platform } from "./components/platform";
import { loadSettings } from "./components/settings";

const settings = loadSettings();
const platform = new Platform("observability", { settings });

export const profile = settings.profile;
export const namespaces = platform.namespaces;
export const urls = platform.urls;
export const uiCredentials = platform.uiCredentials;
