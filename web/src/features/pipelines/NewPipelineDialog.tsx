import { useState, type FormEvent } from 'react';
import { call, enc } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Modal } from '../../components/Modal.tsx';
import { navigate } from '../../router.ts';

export function NewPipelineDialog({ onClose }: { onClose: () => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<Error>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    call('POST /api/pipelines', { body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) } })
      .then(() => navigate(`/pipelines/${enc(name.trim())}`), setError);
  };
  return (
    <Modal title="New pipeline" onClose={onClose} testId="new-pipeline-dialog">
      <form onSubmit={submit} className="form">
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="daily_sales" autoFocus data-testid="new-pipeline-name" />
        </label>
        <label className="field">
          <span>Description</span>
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <ErrorNote error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button primary" disabled={!name.trim()} data-testid="new-pipeline-submit">Create</button>
        </div>
      </form>
    </Modal>
  );
}
