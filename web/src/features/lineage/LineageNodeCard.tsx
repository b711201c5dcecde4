import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import { memo } from 'react';

export type LineageNodeData = {
  /** The whole name (`PIPELINE.BLOCK`, `CONNECTION.TABLE`, a path), which the card shows in part. */
  readonly label: string;
  /** What fits on the card: the block's or table's own name. */
  readonly title: string;
  /** `table`, `file`, `api`, or the block's role. */
  readonly kind: string;
  readonly detail: string;
  /** Written by more than one block with no declared owner. */
  readonly contested: boolean;
  readonly isBlock: boolean;
};
export type LineageNodeType = Node<LineageNodeData, 'lineage'>;

/** One table, file or block on the lineage graph; a table with two writers is marked. */
export const LineageNodeCard = memo(function LineageNodeCard({ data, selected }: NodeProps<LineageNodeType>) {
  const kindClass = data.isBlock ? `role-${data.kind}` : `lineage-dataset${data.contested ? ' lineage-contested' : ''}`;
  return (
    <div className={`dag-node ${kindClass}${selected ? ' selected' : ''}`} data-testid={`lineage-node-${data.label}`}>
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="dag-node-top">
        <span className="dag-node-role">{data.kind}</span>
        {data.contested && <span className="lineage-flag" title="Written by more than one block">two writers</span>}
      </div>
      <div className="dag-node-name" title={data.label}>{data.title}</div>
      <div className="dag-node-detail">{data.detail}</div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
