import { Controls, ReactFlow, useReactFlow, useStoreApi, type Connection, type Edge, type NodeMouseHandler } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BlockRunStatus, BlockSpec } from '@sluice/api';
import { BlockNode, type BlockNodeType } from './BlockNode.tsx';
import { layoutDag, nodeHeight, nodeWidth } from './layout-dag.ts';
import { shortcuts } from '../shortcuts/shortcut-registry.ts';
import { useTheme } from '../theme/theme.ts';

const nodeTypes = { block: BlockNode };
/**
 * The zoom never goes below this: block names (14 px) stay at 11 px or more
 * on screen. A pipeline wider than the canvas scrolls and pans instead.
 */
export const readableZoom = 0.8;
const fitOptions = { padding: 0.1, minZoom: readableZoom, maxZoom: 1.2 } as const;
type Positions = ReadonlyMap<string, { x: number; y: number }>;

export interface PipelineCanvasProps {
  readonly blocks: readonly BlockSpec[];
  readonly selected: string | undefined;
  readonly statuses: ReadonlyMap<string, BlockRunStatus>;
  readonly onSelect: (block: string | undefined) => void;
  readonly onConnect: (from: string, to: string) => void;
  readonly onDisconnect: (from: string, to: string) => void;
}

/** The pipeline's DAG: drag from a block's right handle to another's left to connect; select an edge and press Delete to disconnect. */
export const PipelineCanvas = memo(function PipelineCanvas({ blocks, selected, statuses, onSelect, onConnect, onDisconnect }: PipelineCanvasProps) {
  // The layout depends on the graph only, not on selection or run status.
  const graphKey = blocks.map((b) => `${b.name}<${b.upstream.join(',')}`).join(';');
  const positions = useMemo(() => layoutDag(blocks), [graphKey]);
  const { theme } = useTheme();

  // Unchanged blocks keep the same node object, so selecting one block
  // re-renders two nodes, not the whole DAG.
  const cache = useRef(new Map<string, BlockNodeType>());
  const nodes = useMemo<BlockNodeType[]>(() => {
    const next = new Map<string, BlockNodeType>();
    const list = blocks.map((b) => {
      const position = positions.get(b.name) ?? { x: 0, y: 0 };
      const detail = b.language === 'connector' ? `${b.connector ?? ''}${b.connection ? ` · ${b.connection}` : ''}` : b.language === 'clean' ? cleanedColumns(b) : b.language === 'dedupe' ? dedupeDetail(b) : b.language === 'prepare' ? prepareDetail(b) : b.language === 'examples' ? examplesDetail(b) : (b.file ?? '');
      const status = statuses.get(b.name);
      const isSelected = b.name === selected;
      const old = cache.current.get(b.name);
      const same = old && old.position === position && old.selected === isSelected && old.data.status === status && old.data.detail === detail && old.data.role === b.role && old.data.language === b.language;
      // A new node object loses what the canvas measured of the old one, and the canvas hides a node
      // it has no size for; its laid-out size keeps it shown while it is measured again.
      const node: BlockNodeType = same
        ? old
        : { id: b.name, type: 'block', position, initialWidth: nodeWidth, initialHeight: nodeHeight, selected: isSelected, deletable: false, data: { name: b.name, role: b.role, language: b.language, detail, status } };
      next.set(b.name, node);
      return node;
    });
    cache.current = next;
    return list;
  }, [blocks, positions, selected, statuses]);
  const [selectedEdge, setSelectedEdge] = useState<string>();
  const edges = useMemo<Edge[]>(
    () =>
      blocks.flatMap((b) =>
        b.upstream.map((up) => {
          const id = `${up}->${b.name}`;
          return { id, source: up, target: b.name, selected: id === selectedEdge, animated: statuses.get(b.name) === 'running', className: id === selectedEdge ? 'edge-selected' : '' };
        }),
      ),
    [blocks, statuses, selectedEdge],
  );

  const connect = useCallback((c: Connection) => {
    if (c.source && c.target && c.source !== c.target) onConnect(c.source, c.target);
  }, [onConnect]);
  const removeEdges = useCallback((gone: Edge[]) => {
    for (const edge of gone) onDisconnect(edge.source, edge.target);
  }, [onDisconnect]);
  const click: NodeMouseHandler<BlockNodeType> = useCallback((_event, node) => {
    setSelectedEdge(undefined);
    onSelect(node.id);
  }, [onSelect]);
  const edge = selectedEdge ? edges.find((e) => e.id === selectedEdge) : undefined;

  return (
    <div className="canvas" data-testid="dag-canvas">
      <ReactFlow
        colorMode={theme}
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodeClick={click}
        onPaneClick={() => {
          setSelectedEdge(undefined);
          onSelect(undefined);
        }}
        onEdgeClick={(_event, e) => setSelectedEdge(e.id)}
        onConnect={connect}
        onEdgesDelete={removeEdges}
        nodesDraggable={false}
        deleteKeyCode={[...shortcuts.removeEdge.keys]}
        fitView
        fitViewOptions={fitOptions}
        minZoom={readableZoom}
        panOnScroll
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
      >
        <Controls showInteractive={false} />
        <FitOnGraphChange graphKey={graphKey} positions={positions} selected={selected} />
      </ReactFlow>
      {edge && (
        <div className="canvas-edge-bar" data-testid="edge-bar">
          <span>
            {edge.source} → {edge.target}
          </span>
          <button type="button" className="button small danger" title="Disconnect (Delete)" data-testid="disconnect-edge" onClick={() => {
            setSelectedEdge(undefined);
            onDisconnect(edge.source, edge.target);
          }}>
            Disconnect
          </button>
        </div>
      )}
    </div>
  );
});

