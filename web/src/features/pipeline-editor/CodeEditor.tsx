import { javascript } from '@codemirror/lang-javascript';
import { sql } from '@codemirror/lang-sql';
import { EditorState, Prec, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, runScopeHandlers, type DecorationSet } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';
import { shortcuts } from '../shortcuts/shortcut-registry.ts';
import { codeTheme } from '../theme/code-theme.ts';

export interface CodeEditorProps {
  readonly value: string;
  readonly language: string;
  readonly onChange: (value: string) => void;
  readonly onSave: () => void;
  readonly onRun: (withUpstream: boolean) => void;
  /** 1-based line to mark (an error's line); it moves with the text as the user edits above it. */
  readonly markLine?: number | undefined;
  /** Focus the editor on opening with this part selected: a new block's template, ready to be typed over. */
  readonly selectOnOpen?: ((text: string) => { from: number; to: number }) | undefined;
}

/** A field, so the mark follows edits instead of pointing at a stale position. */
function markedLine(line: number | undefined): Extension {
  return StateField.define<DecorationSet>({
    create: (state) => (line && line <= state.doc.lines ? Decoration.set([Decoration.line({ class: 'cm-error-line', attributes: { 'data-testid': 'marked-line' } }).range(state.doc.line(line).from)]) : Decoration.none),
    update: (marks, tr) => marks.map(tr.changes),
    provide: (field) => EditorView.decorations.from(field),
  });
}

function languageFor(language: string) {
  if (language === 'sql') return [sql()];
  if (language === 'typescript' || language === 'ts' || language === 'javascript') return [javascript({ typescript: true })];
  return [];
}

/**
 * Closes an open autocomplete popup, as Escape does: running the block ends
 * typing, and a popup left open would cover the editor. The completion
 * package is not one of ours to import, so its own Escape binding is asked.
 */
function closeCompletion(view: EditorView): void {
  if (view.dom.querySelector('.cm-tooltip-autocomplete')) runScopeHandlers(view, new KeyboardEvent('keydown', { key: 'Escape' }), 'editor');
}

/**
 * CodeMirror 6 over one block file. Mod-s saves, Mod-Enter runs the block,
 * Shift-Mod-Enter runs it with its upstreams. Loaded on demand.
 */
export default function CodeEditor({ value, language, onChange, onSave, onRun, markLine, selectOnOpen }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | undefined>(undefined);
  const handlers = useRef({ onChange, onSave, onRun });
  handlers.current = { onChange, onSave, onRun };

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        Prec.highest(
          keymap.of([
            { key: shortcuts.save.keys[0], preventDefault: true, run: () => (handlers.current.onSave(), true) },
            { key: shortcuts.runBlock.keys[0], preventDefault: true, run: (v) => (closeCompletion(v), handlers.current.onRun(false), true) },
            { key: shortcuts.runWithUpstream.keys[0], preventDefault: true, run: (v) => (closeCompletion(v), handlers.current.onRun(true), true) },
          ]),
        ),
        basicSetup,
        // After basicSetup, so its highlighting yields to colours that follow the theme.
        codeTheme,
        ...languageFor(language),
        markedLine(markLine),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) handlers.current.onChange(update.state.doc.toString());
        }),
        EditorView.theme({ '&': { height: '100%', fontSize: '13px' }, '.cm-scroller': { fontFamily: 'var(--mono)' } }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current! });
    if (markLine && markLine <= state.doc.lines) view.current.dispatch({ effects: EditorView.scrollIntoView(state.doc.line(markLine).from, { y: 'center' }) });
    if (selectOnOpen) {
      const { from, to } = selectOnOpen(value);
      view.current.dispatch({ selection: { anchor: from, head: to } });
      view.current.focus();
    }
    return () => {
      view.current?.destroy();
      view.current = undefined;
    };
    // A new file mounts a new editor (keyed by the parent); later `value` changes come from the editor itself.
  }, [language, markLine]);

  useEffect(() => {
    const current = view.current;
    if (current && current.state.doc.toString() !== value) current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: value } });
  }, [value]);

  return <div className="code-editor" ref={host} data-testid="code-editor" />;
}
