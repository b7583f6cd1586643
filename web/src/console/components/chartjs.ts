// Chart.js with only what the console draws (bar charts), so the rest is tree-shaken away.
// Loaded on demand: agents who only use the inbox never download it.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily || "system-ui, sans-serif";

export { Chart };
