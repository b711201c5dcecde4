/**
 * People and companies with known duplicates, for scoring duplicate matching
 * and for its bench. Each record carries `entity`: records with the same entity
 * describe the same person or company. A duplicate is written the way people
 * mistype records: a typo, words swapped, other casing, an abbreviation, accents
 * dropped, a missing email, a mistyped ZIP code. Hard cases are built in too:
 * relatives sharing a surname and an address are different people.
 *
 * The same seed always gives the same records.
 */
import { mulberry32 } from '../../bench/anomaly/labelled-series.ts';

export interface LabelledRecord {
  readonly id: number;
  readonly entity: number;
  readonly name: string;
  readonly street: string;
  readonly city: string;
  readonly zip: string;
  readonly email: string | null;
}

export interface GenerateOptions {
  readonly entities: number;
  /** The share of entities written more than once (default 0.1). */
  readonly duplicateShare?: number;
  /** Distinct ZIP codes (default: one for every 10 entities). */
  readonly zips?: number;
  readonly seed?: number;
}

const firstNames = ['James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Margaret', 'Anthony', 'Sandra', 'Mark', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Joshua', 'Michelle', 'Kenneth', 'Dorothy', 'Kevin', 'Carol', 'Brian', 'Amanda', 'George', 'Melissa', 'Timothy', 'Deborah', 'Ronald', 'Stephanie', 'José', 'Zoë', 'Amélie', 'Søren', 'François', 'Renée', 'Björn', 'Mónica', 'Chloé', 'Nuñez', 'Héctor', 'Inés'];
const lastNames = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', "O'Brien", 'Müller', 'Dubois', 'Kowalski', 'Johansson', 'Rossi', 'Schmidt', 'Novak', 'Fischer', 'Moreau', 'Lefèvre', 'Costa', 'Silva', 'Haas', 'Weber', 'Becker', 'Wagner', 'Koch', 'Richter', 'Klein'];
const companyWords = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Tyrell', 'Cyberdyne', 'Soylent', 'Hooli', 'Vandelay', 'Pied Piper', 'Aperture', 'Black Mesa', 'Gringotts', 'Oceanic', 'Monarch', 'Dunder Mifflin', 'Sterling Cooper', 'Prestige', 'Bluth', 'Nakatomi', 'Massive Dynamic', 'Blue Sun', 'Weyland', 'Oscorp', 'Duff', 'Krusty', 'Gekko'];
const companyKinds = ['Industries', 'Logistics', 'Foods', 'Software', 'Consulting', 'Systems', 'Labs', 'Trading', 'Holdings', 'Partners', 'Analytics', 'Motors', 'Pharma', 'Media', 'Energy'];
const companySuffixes: readonly [string, string][] = [['Incorporated', 'Inc'], ['Corporation', 'Corp'], ['Company', 'Co'], ['Limited', 'Ltd'], ['International', 'Intl']];
const streetNames = ['Main', 'Oak', 'Pine', 'Maple', 'Cedar', 'Elm', 'Washington', 'Lake', 'Hill', 'Park', 'Sunset', 'River', 'Highland', 'Church', 'Mill', 'Spring', 'Ridge', 'Walnut', 'Chestnut', 'Franklin', 'Lincoln', 'Jefferson', 'Madison', 'Adams', 'Jackson'];
const streetKinds: readonly [string, string][] = [['Street', 'St'], ['Avenue', 'Ave'], ['Road', 'Rd'], ['Boulevard', 'Blvd'], ['Drive', 'Dr'], ['Lane', 'Ln']];
const cities = ['Springfield', 'Riverside', 'Franklin', 'Greenville', 'Bristol', 'Clinton', 'Fairview', 'Salem', 'Madison', 'Georgetown', 'Arlington', 'Ashland', 'Dover', 'Oxford', 'Jackson', 'Burlington', 'Manchester', 'Milton', 'Newport', 'Auburn'];

export function generateDuplicates(options: GenerateOptions): LabelledRecord[] {
  // The same seed gives the same records.
  const next = mulberry32(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const zips = options.zips ?? Math.max(1, Math.round(options.entities / 10));
  const share = options.duplicateShare ?? 0.1;
  const records: LabelledRecord[] = [];
  const add = (entity: number, fields: Omit<LabelledRecord, 'id' | 'entity'>): void => {
    records.push({ id: records.length + 1, entity, ...fields });
  };
  for (let entity = 0; entity < options.entities; entity++) {
    const zip = String(10000 + Math.floor(next() * zips)).padStart(5, '0');
    const [streetKind, streetShort] = pick(streetKinds);
    const streetBase = `${1 + Math.floor(next() * 9999)} ${pick(streetNames)}`;
    const city = pick(cities);
    const isCompany = next() < 0.3;
    let name: string;
    let short: string;
    let email: string | null;
    if (isCompany) {
      const [suffix, suffixShort] = pick(companySuffixes);
      const base = `${pick(companyWords)} ${pick(companyKinds)}`;
      name = `${base} ${suffix}`;
      short = `${base} ${suffixShort}.`;
      email = `info${entity}@${base.toLowerCase().replace(/ /g, '')}.example`;
    } else {
      const first = pick(firstNames);
      const last = pick(lastNames);
      name = `${first} ${last}`;
      short = `${last}, ${first}`;
      email = `${asciiLower(first)}.${asciiLower(last)}${entity}@mail.example`;
      // A relative at the same address: a different person the matcher must keep apart.
      if (next() < 0.03) {
        const relative = pick(firstNames.filter((f) => f !== first));
        add(-entity - 1, { name: `${relative} ${last}`, street: `${streetBase} ${streetKind}`, city, zip, email: `${asciiLower(relative)}.${asciiLower(last)}${entity}@mail.example` });
      }
    }
    add(entity, { name, street: `${streetBase} ${streetKind}`, city, zip, email });
    if (next() >= share) continue;
    const copies = next() < 0.8 ? 1 : 2;
    for (let c = 0; c < copies; c++) {
      const street = next() < 0.5 ? `${streetBase} ${streetShort}` : `${streetBase} ${streetKind}`;
      let copy = { name, street, city, zip, email: next() < 0.2 ? null : email };
      copy = mutate(copy, short, next, pick);
      add(entity, copy);
    }
  }
  return records;
}

type Fields = Omit<LabelledRecord, 'id' | 'entity'>;

/** One or two of the ways people mistype a record. */
function mutate(fields: Fields, short: string, next: () => number, pick: <T>(list: readonly T[]) => T): Fields {
  let result = fields;
  const changes = next() < 0.7 ? 1 : 2;
  for (let i = 0; i < changes; i++) {
    switch (pick(['typo', 'swap', 'case', 'abbreviate', 'accents', 'street_typo', 'zip_typo', 'spacing'] as const)) {
      case 'typo':
        result = { ...result, name: typo(result.name, next) };
        break;
      case 'swap':
      case 'abbreviate':
        result = { ...result, name: short };
        break;
      case 'case':
        result = { ...result, name: next() < 0.5 ? result.name.toUpperCase() : result.name.toLowerCase(), city: result.city.toUpperCase() };
        break;
      case 'accents':
        result = { ...result, name: result.name.normalize('NFKD').replace(/\p{M}/gu, '') };
        break;
      case 'street_typo':
        result = { ...result, street: typo(result.street, next) };
        break;
      case 'zip_typo':
        result = { ...result, zip: typo(result.zip, next) };
        break;
      case 'spacing':
        result = { ...result, name: `  ${result.name.replace(/ /g, '  ')} `, street: result.street.replace(/ /g, ', ') };
        break;
    }
  }
  return result;
}

/** A slip of one key: a letter dropped, doubled, replaced or swapped with its neighbour. */
function typo(text: string, next: () => number): string {
  if (text.length < 3) return text;
  const at = 1 + Math.floor(next() * (text.length - 2));
  switch (Math.floor(next() * 4)) {
    case 0:
      return text.slice(0, at) + text.slice(at + 1);
    case 1:
      return text.slice(0, at) + text[at] + text.slice(at);
    case 2:
      return text.slice(0, at) + (/\d/.test(text[at]!) ? String((Number(text[at]) + 1) % 10) : 'e') + text.slice(at + 1);
    default:
      return text.slice(0, at) + text[at + 1] + text[at] + text.slice(at + 2);
  }
}

function asciiLower(text: string): string {
  return text.normalize('NFKD').replace(/[^A-Za-z]/g, '').toLowerCase();
}

/** Precision and recall of found duplicate pairs against the records' entities (every pair within a cluster counts). */
export function scorePairs(records: readonly LabelledRecord[], clusterIds: readonly number[]): { precision: number; recall: number; truePairs: number; foundPairs: number; rightPairs: number } {
  const pairsWithin = (groupOf: (i: number) => number | string): Set<string> => {
    const groups = new Map<number | string, number[]>();
    records.forEach((_, i) => {
      const g = groupOf(i);
      const members = groups.get(g);
      if (members) members.push(i);
      else groups.set(g, [i]);
    });
    const pairs = new Set<string>();
    for (const members of groups.values()) for (let a = 0; a < members.length; a++) for (let b = a + 1; b < members.length; b++) pairs.add(`${members[a]}-${members[b]}`);
    return pairs;
  };
  const truth = pairsWithin((i) => records[i]!.entity);
  const found = pairsWithin((i) => clusterIds[i]!);
  let right = 0;
  for (const pair of found) if (truth.has(pair)) right++;
  return { precision: found.size ? right / found.size : 1, recall: truth.size ? right / truth.size : 1, truePairs: truth.size, foundPairs: found.size, rightPairs: right };
}
