/** The frame both charts share: an SVG of one size and three grid lines (0, half, top) labelled by `label`. */
export const chart = { width: 560, left: 52, bottom: 18, top: 8 } as const;

export function ChartGrid({ height, max, label }: { height: number; max: number; label: (value: number) => string }) {
  const plot = height - chart.bottom - chart.top;
  return (
    <>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line className="pc-grid" x1={chart.left} x2={chart.width} y1={chart.top + plot * (1 - f)} y2={chart.top + plot * (1 - f)} />
          <text className="pc-axis" x={chart.left - 6} y={chart.top + plot * (1 - f) + 4} textAnchor="end">{label(max * f)}</text>
        </g>
      ))}
    </>
  );
}