/**
 * A block added or removed (or the page opened) re-frames the view. When the
 * whole pipeline does not fit at a readable zoom, the view starts where it is
 * read from: the selected block, else the first blocks (top left).
 */
function FitOnGraphChange({ graphKey, positions, selected }: { graphKey: string; positions: Positions; selected: string | undefined }) {
  const { fitView, getViewport, setViewport, setCenter } = useReactFlow();
  const store = useStoreApi();
  // Only the graph re-frames the view; selecting a block later must not move it.
  const focus = useRef(selected);
  focus.current = selected;
  useEffect(() => {
    // After React Flow has measured the new nodes.
    const timer = setTimeout(() => {
      void fitView(fitOptions).then(() => {
        const { zoom } = getViewport();
        if (zoom > readableZoom + 0.001) return;
        const chosen = focus.current ? positions.get(focus.current) : undefined;
        if (chosen) return void setCenter(chosen.x + nodeWidth / 2, chosen.y + nodeHeight / 2, { zoom });
        const { height } = store.getState();
        const all = [...positions.values()];
        const minX = Math.min(...all.map((p) => p.x));
        const minY = Math.min(...all.map((p) => p.y));
        const maxY = Math.max(...all.map((p) => p.y)) + nodeHeight;
        const margin = 16;
        const y = (maxY - minY) * zoom + 2 * margin > height ? margin - minY * zoom : getViewport().y;
        void setViewport({ x: margin - minX * zoom, y, zoom });
      });
    }, 30);
    return () => clearTimeout(timer);
  }, [graphKey, positions, fitView, getViewport, setViewport, setCenter, store]);
  return null;
}

/** A dedupe block's compared columns, or that it holds the pairs to review. */
function dedupeDetail(block: BlockSpec): string {
  if (block.part === 'review') return 'pairs to review';
  const columns = block.settings.columns;
  return `dedupe: ${columns && typeof columns === 'object' ? Object.keys(columns).join(', ') : ''}`;
}

/** How a prepare block splits, or which side of it a side block holds. */
function prepareDetail(block: BlockSpec): string {
  if (block.part === 'train' || block.part === 'test') return `${block.part} rows`;
  const split = block.settings.split as { by?: unknown; column?: unknown } | undefined;
  return `split by ${String(split?.by ?? '?')}${split?.column ? ` (${String(split.column)})` : ''}`;
}

function examplesDetail(block: BlockSpec): string {
  if (block.part === 'train' || block.part === 'validation') return `${block.part} examples`;
  return `${String(block.settings.format ?? '?')} examples`;
}

/** A clean block's columns and their tools, `phone: phones, state: us_states`, as its node's detail. */
function cleanedColumns(block: BlockSpec): string {
  return Object.entries(block.settings).map(([column, spec]) => `${column}: ${String((spec as { tool?: unknown }).tool)}`).join(', ');
}
