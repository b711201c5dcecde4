/**
 * The words column names are made of, as data: abbreviations and the groups of
 * words that name one concept. Kept general (the vocabulary of CRM, billing,
 * commerce and HR schemas at large, not of any one system) and documented in
 * docs/field-mapping.md; a word belongs to at most one group.
 */

/** Abbreviations and run-together spellings, expanded to words before anything is compared. */
export const abbreviations: Readonly<Record<string, readonly string[]>> = {
  acct: ['account'], accnt: ['account'], acc: ['account'],
  addr: ['address'], adr: ['address'], addr1: ['address', '1'], address1: ['address', '1'], address2: ['address', '2'],
  amt: ['amount'], bal: ['balance'], qty: ['quantity'], qnty: ['quantity'], quant: ['quantity'],
  cust: ['customer'], cus: ['customer'], clnt: ['client'], emp: ['employee'], empl: ['employee'], ee: ['employee'],
  eid: ['employee', 'id'], mgr: ['manager'], supv: ['supervisor'], sup: ['supervisor'],
  dept: ['department'], org: ['organization'], co: ['company'], corp: ['company'],
  tel: ['phone'], ph: ['phone'], phn: ['phone'], fone: ['phone'], mob: ['mobile'], cell: ['mobile'], cellphone: ['mobile', 'phone'],
  fax: ['fax'], eml: ['email'], mail: ['email'],
  dob: ['birth', 'date'], birthdate: ['birth', 'date'], birthday: ['birth', 'date'], bday: ['birth', 'date'],
  dt: ['date'], dte: ['date'], ts: ['time'], tstamp: ['time'], timestamp: ['time'], datetime: ['time'], tm: ['time'], tz: ['timezone'],
  yr: ['year'], mo: ['month'], mth: ['month'],
  no: ['number'], num: ['number'], nbr: ['number'], nr: ['number'], nmbr: ['number'],
  nm: ['name'], fname: ['first', 'name'], lname: ['last', 'name'], fullname: ['full', 'name'],
  surname: ['last', 'name'], forename: ['first', 'name'], givenname: ['first', 'name'],
  desc: ['description'], descr: ['description'], dsc: ['description'],
  cd: ['code'], curr: ['currency'], ccy: ['currency'], cur: ['currency'],
  stat: ['status'], sts: ['status'], pmt: ['payment'], pymt: ['payment'], pmnt: ['payment'],
  inv: ['invoice'], rcpt: ['receipt'], ref: ['reference'], txn: ['transaction'], trx: ['transaction'],
  ctry: ['country'], cntry: ['country'], cty: ['city'], prov: ['province'], rgn: ['region'],
  zip: ['postal'], zipcode: ['postal'], postcode: ['postal'], plz: ['postal'],
  bill: ['billing'], shp: ['shipping'], shpg: ['shipping'], ship: ['shipping'], shipto: ['shipping'],
  src: ['source'], loc: ['location'], lang: ['language'], pct: ['percent'], prc: ['price'],
  img: ['image'], pic: ['image'], brnd: ['brand'], mfr: ['manufacturer'], vndr: ['vendor'],
  ssn: ['social', 'security', 'number'], sin: ['social', 'insurance', 'number'],
  optout: ['opt', 'out'], unsubscribed: ['opt', 'out'], lineitem: ['line', 'item'],
  url: ['url'], uri: ['url'], href: ['url'], www: ['website'],
  id: ['id'], uid: ['id'], guid: ['id'], uuid: ['id'], identifier: ['id'], ident: ['id'],
};

/**
 * Words that name one concept. The first word of a group is how the concept
 * is shown. Stems are compared, so `refunded` meets `refund` without an entry.
 */
