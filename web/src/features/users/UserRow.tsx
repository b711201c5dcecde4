import type { IssuedKey, Role, UserView } from '@sluice/api';
import { call } from '../../api/client.ts';
import { formatTime } from '../../format.ts';
import { RoleSelect } from './RoleSelect.tsx';

/** One user: their role (changed in place), their API key, and removal. A new key is handed up to be shown once. */
export function UserRow({ user, onChanged, onKey, onError }: { user: UserView; onChanged: () => void; onKey: (key: IssuedKey) => void; onError: (error: Error) => void }) {
  const params = { name: user.name };
  const act = (work: Promise<unknown>) => void work.then(onChanged, onError);
  const setRole = (role: Role) => act(call('PATCH /api/users/:name', { params, body: { role } }));
  const remove = () => {
    if (window.confirm(`Remove ${user.name}? Their sessions and API key end at once.`)) act(call('DELETE /api/users/:name', { params }));
  };
  const issueKey = () => act(call('POST /api/users/:name/key', { params }).then(onKey));
  const revokeKey = () => act(call('DELETE /api/users/:name/key', { params }));
  return (
    <tr data-testid={`user-row-${user.name}`}>
      <td>{user.name}</td>
      <td><RoleSelect value={user.role} onChange={setRole} testId={`user-role-${user.name}`} /></td>
      <td className="muted">{user.hasPassword ? 'password' : 'no password'}{user.subject ? ' · single sign-on' : ''}</td>
      <td className="muted">{user.apiKeyIssuedAt ? `issued ${formatTime(user.apiKeyIssuedAt)}` : 'none'}</td>
      <td className="actions">
        <button type="button" className="button small" onClick={issueKey} data-testid={`issue-key-${user.name}`}>{user.apiKeyIssuedAt ? 'New key' : 'Issue key'}</button>
        {user.apiKeyIssuedAt && <button type="button" className="button small" onClick={revokeKey} data-testid={`revoke-key-${user.name}`}>Revoke key</button>}
        <button type="button" className="button small danger" onClick={remove} data-testid={`remove-user-${user.name}`}>Remove</button>
      </td>
    </tr>
  );
}
