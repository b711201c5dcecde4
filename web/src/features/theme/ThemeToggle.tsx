import { chooseTheme, themeChoices, useTheme, type ThemeChoice } from './theme.ts';

const labels: Record<ThemeChoice, { icon: string; text: string }> = {
  system: { icon: '◐', text: 'System' },
  light: { icon: '☀', text: 'Light' },
  dark: { icon: '☾', text: 'Dark' },
};

/** Three buttons in the navigation: follow the system, or always light or dark. */
export function ThemeToggle() {
  const { choice } = useTheme();
  return (
    <div className="look-theme" role="radiogroup" aria-label="Colour theme" data-testid="theme-toggle">
      {themeChoices.map((c) => (
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={choice === c}
          className={choice === c ? 'look-theme-option active' : 'look-theme-option'}
          onClick={() => chooseTheme(c)}
          title={`${labels[c].text} theme`}
          data-testid={`theme-${c}`}
        >
          <span aria-hidden="true">{labels[c].icon}</span> {labels[c].text}
        </button>
      ))}
    </div>
  );
}
