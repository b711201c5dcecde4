import type { Role } from '@sluice/api';

const roles: readonly Role[] = ['viewer', 'operator', 'editor', 'admin'];

export function RoleSelect({ value, onChange, testId }: { value: Role; onChange: (role: Role) => void; testId: string }) {
  return (
    <select value={value} onChange={(e) => onChange(e.target.value as Role)} data-testid={testId}>
      {roles.map((r) => (
        <option key={r} value={r}>{r}</option>
      ))}
    </select>
  );
}
