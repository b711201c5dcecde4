import { weekdayByName } from './date-words.ts';

export type RelativeUnit = 'day' | 'week' | 'month' | 'year';

/**
 * What a relative expression says, whatever its language: a fixed number of
 * days, an amount of units before or after, a weekday before or after, or why
 * it names no single day.
 */
export type RelativePhrase =
  | { readonly kind: 'days'; readonly days: number }
  | { readonly kind: 'amount'; readonly count: number; readonly unit: RelativeUnit; readonly sign: 1 | -1 }
  | { readonly kind: 'weekday'; readonly weekday: number; readonly direction: 'last' | 'next' }
  | { readonly kind: 'problem'; readonly problem: string };

/**
 * One language's relative expressions, written folded (lower case, no accents,
 * hyphens as spaces). In templates `{n}` is a count (digits or a word from
 * `counts`), `{u}` a unit from `units` and `{w}` a weekday name.
 */
interface RelativeLanguage {
  readonly days: Readonly<Record<string, number>>;
  readonly counts: Readonly<Record<string, number>>;
  readonly units: Readonly<Record<string, RelativeUnit>>;
  readonly ago: readonly string[];
  readonly ahead: readonly string[];
  readonly lastWeekday: readonly string[];
  readonly nextWeekday: readonly string[];
  /** "ce mardi", "diesen Dienstag": the one before or the one after. */
  readonly thisWeekday: readonly string[];
  /** "la semaine dernière": a week, a month or a year, not one day. */
  readonly periods: readonly string[];
}

const unitsOf = (words: Record<RelativeUnit, readonly string[]>): Record<string, RelativeUnit> =>
  Object.fromEntries(Object.entries(words).flatMap(([unit, names]) => names.map((name) => [name, unit as RelativeUnit])));

