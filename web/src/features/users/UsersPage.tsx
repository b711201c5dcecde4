import { useState } from 'react';
import type { IssuedKey } from '@sluice/api';
import { endpoint } from '../../api/client.ts';
import { useApi } from '../../api/use-api.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { AddUserForm } from './AddUserForm.tsx';
import { UserRow } from './UserRow.tsx';

/**
 * The admin page: who may sign in and with which role. A new API key is
 * shown once, here, and never again (the server keeps only its hash).
 */
export default function UsersPage() {
  const { data, error, reload } = useApi(endpoint('GET /api/users'));
  const [key, setKey] = useState<IssuedKey>();
  const [actionError, setActionError] = useState<Error>();
  const changed = () => {
    setActionError(undefined);
    reload();
  };
  return (
    <div className="page" data-testid="users-page">
      <PageHeader title="Users" subtitle="viewer reads · operator also runs · editor also edits files, connections and git · admin also manages users and settings" />
      <AddUserForm onAdded={changed} />
      {key && (
        <div className="note" role="status" data-testid="issued-key">
          The API key of <strong>{key.user}</strong>, shown this once: <code data-testid="issued-key-value">{key.key}</code>{' '}
          <button type="button" className="button small" onClick={() => setKey(undefined)}>Done</button>
        </div>
      )}
      <ErrorNote error={error ?? actionError} />
      <table className="table" data-testid="users-table">
        <thead>
          <tr><th>Name</th><th>Role</th><th>Sign-in</th><th>API key</th><th /></tr>
        </thead>
        <tbody>
          {(data?.users ?? []).map((user) => <UserRow key={user.name} user={user} onChanged={changed} onKey={setKey} onError={setActionError} />)}
        </tbody>
      </table>
    </div>
  );
}
