/** The chart's release name; object names derive from it (`<release>-prometheus`, ...). */
export const MONITORING_RELEASE = "kps";