const languages: Readonly<Record<string, RelativeLanguage>> = {
  French: {
    days: { "aujourd'hui": 0, aujourdhui: 0, hier: -1, demain: 1, 'avant hier': -2, 'apres demain': 2 },
    counts: { un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, sept: 7, huit: 8, neuf: 9, dix: 10 },
    units: unitsOf({ day: ['jour', 'jours'], week: ['semaine', 'semaines'], month: ['mois'], year: ['an', 'ans', 'annee', 'annees'] }),
    ago: ['il y a {n} {u}'],
    ahead: ['dans {n} {u}'],
    lastWeekday: ['{w} dernier', '{w} passe'],
    nextWeekday: ['{w} prochain'],
    thisWeekday: ['ce {w}'],
    periods: ['(?:la )?semaine (?:derniere|passee|prochaine)', '(?:le )?mois (?:dernier|passe|prochain)', "(?:l'|l )?(?:an|annee) (?:derniere?|passee?|prochaine?)", 'cette (?:semaine|annee)', 'ce mois(?: ci)?'],
  },
  German: {
    days: { heute: 0, gestern: -1, morgen: 1, vorgestern: -2, ubermorgen: 2, uebermorgen: 2 },
    counts: { ein: 1, eine: 1, einem: 1, einer: 1, einen: 1, zwei: 2, drei: 3, vier: 4, funf: 5, fuenf: 5, sechs: 6, sieben: 7, acht: 8, neun: 9, zehn: 10 },
    units: unitsOf({ day: ['tag', 'tage', 'tagen'], week: ['woche', 'wochen'], month: ['monat', 'monate', 'monaten'], year: ['jahr', 'jahre', 'jahren'] }),
    ago: ['vor {n} {u}'],
    ahead: ['in {n} {u}'],
    lastWeekday: ['(?:am )?(?:letzten|letzter|vergangenen|vergangener|vorigen|voriger) {w}'],
    nextWeekday: ['(?:am )?(?:nachsten|nachster|naechsten|naechster|kommenden|kommender) {w}'],
    thisWeekday: ['(?:am )?(?:diesen|dieser) {w}'],
    periods: ['(?:letzte|letzten|letztes|vorige|vorigen|voriges|nachste|nachsten|nachstes|naechste|naechsten|naechstes|kommende|kommenden|kommendes|diese|diesen|dieses) (?:woche|monat|jahr|wochenende)'],
  },
  Spanish: {
    days: { hoy: 0, ayer: -1, manana: 1, anteayer: -2, antier: -2, 'antes de ayer': -2, 'pasado manana': 2 },
    counts: { un: 1, uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, siete: 7, ocho: 8, nueve: 9, diez: 10 },
    units: unitsOf({ day: ['dia', 'dias'], week: ['semana', 'semanas'], month: ['mes', 'meses'], year: ['ano', 'anos'] }),
    ago: ['hace {n} {u}'],
    ahead: ['dentro de {n} {u}', 'en {n} {u}'],
    lastWeekday: ['(?:el )?{w} pasado', '(?:el )?pasado {w}'],
    nextWeekday: ['(?:el )?{w} (?:proximo|que viene)', '(?:el )?proximo {w}'],
    thisWeekday: ['(?:este|el) {w}'],
    periods: ['(?:la |el )?(?:semana|mes|ano|fin de semana) (?:pasad[ao]|proxim[ao]|que viene)', '(?:la |el )?proxim[ao] (?:semana|mes|ano)', 'est[ae] (?:semana|mes|ano)'],
  },
  Italian: {
    days: { oggi: 0, ieri: -1, domani: 1, "l'altro ieri": -2, 'l altro ieri': -2, 'altro ieri': -2, altroieri: -2, "l'altroieri": -2, avantieri: -2, dopodomani: 2 },
    counts: { un: 1, uno: 1, una: 1, "un'": 1, due: 2, tre: 3, quattro: 4, cinque: 5, sei: 6, sette: 7, otto: 8, nove: 9, dieci: 10 },
    units: unitsOf({ day: ['giorno', 'giorni'], week: ['settimana', 'settimane'], month: ['mese', 'mesi'], year: ['anno', 'anni'] }),
    ago: ['{n} {u} fa'],
    ahead: ['(?:tra|fra) {n} {u}'],
    lastWeekday: ['{w} scors[ao]', '(?:lo |la )?scors[ao] {w}'],
    nextWeekday: ['{w} prossim[ao]', '(?:il |la )?prossim[ao] {w}'],
    thisWeekday: ['quest[ao] {w}'],
    periods: ["(?:la |il |l'|l )?(?:settimana|mese|anno) (?:scors[ao]|prossim[ao])", "(?:la |il |lo |l'|l )?(?:scors[ao]|prossim[ao]) (?:settimana|mese|anno)", 'quest[ao] (?:settimana|mese|anno)'],
  },
  Portuguese: {
    days: { hoje: 0, ontem: -1, amanha: 1, anteontem: -2, 'antes de ontem': -2, 'depois de amanha': 2 },
    counts: { um: 1, uma: 1, dois: 2, duas: 2, tres: 3, quatro: 4, cinco: 5, seis: 6, sete: 7, oito: 8, nove: 9, dez: 10 },
    units: unitsOf({ day: ['dia', 'dias'], week: ['semana', 'semanas'], month: ['mes', 'meses'], year: ['ano', 'anos'] }),
    ago: ['ha {n} {u}(?: atras)?', '{n} {u} atras'],
    ahead: ['(?:daqui a|dentro de|em) {n} {u}'],
    lastWeekday: ['(?:na |no )?{w} passad[ao]', '(?:na |no |a |o )?ultim[ao] {w}'],
    nextWeekday: ['(?:na |no )?{w} que vem', '(?:na |no |a |o )?proxim[ao] {w}'],
    thisWeekday: ['(?:nest[ae]|est[ae]) {w}'],
    periods: ['(?:a |o |na |no )?(?:semana|mes|ano) (?:passad[ao]|que vem)', '(?:a |o |na |no )?(?:proxim[ao]|ultim[ao]) (?:semana|mes|ano)', '(?:nest[ae]|est[ae]) (?:semana|mes|ano)'],
  },
  Dutch: {
    days: { vandaag: 0, gisteren: -1, morgen: 1, eergisteren: -2, overmorgen: 2 },
    counts: { een: 1, twee: 2, drie: 3, vier: 4, vijf: 5, zes: 6, zeven: 7, acht: 8, negen: 9, tien: 10 },
    units: unitsOf({ day: ['dag', 'dagen'], week: ['week', 'weken'], month: ['maand', 'maanden'], year: ['jaar', 'jaren'] }),
    ago: ['{n} {u} geleden'],
    ahead: ['over {n} {u}'],
    lastWeekday: ['(?:afgelopen|vorige) {w}'],
    nextWeekday: ['(?:volgende|aanstaande|komende) {w}'],
    thisWeekday: ['deze {w}'],
    periods: ['(?:vorige|volgende|afgelopen|komende|deze) (?:week|maand)', '(?:vorig|volgend|afgelopen|komend|dit) jaar'],
  },
};

