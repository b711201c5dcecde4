import { Controls, ReactFlow, type Edge, type NodeMouseHandler } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { layoutDag } from '../pipeline-editor/layout-dag.ts';
import { useTheme } from '../theme/theme.ts';
import { LineageNodeCard, type LineageNodeType } from './LineageNodeCard.tsx';
import { lineageLabel, type LineageData, type LineageNode } from './lineage-types.ts';

const nodeTypes = { lineage: LineageNodeCard };

/** Tables, files and blocks left to right as data flows, laid out as the pipeline editor lays out blocks. */
export function LineageCanvas({ data, shown, selected, onSelect }: { data: LineageData; shown: ReadonlySet<string>; selected: string | undefined; onSelect: (id: string | undefined) => void }) {
  const { theme } = useTheme();
  const contested = useMemo(() => new Set(data.warnings.filter((w) => w.code === 'lineage.two_writers').map((w) => w.dataset)), [data]);
  const visible = useMemo(() => data.nodes.filter((n) => shown.has(n.id)), [data, shown]);
  const edgeList = useMemo(() => data.edges.filter((e) => shown.has(e.from) && shown.has(e.to)), [data, shown]);
  const positions = useMemo(
    () => layoutDag(visible.map((n) => ({ name: n.id, upstream: edgeList.filter((e) => e.to === n.id).map((e) => e.from) }))),
    [visible, edgeList],
  );
  const nodes = useMemo<LineageNodeType[]>(
    () =>
      visible.map((n) => ({
        id: n.id,
        type: 'lineage',
        position: positions.get(n.id) ?? { x: 0, y: 0 },
        selected: n.id === selected,
        deletable: false,
        data: { label: lineageLabel(n), title: n.kind === 'block' ? n.block : n.name, kind: n.kind === 'block' ? n.role : n.type, detail: detailOf(n), contested: contested.has(n.id), isBlock: n.kind === 'block' },
      })),
    [visible, positions, selected, contested],
  );
  const edges = useMemo<Edge[]>(() => edgeList.map((e) => ({ id: `${e.from}->${e.to}`, source: e.from, target: e.to, className: contested.has(e.to) ? 'edge-contested' : '' })), [edgeList, contested]);
  const click: NodeMouseHandler<LineageNodeType> = (_event, node) => onSelect(node.id);
  return (
    <div className="canvas" data-testid="lineage-canvas">
      <ReactFlow
        colorMode={theme}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={click}
        onPaneClick={() => onSelect(undefined)}
        nodesDraggable={false}
        nodesConnectable={false}
        fitView
        fitViewOptions={{ padding: 0.1, minZoom: 0.2, maxZoom: 1.2 }}
        minZoom={0.2}
        panOnScroll
        proOptions={{ hideAttribution: true }}
      >
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function detailOf(node: LineageNode): string {
  if (node.kind === 'block') return `${node.pipeline} · ${node.language}`;
  return node.type === 'file' ? 'file' : node.namespace;
}
