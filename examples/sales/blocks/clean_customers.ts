// Standardises the customer file's states and phone numbers. Nothing is guessed:
// a value the toolkit cannot decide keeps its flag and reason, as columns to filter on.
import { defineTransformer, parsePhones, parseUsStates, type TableHandle } from 'sluice';

type RawCustomer = { customer_id: number; name: string | null; state: string | null; phone: string | null };

export default defineTransformer<{ raw_customers: TableHandle<RawCustomer> }>({
  async *run({ raw_customers }, ctx) {
    // A state column is read whole, so the column can decide what "Ms." means.
    const customers = await raw_customers.collect();
    const states = parseUsStates(customers.map((c) => c.state)).values;
    const phones = parsePhones(customers.map((c) => c.phone), { defaultRegion: 'US' }).values;
    const flagged = states.filter((s) => s.flag).length + phones.filter((p) => p.flag).length;
    ctx.log.info(`${flagged} state or phone values flagged for review`);
    yield customers.map((customer, i) => ({
      customer_id: customer.customer_id,
      name: customer.name,
      state: states[i]!.value,
      state_flag: states[i]!.flag ?? null,
      state_note: states[i]!.reason ?? null,
      phone: phones[i]!.value,
      phone_type: phones[i]!.type ?? null,
      phone_extension: phones[i]!.extension ?? null,
      phone_flag: phones[i]!.flag ?? null,
      phone_note: phones[i]!.reason ?? null,
    }));
  },
  // Flag and note columns are often empty in a clean file; they stay text all the same.
  schema: Object.fromEntries(['name', 'state', 'state_flag', 'state_note', 'phone', 'phone_type', 'phone_extension', 'phone_flag', 'phone_note'].map((column) => [column, 'VARCHAR'])),
});
