/**
 * The ids a source acknowledged lately, for brokers whose ids are not
 * positions (RabbitMQ, MQTT): nothing orders them, so "acknowledged and
 * behind every pending one" cannot be read from the broker. It remembers the
 * last `capacity` ids, oldest forgotten first.
 */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  add(ids: Iterable<string>): void {
    for (const id of ids) {
      // Re-adding moves an id to the newest end.
      this.ids.delete(id);
      this.ids.add(id);
    }
    for (const oldest of this.ids) {
      if (this.ids.size <= this.capacity) break;
      this.ids.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }
}
