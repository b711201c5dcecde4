/**
 * How many values per second each toolkit function cleans, from TypeScript:
 *
 *   npm run bench:toolkit -- [--values 300000] [--rounds 3]
 *
 * Each tool gets a column of messy values built here (dates in six layouts, a US
 * customer column of phone numbers, some from abroad and some too short, state and country spellings, product
 * categories against the corpus dictionary with one value in ten a supplier code; help-desk answers, one in ten
 * a near copy, for dedupeTexts). Phones run twice: every
 * number distinct, and a column where each number appears five times, as customer
 * columns do. A line gives the best round's values per second of wall time and per
 * second of CPU time: on a shared machine other work steals wall time, not CPU time.
 * Figures are reported, never asserted.
 */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cleanText, dedupeTexts, limitTokens, loadDictionary, parseCountries, parseDates, parsePhones, parseStreetAddresses, parseUsStates, standardize } from '../src/index.ts';

const { values: args } = parseArgs({ options: { values: { type: 'string', default: '300000' }, rounds: { type: 'string', default: '3' } } });
const size = Number(args.values);
const rounds = Number(args.rounds);

const two = (n: number) => String(n).padStart(2, '0');
const months = ['January', 'mars', 'März', 'abril', 'maggio', 'juni'];
function messyDate(i: number): string {
  const day = 1 + (i % 28);
  const month = 1 + ((i >> 3) % 12);
  const year = 1980 + (i % 45);
  switch (i % 6) {
    case 0: return `${year}-${two(month)}-${two(day)}`;
    case 1: return `${month}/${day}/${year}`;
    case 2: return `${day} ${months[i % months.length]} ${year}`;
    case 3: return `${year}-${two(month)}-${two(day)}T${two(i % 24)}:${two(i % 60)}:00Z`;
    case 4: return String(1_500_000_000 + i * 97);
    default: return i % 50 === 0 ? 'yesterday' : `${month}/${day}/${year} ${1 + (i % 12)}:30 PM`;
  }
}

/** A US customer column: mostly national US numbers, some international, one in twenty too short. */
function messyPhone(i: number): string {
  // US exchanges start with 2-9.
  const n = `${2 + (i % 8)}${String(i % 1_000_000).padStart(6, '0')}`;
  if (i % 20 === 19) return `555-${n.slice(3)}`;
  switch (i % 5) {
    case 0: return `(415) ${n.slice(0, 3)}-${n.slice(3)}`;
    case 1: return `+44 20 7${n.slice(0, 3)} ${n.slice(3)}`;
    case 2: return `1-212-${n.slice(0, 3)}-${n.slice(3)}`;
    case 3: return `+49 151 2${n}`;
    default: return `+61 4${n.slice(0, 2)} ${n.slice(2, 5)} ${n.slice(5)}${i % 10}`;
  }
}

const stateSpellings = ['California', 'CA', 'Calif.', 'new york', 'N.Y.', 'Texas', 'TX', 'Tex.', 'Missisippi', 'Miss.', 'Pennsilvania', 'PA', 'florida', 'FL', 'Ga.', 'Illinois', 'Ohio', 'Washington, D.C.', 'Puerto Rico', 'N/A'];
const countrySpellings = ['Germany', 'Deutschland', 'DEU', 'de', 'USA', 'United States', 'UK', 'France', 'Frnace', 'España', 'Brasil', 'JP', 'Côte d’Ivoire', 'Holland', 'Schweiz', 'Austira', 'CHN', 'India', 'Mexico', 'Atlantis'];

const categories = loadDictionary(fileURLToPath(new URL('../test/corpus/', import.meta.url)), 'categories');
const categorySpellings = ['Electronics', 'ELECTRONICS', 'Electrnics', 'home and garden', 'Garden & Home', 'Kitchen & Dinning', 'Furnture', 'Toys', 'Shkirts', 'Gizmos', 'Beauty Personal Care', 'Pet Suplies', 'Auto Parts', 'Misc'];
/** A product column: 14 spellings of categories, and one value in ten a distinct supplier code no category is like. */
/** A distinct street line each time: house number, sometimes a directional, a name, a suffix written one of several ways, sometimes a unit. */
const streetNames = ['main', 'OAK', 'Maple', 'pennsylvania', '5TH', 'Lake Shore', 'old mill', 'Elm'];
const suffixWritings = ['Street', 'st.', 'AVE', 'Avenue', 'blvd', 'Road', 'Dr.', 'Parkway', 'Ln', 'COURT'];
const unitWritings = ['', '', ' apt 4b', ', Suite 200', ' #12', ' Fl. 3'];
function messyStreet(i: number): string {
  const direction = ['', 'N. ', 'south ', '', 'W '][i % 5];
  return `${i + 1} ${direction}${streetNames[i % 8]} ${suffixWritings[i % 10]}${unitWritings[i % 6]}`;
}

