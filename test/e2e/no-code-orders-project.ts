/** A project of four orders read from a file, a dedupe block and a prepare block reading them: for the tests of their forms and API. */
export const noCodeOrdersProject: Record<string, string> = {
  'sluice.yaml': 'name: modelling\n',
  'pipelines/orders.yaml': `# Orders, deduplicated and split for a model.
blocks:
  - name: raw_orders
    connector: file
    settings: { path: data/orders.csv }
  - name: people
    upstream: [raw_orders]
    dedupe:
      columns:
        customer: jaro_winkler # names are typed by hand
      blocking: [country]
      match: 0.9
  - name: features
    upstream: [raw_orders]
    prepare:
      split: { by: time, column: placed, cutoff: '2024-03-01' }
`,
  'data/orders.csv': ['id,customer,placed,amount,country', '1,Ann Lee,2024-01-05,10,FR', '2,Bob Ray,2024-02-10,30,DE', '3,Ann Lee,2024-03-02,20,FR', '4,Cy Oz,2024-03-09,50,ES', ''].join('\n'),
};
