import { useState, type FormEvent } from 'react';
import type { Role } from '@sluice/api';
import { call } from '../../api/client.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { RoleSelect } from './RoleSelect.tsx';

/** Adds a user with a role and a password (at least 10 characters). */
export function AddUserForm({ onAdded }: { onAdded: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    call('POST /api/users', { body: { name: name.trim(), role, password } })
      .then(() => {
        setName('');
        setPassword('');
        setError(undefined);
        onAdded();
      })
      .catch((failure: Error) => setError(failure));
  };

  return (
    <form className="inline-form" onSubmit={submit} data-testid="add-user-form">
      <label className="field">
        <span>Name</span>
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" data-testid="new-user-name" />
      </label>
      <label className="field">
        <span>Role</span>
        <RoleSelect value={role} onChange={setRole} testId="new-user-role" />
      </label>
      <label className="field">
        <span>Password</span>
        <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" data-testid="new-user-password" />
      </label>
      <button type="submit" className="button primary" disabled={!name.trim() || !password} data-testid="add-user">Add user</button>
      <ErrorNote error={error} />
    </form>
  );
}
