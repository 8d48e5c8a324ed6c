// One place that draws a uPlot chart: loading the library, sizing to the host, following its
// width, and letting go of the canvas. Every line chart of the app (training curves, compared
// runs, search history, field quality) goes through mountChart.
import type uPlot from 'uplot';

export type UPlotClass = typeof uPlot;

let loading: Promise<UPlotClass> | undefined;

/**
 * uPlot and its stylesheet, fetched with the first chart drawn rather than with the app (the
 * first screen stays light), then kept for every later chart. A failed fetch (offline before the
 * chunk was cached) is tried again by the next chart.
 */
export function loadUPlot(): Promise<UPlotClass> {
  loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default);
  loading.catch(() => (loading = undefined));
  return loading;
}

/** The narrowest a chart is drawn (px); it is as wide as its host otherwise. */
export const CHART_MIN_WIDTH = 260;

export interface ChartSpec {
  height: number;
  /** The uPlot options without the size, built once uPlot is here (a series may need uPlot.paths). */
  options: (U: UPlotClass) => Omit<uPlot.Options, 'width' | 'height'>;
  /** The data to draw first (read when the chart is made, so the newest data is drawn). */
  data: () => uPlot.AlignedData;
}

export interface Chart {
  /** New data for the same series (kept until the chart is made, if it is not yet). */
  setData(data: uPlot.AlignedData): void;
  /** Stop following the host's size and free the canvas; safe before the chart is made. */
  destroy(): void;
}

/**
 * Draw a chart in `host` once uPlot has loaded: as wide as the host (never under 260 px), redrawn
 * at the new width when the host is resized. Call it in a Svelte `$effect` and return its
 * `destroy`, so words in another language draw the chart again and leaving the screen frees it.
 */
export function mountChart(host: HTMLElement, spec: ChartSpec): Chart {
  let plot: uPlot | null = null;
  let observer: ResizeObserver | undefined;
  let pending: uPlot.AlignedData | null = null;
  let gone = false;
  const size = () => ({ width: Math.max(CHART_MIN_WIDTH, host.clientWidth), height: spec.height });
  loadUPlot().then(
    (U) => {
      if (gone) return;
      plot = new U({ ...size(), ...spec.options(U) }, pending ?? spec.data(), host);
      pending = null;
      observer = new ResizeObserver(() => plot?.setSize(size()));
      observer.observe(host);
    },
    // Without the chunk the chart stays empty; its caption and label still give the figures.
    () => undefined,
  );
  return {
    setData(data) {
      if (plot) plot.setData(data);
      else pending = data;
    },
    destroy() {
      gone = true;
      observer?.disconnect();
      plot?.destroy();
      plot = null;
    },
  };
}
