/**
 * Month and weekday names, full and abbreviated, in English, French, German,
 * Spanish, Italian, Portuguese and Dutch, written without accents (values are
 * folded the same way before lookup). No abbreviation names two different
 * months across these languages, so one table serves them all.
 */
const monthNames: readonly (readonly string[])[] = [
  ['january', 'jan', 'janvier', 'janv', 'januar', 'janner', 'enero', 'ene', 'gennaio', 'gen', 'janeiro', 'januari'],
  ['february', 'feb', 'fevrier', 'fevr', 'fev', 'februar', 'febrero', 'febbraio', 'fevereiro', 'februari'],
  ['march', 'mar', 'mars', 'marz', 'maerz', 'mrz', 'marzo', 'marco', 'maart', 'mrt'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile'],
  ['may', 'mai', 'mayo', 'maggio', 'mag', 'maio', 'mei'],
  ['june', 'jun', 'juin', 'juni', 'junio', 'giugno', 'giu', 'junho'],
  ['july', 'jul', 'juillet', 'juil', 'juli', 'julio', 'luglio', 'lug', 'julho'],
  ['august', 'aug', 'aout', 'agosto', 'ago', 'augustus'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre', 'settembre', 'set', 'setembro'],
  ['october', 'oct', 'octobre', 'oktober', 'okt', 'octubre', 'ottobre', 'ott', 'outubro', 'out'],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro'],
  ['december', 'dec', 'decembre', 'dezember', 'dez', 'diciembre', 'dic', 'dicembre', 'dezembro'],
];

/** Sunday is 0, as Date.getUTCDay counts. */
const weekdayNames: readonly (readonly string[])[] = [
  ['sunday', 'sun', 'dimanche', 'sonntag', 'domingo', 'domenica', 'zondag'],
  ['monday', 'mon', 'lundi', 'montag', 'lunes', 'lunedi', 'segunda', 'maandag'],
  ['tuesday', 'tue', 'tues', 'mardi', 'dienstag', 'martes', 'martedi', 'terca', 'dinsdag'],
  ['wednesday', 'wed', 'mercredi', 'mittwoch', 'miercoles', 'mercoledi', 'quarta', 'woensdag'],
  ['thursday', 'thu', 'thur', 'thurs', 'jeudi', 'donnerstag', 'jueves', 'giovedi', 'quinta', 'donderdag'],
  ['friday', 'fri', 'vendredi', 'freitag', 'viernes', 'venerdi', 'sexta', 'vrijdag'],
  ['saturday', 'sat', 'samedi', 'samstag', 'sonnabend', 'sabado', 'sabato', 'zaterdag'],
];

/** Words that join the parts of a written date and carry no meaning of their own. */
const joiningWords = ['de', 'del', 'of', 'the', 'le', 'el', 'la', 'den', 'der', 'am', 'on', 'feira', 'st', 'nd', 'rd', 'th', 'er', 'o', 'a', 'y'];

function indexWords(groups: readonly (readonly string[])[], firstNumber: number): ReadonlyMap<string, number> {
  const index = new Map<string, number>();
  groups.forEach((words, i) => words.forEach((word) => index.set(word, i + firstNumber)));
  return index;
}

/** Month number (1-12) by folded name. */
export const monthByName = indexWords(monthNames, 1);
/** Weekday (0 = Sunday) by folded name. */
export const weekdayByName = indexWords(weekdayNames, 0);
export const isJoiningWord: ReadonlySet<string> = new Set(joiningWords);

export const englishMonthNames = monthNames.map((names) => names[0]!.replace(/^./, (c) => c.toUpperCase()));
export const englishWeekdayNames = weekdayNames.map((names) => names[0]!.replace(/^./, (c) => c.toUpperCase()));
