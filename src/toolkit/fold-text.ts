/** Lower case without accents: "Février" -> "fevrier", "1º" -> "1o", "Straße" -> "strasse". */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(lower) ? lower.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss') : lower;
}
