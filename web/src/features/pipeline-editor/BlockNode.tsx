import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import type { BlockLanguage, BlockRole, BlockRunStatus } from '@sluice/api';
import { languageLabels } from './block-kinds.ts';

export type BlockNodeData = {
  readonly name: string;
  readonly role: BlockRole | undefined;
  readonly language: BlockLanguage;
  readonly detail: string;
  readonly status: BlockRunStatus | undefined;
};
export type BlockNodeType = Node<BlockNodeData, 'block'>;


/** One block on the canvas. Memoised: a 200-block DAG re-renders only what changed. */
export const BlockNode = memo(function BlockNode({ data, selected }: NodeProps<BlockNodeType>) {
  return (
    <div className={`dag-node role-${data.role ?? 'none'}${selected ? ' selected' : ''}`} data-testid={`dag-node-${data.name}`}>
      <Handle type="target" position={Position.Left} />
      <div className="dag-node-top">
        <span className={`kind kind-${data.language}`}>{languageLabels[data.language]}</span>
        <span className="dag-node-role">{data.role ?? ''}</span>
        {data.status && <span className={`dot dot-${data.status}`} title={data.status} />}
      </div>
      <div className="dag-node-name" title={data.name}>{data.name}</div>
      <div className="dag-node-detail">{data.detail}</div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});
