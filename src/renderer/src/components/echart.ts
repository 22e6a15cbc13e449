// The lab's one echarts set-up: the chart kinds and components its pages draw (tree-shaken), and the
// lifecycle every chart shares: created in its element for the current light/dark theme, resized with
// its container, disposed on unmount or theme change.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, RadarChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, RadarComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { usePrefersDark } from '../hooks';

echarts.use([
  LineChart,
  ScatterChart,
  BarChart,
  RadarChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  RadarComponent,
  CanvasRenderer,
]);

export { echarts };

/**
 * A chart in the element `el` points to: `chart.current` is the live instance (null before the first
 * render), recreated when the theme changes; `dark` says which theme, so options can follow it. Set
 * options in an effect that depends on `dark` too.
 */
export function useEChart() {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const dark = usePrefersDark();
  useEffect(() => {
    if (!el.current) return;
    const instance = echarts.init(el.current, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el.current);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [dark]);
  return { el, chart, dark };
}
