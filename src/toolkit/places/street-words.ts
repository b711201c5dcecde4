/**
 * The words of US street lines and their standard abbreviations, after USPS
 * Publication 28 (appendix C1 street suffixes, C2 secondary unit designators,
 * and the directionals): each standard abbreviation with the other ways it is
 * commonly written.
 */
export const streetSuffixes: Readonly<Record<string, readonly string[]>> = {
  Aly: ['alley', 'allee', 'ally'],
  Ave: ['avenue', 'av', 'aven', 'avenu', 'avn', 'avnue'],
  Blvd: ['boulevard', 'boul', 'boulv'],
  Brg: ['bridge', 'brdge'],
  Cir: ['circle', 'circ', 'circl', 'crcl', 'crcle'],
  Ct: ['court', 'crt'],
  Cv: ['cove'],
  Cres: ['crescent', 'crsent', 'crsnt'],
  Crk: ['creek'],
  Ctr: ['center', 'centre', 'cent', 'centr', 'cntr', 'cnter'],
  Cyn: ['canyon', 'canyn', 'cnyn'],
  Dr: ['drive', 'driv', 'drv'],
  Ests: ['estates'],
  Expy: ['expressway', 'exp', 'expr', 'express', 'expw'],
  Fwy: ['freeway', 'freewy', 'frway', 'frwy'],
  Gln: ['glen'],
  Grn: ['green'],
  Grv: ['grove', 'grov'],
  Hbr: ['harbor', 'harb', 'harbr', 'hrbor'],
  Hl: ['hill'],
  Hts: ['heights', 'ht'],
  Hwy: ['highway', 'highwy', 'hiway', 'hiwy', 'hway'],
  Jct: ['junction', 'jction', 'jctn', 'junctn', 'juncton'],
  Ln: ['lane'],
  Lndg: ['landing', 'lndng'],
  Loop: ['loops'],
  Mdws: ['meadows', 'mdw', 'medows'],
  Ml: ['mill'],
  Mnr: ['manor'],
  Park: ['prk'],
  Pass: [],
  Path: ['paths'],
  Pike: ['pikes'],
  Pkwy: ['parkway', 'parkwy', 'pkway', 'pky'],
  Pl: ['place'],
  Plz: ['plaza', 'plza'],
  Pt: ['point'],
  Rd: ['road'],
  Rdg: ['ridge', 'rdge'],
  Rnch: ['ranch', 'ranches', 'rnchs'],
  Row: [],
  Rte: ['route'],
  Run: [],
  Smt: ['summit', 'sumit', 'sumitt'],
  Spg: ['spring', 'spng', 'sprng'],
  Spgs: ['springs', 'spngs', 'sprngs'],
  Sq: ['square', 'sqr', 'sqre', 'squ'],
  St: ['street', 'strt', 'str'],
  Sta: ['station', 'statn', 'stn'],
  Ter: ['terrace', 'terr'],
  Tpke: ['turnpike', 'trnpk', 'turnpk'],
  Trl: ['trail', 'trails', 'trls'],
  Vis: ['vista', 'vist', 'vst', 'vsta'],
  Vlg: ['village', 'vill', 'villag', 'villg', 'villiage'],
  Vly: ['valley', 'vally', 'vlly'],
  Vw: ['view'],
  Walk: ['walks'],
  Way: ['wy'],
  Xing: ['crossing', 'crssng'],
};

export const unitDesignators: Readonly<Record<string, readonly string[]>> = {
  Apt: ['apartment', 'apt', 'appt'],
  Bldg: ['building', 'bldg', 'bld'],
  Bsmt: ['basement'],
  Dept: ['department', 'dept'],
  Fl: ['floor', 'flr', 'fl'],
  Frnt: ['front'],
  Lbby: ['lobby'],
  Lot: ['lot'],
  Ofc: ['office', 'ofc'],
  Ph: ['penthouse', 'ph'],
  Rm: ['room', 'rm'],
  Spc: ['space', 'spc'],
  Ste: ['suite', 'ste', 'suit'],
  Trlr: ['trailer', 'trlr'],
  Unit: ['unit'],
};

export const directionals: Readonly<Record<string, readonly string[]>> = {
  N: ['north', 'n'],
  S: ['south', 's'],
  E: ['east', 'e'],
  W: ['west', 'w'],
  NE: ['northeast', 'ne', 'north-east'],
  NW: ['northwest', 'nw', 'north-west'],
  SE: ['southeast', 'se', 'south-east'],
  SW: ['southwest', 'sw', 'south-west'],
};

/** Each way of writing a word (lower case, without dots), to its standard abbreviation. */
export function wordIndex(table: Readonly<Record<string, readonly string[]>>): Map<string, string> {
  const index = new Map<string, string>();
  for (const [standard, others] of Object.entries(table)) for (const word of [standard.toLowerCase(), ...others]) index.set(word, standard);
  return index;
}