function messyCategory(i: number): string {
  return i % 10 === 9 ? `SKU-${i % 5000} misc` : categorySpellings[i % categorySpellings.length]!;
}

/** Support answers as they arrive from a help desk: mostly plain, some with HTML, odd spaces, decomposed accents or zero-width characters. */
function messyText(i: number): string {
  const base = `Ticket ${i}: the customer could not reset their password on the ${i % 3 ? 'website' : 'mobile app'}, so we sent a new link.`;
  switch (i % 5) {
    case 0: return `<p>${base.replace('new link', '<a href="#">new link</a>')}</p>`;
    case 1: return base.replace(' the ', '\u00A0the  ');
    case 2: return `${base} Cafe\u0301 voucher attached.`;
    case 3: return `\u200B${base}\r\n\r\n\r\nThanks`;
    default: return base;
  }
}

/**
 * Answers a help desk writes for training: sentences of 12 to 24 words drawn from a
 * 2,000-word vocabulary, so they rarely resemble each other, and one in ten the copy
 * of an earlier answer with one word changed.
 */
const vocabulary = Array.from({ length: 2000 }, (_, i) => ['re', 'con', 'pro', 'de', 'in', 'ex', 'sub', 'trans'][i % 8]! + ['set', 'firm', 'cess', 'liver', 'voice', 'change', 'scribe', 'fer'][(i >> 3) % 8]! + (i >> 6 ? String.fromCharCode(97 + (i >> 6) % 26) : ''));
function answer(i: number): string {
  const source = i % 10 === 9 ? i - 5 : i;
  let state = (source + 1) * 2654435761;
  const draw = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state % n;
  };
  const words = Array.from({ length: 12 + draw(13) }, () => vocabulary[draw(vocabulary.length)]!);
  if (source !== i) words[i % words.length] = vocabulary[(i * 7) % vocabulary.length]!;
  return `${words.join(' ')}.`;
}

interface Case {
  readonly name: string;
  readonly values: readonly unknown[];
  readonly run: (values: readonly unknown[]) => unknown;
}

const cases: Case[] = [
  { name: 'parseDates (6 layouts, all distinct)', values: Array.from({ length: size }, (_, i) => messyDate(i)), run: (v) => parseDates(v, { relativeTo: '2024-03-10' }) },
  { name: 'parsePhones (US column, all distinct)', values: Array.from({ length: size }, (_, i) => messyPhone(i)), run: (v) => parsePhones(v, { defaultRegion: 'US' }) },
  { name: 'parsePhones (each number 5 times)', values: Array.from({ length: size }, (_, i) => messyPhone(Math.floor(i / 5))), run: (v) => parsePhones(v, { defaultRegion: 'US' }) },
  { name: 'parseUsStates (20 spellings)', values: Array.from({ length: size }, (_, i) => stateSpellings[i % stateSpellings.length]), run: (v) => parseUsStates(v) },
  { name: 'standardize (1 in 10 unknown)', values: Array.from({ length: size }, (_, i) => messyCategory(i)), run: (v) => standardize(v, categories, { threshold: 0.85 }) },
  { name: 'parseStreetAddresses (all distinct)', values: Array.from({ length: size }, (_, i) => messyStreet(i)), run: (v) => parseStreetAddresses(v) },
  { name: 'parseCountries (20 spellings)', values: Array.from({ length: size }, (_, i) => countrySpellings[i % countrySpellings.length]), run: (v) => parseCountries(v) },
  { name: 'cleanText (HTML, spaces, NFC)', values: Array.from({ length: size }, (_, i) => messyText(i)), run: (v) => cleanText(v, { stripHtml: true }) },
  { name: 'limitTokens (o200k_base, ~30 tokens)', values: Array.from({ length: size }, (_, i) => messyText(i)), run: (v) => limitTokens(v, { max: 32 }) },
  { name: 'dedupeTexts (normalised copies)', values: Array.from({ length: size }, (_, i) => messyText(i)), run: (v) => dedupeTexts(v) },
  { name: 'dedupeTexts (similarity 0.7, MinHash)', values: Array.from({ length: size }, (_, i) => answer(i)), run: (v) => dedupeTexts(v, { similarity: 0.7 }) },
];

console.log(`toolkit bench: ${size} values per column, best of ${rounds} rounds`);
for (const benchCase of cases) {
  let bestWall = 0;
  let bestCpu = 0;
  for (let round = 0; round < rounds; round++) {
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    benchCase.run(benchCase.values);
    const wallSeconds = (performance.now() - wallStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    bestWall = Math.max(bestWall, benchCase.values.length / wallSeconds);
    bestCpu = Math.max(bestCpu, benchCase.values.length / cpuSeconds);
  }
  console.log(`${benchCase.name.padEnd(40)} ${Math.round(bestWall).toLocaleString('en-US').padStart(11)} values/s   ${Math.round(bestCpu).toLocaleString('en-US').padStart(11)} values per CPU-second`);
}
