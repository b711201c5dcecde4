/**
 * ISO 3166-1 alpha-2 and alpha-3 codes of every country and territory. Names
 * come from the runtime's CLDR data (Intl.DisplayNames), so they stay current
 * and exist in every language the runtime knows.
 */
const codes =
  'AD AND AE ARE AF AFG AG ATG AI AIA AL ALB AM ARM AO AGO AQ ATA AR ARG AS ASM AT AUT AU AUS AW ABW AX ALA AZ AZE ' +
  'BA BIH BB BRB BD BGD BE BEL BF BFA BG BGR BH BHR BI BDI BJ BEN BL BLM BM BMU BN BRN BO BOL BQ BES BR BRA BS BHS ' +
  'BT BTN BV BVT BW BWA BY BLR BZ BLZ CA CAN CC CCK CD COD CF CAF CG COG CH CHE CI CIV CK COK CL CHL CM CMR CN CHN ' +
  'CO COL CR CRI CU CUB CV CPV CW CUW CX CXR CY CYP CZ CZE DE DEU DJ DJI DK DNK DM DMA DO DOM DZ DZA EC ECU EE EST ' +
  'EG EGY EH ESH ER ERI ES ESP ET ETH FI FIN FJ FJI FK FLK FM FSM FO FRO FR FRA GA GAB GB GBR GD GRD GE GEO GF GUF ' +
  'GG GGY GH GHA GI GIB GL GRL GM GMB GN GIN GP GLP GQ GNQ GR GRC GS SGS GT GTM GU GUM GW GNB GY GUY HK HKG HM HMD ' +
  'HN HND HR HRV HT HTI HU HUN ID IDN IE IRL IL ISR IM IMN IN IND IO IOT IQ IRQ IR IRN IS ISL IT ITA JE JEY JM JAM ' +
  'JO JOR JP JPN KE KEN KG KGZ KH KHM KI KIR KM COM KN KNA KP PRK KR KOR KW KWT KY CYM KZ KAZ LA LAO LB LBN LC LCA ' +
  'LI LIE LK LKA LR LBR LS LSO LT LTU LU LUX LV LVA LY LBY MA MAR MC MCO MD MDA ME MNE MF MAF MG MDG MH MHL MK MKD ' +
  'ML MLI MM MMR MN MNG MO MAC MP MNP MQ MTQ MR MRT MS MSR MT MLT MU MUS MV MDV MW MWI MX MEX MY MYS MZ MOZ NA NAM ' +
  'NC NCL NE NER NF NFK NG NGA NI NIC NL NLD NO NOR NP NPL NR NRU NU NIU NZ NZL OM OMN PA PAN PE PER PF PYF PG PNG ' +
  'PH PHL PK PAK PL POL PM SPM PN PCN PR PRI PS PSE PT PRT PW PLW PY PRY QA QAT RE REU RO ROU RS SRB RU RUS RW RWA ' +
  'SA SAU SB SLB SC SYC SD SDN SE SWE SG SGP SH SHN SI SVN SJ SJM SK SVK SL SLE SM SMR SN SEN SO SOM SR SUR SS SSD ' +
  'ST STP SV SLV SX SXM SY SYR SZ SWZ TC TCA TD TCD TF ATF TG TGO TH THA TJ TJK TK TKL TL TLS TM TKM TN TUN TO TON ' +
  'TR TUR TT TTO TV TUV TW TWN TZ TZA UA UKR UG UGA UM UMI US USA UY URY UZ UZB VA VAT VC VCT VE VEN VG VGB VI VIR ' +
  'VN VNM VU VUT WF WLF WS WSM YE YEM YT MYT ZA ZAF ZM ZMB ZW ZWE';

export interface Country {
  readonly code: string;
  readonly alpha3: string;
  readonly name: string;
}

const parts = codes.split(' ');
const english = new Intl.DisplayNames(['en'], { type: 'region' });

export const countries: readonly Country[] = Array.from({ length: parts.length / 2 }, (_, i) => {
  const code = parts[i * 2]!;
  return { code, alpha3: parts[i * 2 + 1]!, name: english.of(code) ?? code };
});

/** Languages whose country names are read besides English. */
export const nameLanguages = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl'];

/** Names people use that CLDR does not give, or gives differently. */
export const countryAliases: Readonly<Record<string, readonly string[]>> = {
  US: ['USA', 'U.S.A.', 'U.S.', 'United States of America', 'America', 'Estados Unidos', 'EEUU', 'EE.UU.'],
  GB: ['UK', 'U.K.', 'Great Britain', 'Britain', 'United Kingdom of Great Britain and Northern Ireland'],
  NL: ['Holland', 'The Netherlands'],
  KR: ['South Korea', 'Korea, Republic of', 'Republic of Korea', 'Korea Republic'],
  KP: ['North Korea', "Korea, Democratic People's Republic of", "Democratic People's Republic of Korea", 'DPRK'],
  RU: ['Russian Federation'],
  VN: ['Viet Nam'],
  IR: ['Iran, Islamic Republic of', 'Islamic Republic of Iran'],
  SY: ['Syrian Arab Republic'],
  LA: ["Lao People's Democratic Republic", 'Lao PDR'],
  BO: ['Bolivia, Plurinational State of'],
  VE: ['Venezuela, Bolivarian Republic of'],
  TZ: ['Tanzania, United Republic of', 'United Republic of Tanzania'],
  MD: ['Moldova, Republic of', 'Republic of Moldova'],
  CZ: ['Czech Republic'],
  CI: ['Ivory Coast', "Cote d'Ivoire"],
  MM: ['Burma'],
  MK: ['Macedonia', 'Republic of North Macedonia'],
  SZ: ['Swaziland'],
  CV: ['Cape Verde'],
  TL: ['East Timor'],
  VA: ['Vatican', 'Vatican City', 'Holy See'],
  AE: ['UAE', 'U.A.E.', 'Emirates'],
  CD: ['DRC', 'DR Congo', 'Democratic Republic of the Congo', 'Congo, Democratic Republic of the', 'Congo-Kinshasa'],
  CG: ['Republic of the Congo', 'Congo-Brazzaville', 'Congo Republic'],
  HK: ['Hong Kong'],
  MO: ['Macau', 'Macao'],
  PS: ['Palestine', 'State of Palestine'],
  TW: ['Taiwan, Province of China'],
  BA: ['Bosnia', 'Bosnia and Herzegovina'],
  TR: ['Turkey', 'Türkiye', 'Turkiye'],
  FM: ['Micronesia', 'Micronesia, Federated States of'],
  VG: ['British Virgin Islands'],
  VI: ['US Virgin Islands', 'U.S. Virgin Islands'],
};

/** Text that, in a column holding it, says "missing"; such a column's "NA" is not Namibia. */
export const missingMarkers: readonly string[] = ['n/a', 'n.a.', 'none', 'null', 'nil', 'unknown', 'not available', 'not applicable', '-', '--', '?', 'tbd'];
