import { Fragment } from 'react';
import { Modal } from '../../components/Modal.tsx';
import { shortcuts, type Shortcut, type ShortcutScope } from './shortcut-registry.ts';
import { ShortcutKeys } from './ShortcutKeys.tsx';

const scopes: readonly ShortcutScope[] = ['Anywhere', 'Pipeline editor', 'Code editor', 'Pipeline canvas', 'Command palette', 'Log search', 'Dialogs'];

/** The `?` overlay: the shortcut registry as a table, grouped by where each key works. */
export function ShortcutsOverlay({ onClose }: { onClose: () => void }) {
  const all: readonly Shortcut[] = Object.values(shortcuts);
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testId="shortcuts-overlay">
      <div className="look-shortcuts">
        {scopes.map((scope) => {
          const here = all.filter((s) => s.where === scope);
          return here.length === 0 ? null : (
            <section key={scope}>
              <h3 className="section-title">{scope}</h3>
              <dl>
                {here.map((s) => (
                  <Fragment key={s.does}>
                    <dt data-testid="shortcut-keys">
                      {s.keys.map((k, i) => (
                        <Fragment key={k}>
                          {i > 0 && <span className="muted"> or </span>}
                          <ShortcutKeys keys={k} />
                        </Fragment>
                      ))}
                    </dt>
                    <dd>{s.does}</dd>
                  </Fragment>
                ))}
              </dl>
            </section>
          );
        })}
      </div>
    </Modal>
  );
}
