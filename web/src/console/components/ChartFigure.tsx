// A bar chart with its numbers: the canvas for the eye, a table for screen readers, browser
// tests and anyone who wants the exact counts.
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../context";
import { barConfig, total, type Series } from "../lib/charts";

let chartjs: Promise<typeof import("./chartjs")> | null = null;
/** Chart.js, fetched once on the first chart. */
function loadChartjs() {
  chartjs ??= import("./chartjs").catch((e: unknown) => {
    chartjs = null; // Try again on the next chart (a network hiccup).
    throw e;
  });
  return chartjs;
}

export function ChartFigure(props: {
  testid: string;
  title: string;
  series: Series;
  labelHeader: string;
  valueHeader: string;
  horizontal?: boolean;
  /** Shorter labels under the bars (`11-03` for `2026-11-03`); the table keeps the full ones. */
  tickLabels?: string[];
  /** How a label reads in the table (a language code as its name). */
  labelText?: (label: string) => string;
  color?: string;
}) {
  const { t } = useApp();
  const canvas = useRef<HTMLCanvasElement>(null);
  const key = JSON.stringify([props.series, props.tickLabels, props.horizontal]);

  useEffect(() => {
    let chart: { destroy(): void } | null = null;
    let cancelled = false;
    loadChartjs()
      .then(({ Chart }) => {
        if (cancelled || !canvas.current) return;
        chart = new Chart(
          canvas.current,
          barConfig(props.series, {
            horizontal: props.horizontal,
            label: props.valueHeader,
            tickLabels: props.tickLabels,
            color: props.color,
          }),
        );
      })
      .catch(() => {
        // No canvas (an old browser, a test): the table below still has every number.
      });
    return () => {
      cancelled = true;
      chart?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const height = props.horizontal ? Math.max(80, 26 * props.series.labels.length + 40) : 220;
  const sum = total(props.series);
  return (
    <figure class="chart" data-testid={props.testid} data-total={sum}>
      <figcaption>{props.title}</figcaption>
      <div class="chart-box" style={{ height: `${height}px` }}>
        <canvas ref={canvas} role="img" aria-label={t("chart.total", { title: props.title, total: sum })} />
      </div>
      <details class="numbers">
        <summary>{t("chart.numbers")}</summary>
        <table class="data-table compact">
          <caption class="sr-only">{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{props.labelHeader}</th>
              <th scope="col" class="num">
                {props.valueHeader}
              </th>
            </tr>
          </thead>
          <tbody>
            {props.series.labels.map((label, i) => (
              <tr key={label} data-label={label} data-value={props.series.values[i]}>
                <th scope="row">{props.labelText ? props.labelText(label) : label}</th>
                <td class="num">{props.series.values[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