export const synonymGroups: readonly (readonly string[])[] = [
  ['id', 'key', 'pk'],
  ['number', 'nos', 'numero'],
  ['customer', 'client', 'buyer', 'purchaser', 'patron'],
  ['company', 'account', 'organization', 'organisation', 'business', 'firm', 'employer'],
  ['employee', 'worker', 'staff', 'personnel', 'associate', 'member'],
  ['manager', 'supervisor', 'boss', 'reportsto'],
  ['phone', 'telephone', 'phonenumber'],
  ['mobile', 'cellular', 'handy'],
  ['email', 'emailaddress'],
  ['address', 'street', 'addressline'],
  ['postal', 'zipcode'],
  ['state', 'province', 'region', 'prefecture', 'territory', 'county'],
  ['city', 'town', 'locality', 'municipality'],
  ['country', 'nation'],
  ['first', 'given'],
  ['last', 'family'],
  ['description', 'body', 'summary', 'details', 'about'],
  ['note', 'comment', 'remark', 'memo'],
  ['created', 'creation', 'inserted', 'added', 'registered', 'signup', 'since'],
  ['modified', 'updated', 'changed', 'edited', 'lastmodified'],
  ['birth', 'born'],
  ['hire', 'hired', 'joined', 'onboarded'],
  ['termination', 'terminated', 'separation', 'exit', 'leaving'],
  ['founded', 'established', 'started', 'inception'],
  ['amount', 'amt', 'sum', 'value'],
  ['price', 'rate', 'cost', 'fee'],
  ['quantity', 'count', 'units', 'qty'],
  ['inventory', 'stock', 'onhand'],
  ['currency', 'money'],
  ['status'],
  ['gender', 'sex'],
  ['url', 'link', 'uri'],
  ['website', 'domain', 'homepage', 'site', 'web'],
  ['image', 'picture', 'photo', 'thumbnail'],
  ['weight', 'grams', 'gram', 'kg', 'kilograms', 'lbs', 'pounds', 'ounces', 'mass'],
  ['slug', 'handle', 'permalink', 'urlkey'],
  ['vendor', 'brand', 'manufacturer', 'supplier', 'make', 'maker'],
  ['product', 'item', 'article', 'goods', 'merchandise'],
  ['order', 'purchase', 'po'],
  ['invoice', 'receivable'],
  ['billing', 'bill', 'invoicing'],
  ['shipping', 'shipment', 'delivery', 'fulfillment'],
  ['payment', 'pay', 'paying', 'financial', 'remittance'],
  ['refund', 'refunded', 'reimbursement', 'chargeback'],
  ['discount', 'promo', 'coupon', 'voucher', 'rebate'],
  ['tax', 'vat', 'gst', 'taxes'],
  ['personal', 'home', 'private'],
  ['work', 'office'],
  ['preferred', 'nickname', 'alias'],
  ['location', 'workplace'],
  ['department', 'dept', 'team'],
  ['revenue', 'turnover', 'income', 'sales'],
  ['owner', 'assignee', 'rep', 'salesperson'],
  ['source', 'origin', 'channel', 'referrer'],
  ['industry', 'sector', 'vertical'],
  ['year', 'yyyy'],
  ['timezone', 'zone'],
  ['balance', 'outstanding'],
  ['type', 'kind', 'category', 'class'],
  ['title', 'heading', 'caption'],
  ['job', 'position', 'role', 'occupation', 'designation'],
  ['gateway', 'processor', 'method', 'provider'],
  ['opt', 'consent'],
  ['date', 'day'],
  ['time', 'at', 'on', 'when'],
  ['full', 'complete'],
  ['sku', 'itemcode', 'productcode'],
  ['code', 'cd'],
];

/** Concepts that are near, not the same: they count for part of a match. */
export const relatedConcepts: readonly (readonly [string, string])[] = [
  ['id', 'number'], ['id', 'code'], ['number', 'code'], ['name', 'title'],
  ['amount', 'price'], ['amount', 'balance'], ['amount', 'revenue'], ['date', 'time'],
  ['customer', 'company'], ['state', 'status'], ['url', 'website'], ['url', 'image'],
  ['mobile', 'phone'], ['created', 'date'], ['modified', 'date'], ['hire', 'date'], ['birth', 'date'],
  ['job', 'title'], ['payment', 'billing'], ['invoice', 'billing'], ['manager', 'owner'],
];

/**
 * Words that say little on their own (`is_paid`, `hs_email_optout`, `Variant
 * SKU`, `Legal_First_Name`): they count for less, so two names are not alike
 * because both are codes, or both have a system's prefix.
 */
export const weakWords: ReadonlyMap<string, number> = new Map([
  ['is', 0.2], ['has', 0.2], ['of', 0.1], ['the', 0.1], ['hs', 0.1], ['x', 0.1], ['fld', 0.1], ['c', 0.1],
  ['code', 0.5], ['iso', 0.3], ['details', 0.4], ['detail', 0.4], ['info', 0.3], ['data', 0.3], ['value', 0.5], ['field', 0.2],
  ['legal', 0.5], ['original', 0.5], ['primary', 0.5], ['main', 0.5], ['current', 0.5], ['default', 0.5], ['base', 0.5],
  ['variant', 0.4], ['line', 0.6], ['at', 0.4], ['on', 0.4], ['flag', 0.4], ['ind', 0.3], ['yn', 0.3], ['id', 0.8],
]);

/** Words a run-together name (`lastmodifieddate`, `numberofemployees`) may be split into, besides those above. */
export const splitWords: readonly string[] = [
  'first', 'last', 'middle', 'name', 'full', 'date', 'time', 'of', 'number', 'employees', 'annual', 'associated', 'analytics',
  'lead', 'job', 'title', 'mobile', 'phone', 'opt', 'out', 'email', 'address', 'zip', 'postal', 'code', 'street', 'line', 'item',
  'stock', 'unit', 'price', 'total', 'sub', 'subtotal', 'order', 'created', 'create', 'modified', 'updated', 'owner', 'owned',
  'company', 'account', 'contact', 'lifecycle', 'stage', 'year', 'started', 'start', 'end', 'type', 'status', 'paid', 'is', 'has',
  'customer', 'since', 'balance', 'cents', 'amount', 'currency', 'iso', 'country', 'city', 'state', 'town', 'tax', 'exempt',
  'birth', 'day', 'hire', 'work', 'home', 'web', 'site', 'page', 'home', 'id', 'external', 'internal', 'record', 'count',
];
