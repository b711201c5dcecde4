import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DictionaryCard } from './DictionaryCard.tsx';

/** The project's dictionaries, each with the values its clean blocks' latest runs left for review. */
export default function DictionariesPage() {
  const { data, error, reload } = useApi(endpoint('GET /api/dictionaries'));
  return (
    <div className="page" data-testid="dictionaries-page">
      <PageHeader title="Dictionaries" subtitle="The values dictionary clean blocks map to, kept in dictionaries/NAME.yaml; decide what the latest runs could not" />
      <ErrorNote error={error} />
      {data && data.dictionaries.length === 0 && (
        <p className="muted">No dictionaries yet. Add <code>dictionaries/NAME.yaml</code> and clean a column with <code>{'{ tool: dictionary, dictionary: NAME }'}</code>.</p>
      )}
      {data && (
        <div className="alerts-list">
          {data.dictionaries.map((d) => <DictionaryCard key={d.name} dictionary={d} onChange={reload} />)}
        </div>
      )}
    </div>
  );
}
