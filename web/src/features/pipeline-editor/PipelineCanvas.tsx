import { Controls, ReactFlow, useReactFlow, type Connection, type Edge, type NodeMouseHandler } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BlockRunStatus, BlockSpec } from '../../api/types.ts';
import { BlockNode, type BlockNodeType } from './BlockNode.tsx';
import { layoutDag } from './layout-dag.ts';

const nodeTypes = { block: BlockNode };

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

  // Unchanged blocks keep the same node object, so selecting one block
  // re-renders two nodes, not the whole DAG.
  const cache = useRef(new Map<string, BlockNodeType>());
  const nodes = useMemo<BlockNodeType[]>(() => {
    const next = new Map<string, BlockNodeType>();
    const list = blocks.map((b) => {
      const position = positions.get(b.name) ?? { x: 0, y: 0 };
      const detail = b.kind === 'connector' ? `${b.connector ?? ''}${b.connection ? ` · ${b.connection}` : ''}` : (b.file ?? '');
      const status = statuses.get(b.name);
      const isSelected = b.name === selected;
      const old = cache.current.get(b.name);
      const same = old && old.position === position && old.selected === isSelected && old.data.status === status && old.data.detail === detail && old.data.role === b.role && old.data.kind === b.kind;
      const node: BlockNodeType = same ? old : { id: b.name, type: 'block', position, selected: isSelected, deletable: false, data: { name: b.name, role: b.role, kind: b.kind, detail, status } };
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
        deleteKeyCode={['Delete', 'Backspace']}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.1}
        onlyRenderVisibleElements
        proOptions={{ hideAttribution: true }}
      >
        <Controls showInteractive={false} />
        <FitOnGraphChange graphKey={graphKey} />
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

/** A block added or removed re-frames the view, so the new block is in sight. */
function FitOnGraphChange({ graphKey }: { graphKey: string }) {
  const { fitView } = useReactFlow();
  useEffect(() => {
    // After React Flow has measured the new nodes.
    const timer = setTimeout(() => void fitView({ padding: 0.2, maxZoom: 1.2 }), 30);
    return () => clearTimeout(timer);
  }, [graphKey, fitView]);
  return null;
}
