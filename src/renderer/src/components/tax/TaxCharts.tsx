// The trade-off charts of the Alignment tax page: two scatter plots over every evaluated model of
// every pipeline (capability against harmlessness, helpfulness against over-refusal), and a radar per
// model of the chosen pipeline, each axis a metric scaled so that outward is better.
import { useCallback, useMemo } from 'react';
import type { TaxData, TaxModel, TaxPipeline } from '../../../../shared/tax';
import { TaxChart, type ChartTheme } from './TaxChart';

interface Point {
  pipeline: string;
  model: string;
  x: number;
  y: number;
}

/** Every model of every pipeline that has both metrics, grouped by model role (one series each). */
function points(data: TaxData, xKey: string, yKey: string): Point[] {
  return data.pipelines.flatMap((p) =>
    p.models.flatMap((m) => {
      const [x, y] = [m.values[xKey], m.values[yKey]];
      return x === null || x === undefined || y === null || y === undefined
        ? []
        : [{ pipeline: p.name, model: m.label, x, y }];
    }),
  );
}

function Scatter({
  data,
  xKey,
  yKey,
  label,
  reading,
  testId,
}: {
  data: TaxData;
  xKey: string;
  yKey: string;
  label: string;
  reading: string;
  testId: string;
}) {
  const metric = (k: string) => data.metrics.find((m) => m.key === k)!;
  const [mx, my] = [metric(xKey), metric(yKey)];
  const pts = useMemo(() => points(data, xKey, yKey), [data, xKey, yKey]);
  const option = useCallback(
    (t: ChartTheme) => {
      const roles = [...new Set(pts.map((p) => p.model))];
      const axis = (name: string, rate: boolean) => ({
        type: 'value',
        name,
        nameLocation: 'middle',
        nameGap: 28,
        nameTextStyle: { color: t.muted },
        ...(rate ? { min: 0, max: 1 } : { scale: true }),
        axisLabel: { color: t.muted },
        splitLine: { lineStyle: { color: t.grid } },
      });
      return {
        grid: { left: 64, right: 24, top: 40, bottom: 48 },
        legend: { top: 0, textStyle: { color: t.text } },
        tooltip: {
          trigger: 'item',
          formatter: (p: { data: [number, number, string, string] }) =>
            `${p.data[3]} · ${p.data[2]}<br/>${mx.label}: ${p.data[0].toFixed(3)}<br/>${my.label}: ${p.data[1].toFixed(3)}`,
        },
        xAxis: axis(mx.label, mx.format === 'rate'),
        yAxis: axis(my.label, my.format === 'rate'),
        series: roles.map((role) => ({
          name: role,
          type: 'scatter',
          symbolSize: 12,
          data: pts.filter((p) => p.model === role).map((p) => [p.x, p.y, p.model, p.pipeline]),
        })),
      };
    },
    [pts, mx, my],
  );
  return (
    <TaxChart
      label={label}
      reading={reading}
      option={option}
      testId={testId}
      table={{
        columns: ['pipeline', 'model', mx.label, my.label],
        rows: pts.map((p) => [p.pipeline, p.model, p.x, p.y]),
      }}
    />
  );
}

/** Radar axes: each in [0, 1] with 1 the good end. */
const AXES: { key: string; name: string; value: (v: number) => number }[] = [
  { key: 'fact_accuracy', name: 'Facts', value: (v) => v },
  { key: 'gold_score', name: 'Gold score', value: (v) => v },
  { key: 'win_rate', name: 'Win rate', value: (v) => v },
  { key: 'harmful_refusal', name: 'Refuses harm', value: (v) => v },
  { key: 'over_refusal', name: 'Answers benign', value: (v) => 1 - v },
  { key: 'idk_rate', name: 'Says IDK', value: (v) => v },
  { key: 'ece', name: 'Calibrated', value: (v) => 1 - Math.min(1, v) },
];

function Radar({ model, index }: { model: TaxModel; index: number }) {
  const { axes, values } = useMemo(() => {
    const axes = AXES.filter((a) => model.values[a.key] !== null && model.values[a.key] !== undefined);
    return { axes, values: axes.map((a) => a.value(model.values[a.key]!)) };
  }, [model]);
  const option = useCallback(
    (t: ChartTheme) => ({
      color: [t.palette[index % t.palette.length] ?? t.text],
      tooltip: { trigger: 'item' },
      radar: {
        radius: '62%',
        indicator: axes.map((a) => ({ name: a.name, max: 1, min: 0 })),
        axisName: { color: t.text, fontSize: 11 },
        splitLine: { lineStyle: { color: t.grid } },
        splitArea: { show: false },
        axisLine: { lineStyle: { color: t.grid } },
      },
      series: [
        {
          type: 'radar',
          data: [{ value: values, name: model.label, areaStyle: { opacity: 0.25 } }],
        },
      ],
    }),
    [axes, values, model.label, index],
  );
  return (
    <TaxChart
      label={`${model.label} (${model.stage})`}
      reading="Each axis is scaled to 0–1 with the good end outward: a larger, rounder shape is a model that is capable, helpful, harmless, not over-refusing, honest and calibrated at once."
      option={option}
      height={260}
      testId="tax-radar"
      table={{
        columns: ['axis', 'value on the radar (1 = best)'],
        rows: axes.map((a, i) => [a.name, values[i]!]),
      }}
    />
  );
}

export function TaxCharts({ data, pipeline }: { data: TaxData; pipeline: TaxPipeline }) {
  return (
    <>
      <h2>Trade-offs across every evaluated model</h2>
      <div className="tax-charts">
        <Scatter
          data={data}
          xKey="fact_accuracy"
          yKey="harmful_refusal"
          testId="tax-scatter-harm"
          label="Capability vs harmlessness"
          reading="Each dot is a model of a pipeline: across, the share of held-out fact questions it answers correctly; up, the share of harmful requests it refuses. Up and to the right is better on both; a step that moves a model up but left bought harmlessness with capability — the alignment tax."
        />
        <Scatter
          data={data}
          xKey="over_refusal"
          yKey="gold_score"
          testId="tax-scatter-help"
          label="Helpfulness vs over-refusal"
          reading="Across, the share of benign look-alike requests the model refuses; up, the gold judge's mean score over every held-out prompt. Up and to the left is better: a model that drifts right refuses things it should answer, and its helpfulness usually falls with it."
        />
      </div>
      <h2>Each model of {pipeline.name}</h2>
      <div className="tax-radars">
        {pipeline.models.map((m, i) => (
          <Radar key={m.runId} model={m} index={i} />
        ))}
      </div>
    </>
  );
}
