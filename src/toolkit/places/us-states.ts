/**
 * The fifty states, the District of Columbia and the inhabited territories,
 * each with its USPS code, its name, and the other ways people write it: AP
 * and GPO abbreviations ("Calif.", "Miss."), older codes and common short forms.
 */
export interface UsState {
  readonly code: string;
  readonly name: string;
  readonly aliases: readonly string[];
}

const table: readonly (readonly [string, string, string])[] = [
  ['AL', 'Alabama', 'Ala'], ['AK', 'Alaska', 'Alas'], ['AZ', 'Arizona', 'Ariz'], ['AR', 'Arkansas', 'Ark'],
  ['CA', 'California', 'Calif|Cal|Cali'], ['CO', 'Colorado', 'Colo|Col'], ['CT', 'Connecticut', 'Conn'],
  ['DE', 'Delaware', 'Del'], ['DC', 'District of Columbia', 'D.C.|Washington DC|Washington D.C.|Wash DC'],
  ['FL', 'Florida', 'Fla|Flor'], ['GA', 'Georgia', 'Ga'], ['HI', 'Hawaii', "Hawai'i|H.I."], ['ID', 'Idaho', ''],
  ['IL', 'Illinois', 'Ill|Ills'], ['IN', 'Indiana', 'Ind'], ['IA', 'Iowa', 'Ia'], ['KS', 'Kansas', 'Kan|Kans'],
  ['KY', 'Kentucky', 'Ky'], ['LA', 'Louisiana', 'La'], ['ME', 'Maine', 'Me'], ['MD', 'Maryland', 'Md'],
  ['MA', 'Massachusetts', 'Mass'], ['MI', 'Michigan', 'Mich'], ['MN', 'Minnesota', 'Minn'],
  ['MS', 'Mississippi', 'Miss|Ms'], ['MO', 'Missouri', 'Mo'], ['MT', 'Montana', 'Mont'], ['NE', 'Nebraska', 'Neb|Nebr'],
  ['NV', 'Nevada', 'Nev'], ['NH', 'New Hampshire', 'N.H.|N Hampshire'], ['NJ', 'New Jersey', 'N.J.|N Jersey'],
  ['NM', 'New Mexico', 'N.M.|N Mex|New Mex'], ['NY', 'New York', 'N.Y.|N York|New York State'],
  ['NC', 'North Carolina', 'N.C.|N Carolina|N Car'], ['ND', 'North Dakota', 'N.D.|N Dak|N Dakota'],
  ['OH', 'Ohio', ''], ['OK', 'Oklahoma', 'Okla'], ['OR', 'Oregon', 'Ore|Oreg'], ['PA', 'Pennsylvania', 'Pa|Penn|Penna'],
  ['RI', 'Rhode Island', 'R.I.|Rhode Island and Providence Plantations'], ['SC', 'South Carolina', 'S.C.|S Carolina|S Car'],
  ['SD', 'South Dakota', 'S.D.|S Dak|S Dakota'], ['TN', 'Tennessee', 'Tenn'], ['TX', 'Texas', 'Tex'], ['UT', 'Utah', 'Ut'],
  ['VT', 'Vermont', 'Vt'], ['VA', 'Virginia', 'Va|Virg'], ['WA', 'Washington', 'Wash|Wn|Washington State'],
  ['WV', 'West Virginia', 'W.Va.|W Va|W Virginia'], ['WI', 'Wisconsin', 'Wis|Wisc'], ['WY', 'Wyoming', 'Wyo'],
  ['AS', 'American Samoa', 'Amer Samoa'], ['GU', 'Guam', ''], ['MP', 'Northern Mariana Islands', 'N Mariana Islands|Mariana Islands|CNMI'],
  ['PR', 'Puerto Rico', 'P.R.'], ['VI', 'U.S. Virgin Islands', 'US Virgin Islands|Virgin Islands|USVI|V.I.'],
  ['UM', 'U.S. Minor Outlying Islands', 'US Minor Outlying Islands|Minor Outlying Islands'],
];

export const usStates: readonly UsState[] = table.map(([code, name, aliases]) => ({
  code,
  name,
  aliases: aliases ? aliases.split('|') : [],
}));

/**
 * Courtesy titles. When a column holds any of these, "Ms." and "Miss" in it are
 * titles too, not Mississippi: the column decides, not the single value.
 */
export const courtesyTitles: readonly string[] = ['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'rev', 'sir', 'dame', 'lady', 'lord', 'madam', 'mme', 'mlle', 'fr', 'hon', 'capt'];
