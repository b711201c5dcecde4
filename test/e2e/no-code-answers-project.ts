/** Ten help-desk answers (one repeated, one without an answer) with a category to standardise. */
export const helpDeskAnswers: readonly { readonly question: string; readonly answer: string; readonly category: string }[] = [
  { question: 'How do I reset my password?', answer: 'Open the sign-in page and follow the forgot password link.', category: 'Account' },
  { question: 'Where is my parcel?', answer: 'The tracking link in your order email shows where the courier is.', category: 'Delivery' },
  { question: 'Can I return a printer?', answer: 'Yes, within thirty days, in its box, with the receipt.', category: 'Returns' },
  { question: 'Why was my card declined?', answer: 'Your bank refused the payment; call them or try another card.', category: 'Payments' },
  { question: 'How do I change my delivery address?', answer: 'Edit the address under your account before the order ships.', category: 'Delivery' },
  { question: 'Do you ship abroad?', answer: 'We ship to every country in the European Union.', category: 'Shipping' },
  { question: 'How long does a refund take?', answer: 'A refund reaches your card five to ten working days after we get the item.', category: 'Returns' },
  { question: 'Can I use two vouchers at once?', answer: 'One voucher per order; the basket shows which one saves the most.', category: 'Payments' },
  { question: 'How do I delete my account?', answer: 'Write to privacy at our address and we close it within a week.', category: 'Acount' },
  { question: 'Is the warranty two years?', answer: 'Every appliance carries a two year warranty from the delivery date.', category: 'Warranty' },
  { question: 'Where is my parcel?', answer: 'The tracking link in your order email shows where the courier is.', category: 'Delivery' },
  { question: 'What are your opening hours?', answer: '', category: 'Misc' },
];

const csv = ['question,answer,category', ...helpDeskAnswers.map((r) => `"${r.question}","${r.answer}",${r.category}`), ''].join('\n');

/**
 * A project whose pipeline cleans the answers' categories against a dictionary
 * (so the loader adds `clean_answers__review`) and shapes the answers into
 * train and validation examples with an examples block, each side exported as
 * a file: for the tests of the examples block's form and the review block's note.
 */
export const noCodeAnswersProject: Record<string, string> = {
  'sluice.yaml': 'name: help_desk\n',
  'dictionaries/categories.yaml': '# Help desk categories\nvalues:\n  Account: []\n  Delivery: [Shipping]\n  Returns: []\n  Payments: []\n  Warranty: []\n',
  'pipelines/answers.yaml': `# Help desk answers, shaped into examples for a model.
blocks:
  - name: raw_answers
    connector: file
    settings: { path: data/answers.csv }
  - name: clean_answers
    upstream: [raw_answers]
    clean:
      category: { tool: dictionary, dictionary: categories }
  - name: training
    upstream: [clean_answers]
    examples:
      format: prompt_completion
      prompt: question # the customer's words, as typed
      completion: answer
      validation_share: 0.25
      seed: 7
  - name: export_train
    upstream: [training__train]
    connector: file
    settings: { path: out/train.jsonl }
  - name: export_validation
    upstream: [training__validation]
    connector: file
    settings: { path: out/validation.jsonl }
`,
  'data/answers.csv': csv,
};