interface CompiledLanguage {
  readonly spec: RelativeLanguage;
  readonly ago: RegExp;
  readonly ahead: RegExp;
  readonly bare: RegExp;
  readonly last: RegExp;
  readonly next: RegExp;
  readonly this: RegExp;
  readonly period: RegExp;
}

const twoNumbers = /\d\D+\d/;

const escape = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One anchored pattern for the templates, each template a branch: `{n}` and `{u}` capture, in every branch, by order. */
function compile(templates: readonly string[], spec: RelativeLanguage): RegExp {
  const count = `(\\d{1,4}|${Object.keys(spec.counts).map(escape).join('|')})`;
  const unit = `(${Object.keys(spec.units).map(escape).join('|')})`;
  const branches = templates.map((t) => `(?:${t.replace('{n}', count).replace('{u}', unit).replace('{w}', '([a-z]+)')})`);
  return new RegExp(`^(?:${branches.join('|')})$`);
}

const compiled: readonly CompiledLanguage[] = Object.values(languages).map((spec) => ({
  spec,
  ago: compile(spec.ago, spec),
  ahead: compile(spec.ahead, spec),
  bare: compile(['{n} {u}'], spec),
  last: compile(spec.lastWeekday, spec),
  next: compile(spec.nextWeekday, spec),
  this: compile(spec.thisWeekday, spec),
  period: compile(spec.periods, spec),
}));

/** The first defined capture: a pattern of several branches fills only the groups of the branch that matched. */
function captured(match: RegExpExecArray, from: number, every: number): string[] {
  for (let at = from; at < match.length; at += every) if (match[at] !== undefined) return match.slice(at, at + every) as string[];
  return [];
}

/**
 * Reads a relative expression in French, German, Spanish, Italian, Portuguese
 * or Dutch ("hier", "il y a 3 jours", "mardi dernier", "vor 3 Tagen", "hace 3
 * días", "3 giorni fa", "terça-feira passada", "3 dagen geleden"), or null when
 * it is none. `folded` is lower case without accents.
 */
export function readForeignRelative(folded: string): RelativePhrase | null {
  // No relative expression holds two numbers, and most written dates do ("5 mars 2024"): they skip the patterns.
  if (twoNumbers.test(folded)) return null;
  const text = folded.replace(/[’‘`´]/g, "'").replace(/-/g, ' ').replace(/\s+feira\b/g, '').replace(/\s+/g, ' ').trim();
  for (const language of compiled) {
    const days = language.spec.days[text];
    if (days !== undefined) return { kind: 'days', days };
    for (const [pattern, sign] of [[language.ago, -1], [language.ahead, 1]] as const) {
      const match = pattern.exec(text);
      if (!match) continue;
      const [countWord, unitWord] = captured(match, 1, 2);
      const count = language.spec.counts[countWord!] ?? Number(countWord);
      return { kind: 'amount', count, unit: language.spec.units[unitWord!]!, sign };
    }
    if (language.bare.test(text)) return { kind: 'problem', problem: `"${folded}" does not say whether it is before or after the reference date` };
    for (const [pattern, direction] of [[language.last, 'last'], [language.next, 'next'], [language.this, 'this']] as const) {
      const match = pattern.exec(text);
      const weekday = match ? weekdayByName.get(captured(match, 1, 1)[0]!) : undefined;
      if (weekday === undefined) continue;
      if (direction === 'this') return { kind: 'problem', problem: `"${folded}" could be the one before or after the reference date` };
      return { kind: 'weekday', weekday, direction };
    }
    if (language.period.test(text)) return { kind: 'problem', problem: `"${folded}" names a week, a month or a year, not one day` };
  }
  return null;
}
